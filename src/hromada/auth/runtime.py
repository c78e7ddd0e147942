"""The auth machinery of one app process: providers, the session store, the rate limiter."""

from __future__ import annotations

import logging

from hromada.auth.identity import EligibilityRules
from hromada.auth.oidc import Provider, make_provider
from hromada.auth.ratelimit import Limiter, parse_networks
from hromada.auth.store import DatabaseStore, RedisStore, Store
from hromada.config import Settings, SettingsError
from hromada.oidc_providers import parse_providers

log = logging.getLogger("hromada.auth")

# Used only in demo and test mode when no secret is configured: person keys made
# with it are worthless anywhere else, which is the point.
DEMO_SECRET = "hromada-demo-and-test-identity-secret-never-in-production"  # noqa: S105


def identity_secret(settings: Settings) -> str:
    if settings.identity_secret:
        return settings.identity_secret
    if settings.is_demo_or_test:
        return DEMO_SECRET
    raise SettingsError(
        "HROMADA_IDENTITY_SECRET is required outside demo and test mode "
        "(at least 32 characters, e.g. `openssl rand -hex 32`)"
    )


class AuthRuntime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.secret = identity_secret(settings)
        self.providers: dict[str, Provider] = {
            p.name: make_provider(p) for p in parse_providers(settings.oidc_providers)
        }
        self.rules = EligibilityRules(
            min_age=settings.eligibility_min_age, allow_idps=settings.eligibility_allow_idps
        )
        self.store: Store = DatabaseStore()
        self.limiter = Limiter.memory()
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self._redis = False

    async def start(self) -> None:
        """Connect to Redis (in the event loop that serves requests) when configured."""
        if self.settings.redis_url and not self._redis:
            self.store = RedisStore(self.settings.redis_url)
            self.limiter = Limiter.redis(self.settings.redis_url)
            self._redis = True

    async def redis_check(self) -> str:
        """Readiness of the Redis that holds sessions and rate limits (when configured)."""
        if not self._redis:
            return "not connected"
        import redis.asyncio as redis

        client = redis.Redis.from_url(
            self.settings.redis_url, socket_timeout=2, socket_connect_timeout=2
        )
        try:
            await client.ping()
        except (redis.RedisError, OSError) as exc:
            return f"unreachable ({type(exc).__name__})"
        finally:
            await client.aclose()
        return "ok"

    async def stop(self) -> None:
        if self._redis:
            await self.store.close()
            await self.limiter.close()
            self.store, self.limiter, self._redis = DatabaseStore(), Limiter.memory(), False
