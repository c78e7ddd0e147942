"""Settings read from ``HROMADA_*`` environment variables and an optional ``.env`` file.

Every setting lives here, once, with its default. ``Settings.from_env`` is the
only way the application learns about its environment; a bad value stops
start-up with one line that names the variable and what is wrong with it.

Reading and type conversion are pydantic-settings' (the ``HROMADA_`` prefix,
the ``.env`` file through python-dotenv, whole numbers, booleans such as
``yes``/``off``, paths, the allowed words of ``environment``); ``Settings``
itself stays a frozen dataclass, so code and tests build it directly and
``replace`` it without reading the environment. What no type can say (URLs,
tiers, providers) is checked in :meth:`Settings.validate`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import ipaddress
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import dotenv.parser
import pydantic
import pydantic_settings

from hromada.oidc_providers import ProvidersError, parse_providers
from hromada.petition_types import PetitionType, PetitionTypesError, parse_types

PREFIX = "HROMADA_"

Environment = Literal["development", "production", "demo", "test"]


class SettingsError(ValueError):
    """A setting has a value hromada cannot use. The message is one line."""


def _field(default: Any, doc: str, **kw: Any) -> Any:
    return dataclasses.field(default=default, metadata={"doc": doc, **kw})


@dataclasses.dataclass(frozen=True)
class Settings:
    environment: Environment = _field(
        "development",
        "development, production, demo or test. Production logs JSON and hides GraphiQL.",
    )
    data_dir: Path = _field(
        Path("var"),
        "Directory for the SQLite file, the search index and the published dataset files.",
    )
    database_url: str = _field(
        "",
        "postgresql://user:password@host:port/db for PostgreSQL; empty means SQLite "
        "in the data directory (sqlite:///path also works).",
    )
    database_pool_size: int = _field(
        10, "PostgreSQL connection pool size per process; 0 opens a connection per query."
    )
    sqlite_busy_timeout: float = _field(
        30.0, "Seconds a SQLite writer waits for the lock before giving up."
    )
    host: str = _field("127.0.0.1", "Address `hromada serve` binds to.")
    port: int = _field(8000, "Port `hromada serve` listens on.")
    workers: int = _field(1, "Worker processes for `hromada serve`.")
    log_level: str = _field("INFO", "DEBUG, INFO, WARNING or ERROR.")
    log_format: str = _field("", "json or text; empty means json in production and text elsewhere.")
    cors_origins: tuple[str, ...] = _field(
        ("*",), "Comma-separated origins allowed to call the API from a browser (GET)."
    )
    meili_url: str = _field("", "Meilisearch URL; empty means the embedded search engine.")
    meili_key: str = _field("", "Meilisearch API key.")
    meili_index: str = _field("hromada", "Meilisearch index holding every public document.")
    search_dir: str = _field(
        "", "Directory of the embedded search index; empty means `search` in the data directory."
    )
    search_indexer: str = _field(
        "serve",
        "serve: `hromada serve` keeps the search index up to date in the background; "
        "off: only `hromada indexer` does.",
    )
    jobs_worker: str = _field(
        "serve",
        "serve: `hromada serve` runs background jobs (publishing after an import) in every "
        "process; off: only `hromada worker` does.",
    )
    redis_url: str = _field(
        "", "Redis URL for rate limits and sessions shared by several processes."
    )
    admin_token: str = _field(
        "",
        "Bearer token that acts as an admin API key for scripts (imports); "
        "empty turns it off. People log in and get roles instead.",
    )
    identity_secret: str = _field(
        "",
        "Server secret for person keys (HMAC of the tax number) and CSRF tokens; at least "
        "32 characters, required outside demo and test mode, never stored in the database.",
    )
    oidc_providers: str = _field(
        "",
        "Identity providers as a JSON list of objects with name, display_name, kind (oidc or "
        "idgovua), issuer, client_id, client_secret and optionally roles_claim, tax_id_claim, "
        "scope (see Logging in). Empty: none; the demo configures its own.",
    )
    session_idle_timeout: int = _field(
        1800, "Seconds of inactivity after which a login session ends."
    )
    session_max_age: int = _field(
        43200, "Seconds after login after which a session ends however active it is."
    )
    eligibility_min_age: int = _field(
        16, "Minimum age to sign petitions and vote in the participatory budget."
    )
    eligibility_allow_idps: bool = _field(
        True,
        "Whether internally displaced people registered in the community may take part "
        "besides residents registered at an address inside it.",
    )
    community_localities: tuple[str, ...] = _field(
        ("Харків",),
        "Comma-separated settlement names of the community: an address in one of them is "
        "inside the community.",
    )
    petition_threshold: int = _field(
        1000, "Signatures a petition needs to be considered (the community's statute)."
    )
    petition_days: int = _field(90, "Days a petition collects signatures once published.")
    petition_moderation_days: int = _field(
        2, "Working days within which a submitted petition is published or rejected."
    )
    petition_answer_days: int = _field(
        10, "Working days within which a petition that reached its threshold is answered."
    )
    petition_holidays: tuple[str, ...] = _field(
        (),
        "Comma-separated public holidays (YYYY-MM-DD) that are not working days for "
        "petition deadlines, besides Saturdays and Sundays.",
    )
    petition_open_drafts: int = _field(
        3, "Petitions one resident may have in draft or moderation at once."
    )
    petition_signatures_per_day: int = _field(
        50,
        "Signatures (and co-sponsorships) one resident may add in 24 hours; 0: no limit. "
        "A script on one account cannot sign every petition at once.",
    )
    petition_signer_name: str = _field(
        "given-initial",
        "How signers appear on a petition's public list (the community's statute): "
        "given-initial (Тарас Б.), initials (Т. Б.) or full (Тарас Бондаренко).",
    )
    petition_types: str = _field(
        "",
        "Petition types as a JSON object, one entry per type with its own threshold, days, "
        "cosponsors, withdrawal, min_age, allow_idps, signer_name and titles (see Petitions); "
        "empty: one type, city, with the settings above.",
    )
    smtp_url: str = _field(
        "",
        "SMTP server for e-mail to residents: smtp://host:port (STARTTLS when the server "
        "offers it), smtps://host:465, optionally user:password@; while empty or down, "
        "e-mail waits in the jobs queue (retried for about a day).",
    )
    mail_from: str = _field(
        "hromada <noreply@city.example>", "Sender of the e-mail residents receive."
    )
    rate_limit_window: int = _field(60, "Length of a rate-limit window in seconds.")
    rate_limit_anonymous: int = _field(
        60, "Requests per window for a client without an API key, per IP address."
    )
    rate_limit_resident: int = _field(
        300, "Requests per window for a logged-in resident (browser session)."
    )
    rate_limit_writes: int = _field(
        30, "State-changing requests per window per resident or API key."
    )
    rate_limit_writes_per_ip: int = _field(
        300,
        "State-changing requests per window from one client address, whoever is logged in "
        "there (one office behind one address shares it): many accounts cannot multiply one "
        "sender's writes.",
    )
    rate_limit_device: int = _field(
        120,
        "Requests per window from one sensor's device key (its own bucket: a fleet behind one "
        "gateway address is not held to the per-address limits).",
    )
    rate_limit_device_readings: int = _field(
        3000,
        "Readings per window one sensor may send; a batch that would pass it is refused whole "
        "(429) and nothing of it is written.",
    )
    rate_limit_tiers: tuple[str, ...] = _field(
        ("standard=1000", "partner=10000"),
        "API key tiers as name=requests per window, comma-separated; the first is the default.",
    )
    trusted_proxies: tuple[str, ...] = _field(
        (),
        "Comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For "
        "names the client (rate limits); empty: the connecting address is the client.",
    )
    dev_idp_enabled: bool = _field(
        True,
        "Run the development identity provider (demo mode only; it refuses to start in any "
        "other mode).",
    )
    dev_idp_port: int = _field(
        0, "Port of the development identity provider; 0 means HROMADA_PORT + 1."
    )
    graphql_max_depth: int = _field(10, "Deepest GraphQL query accepted.")
    graphql_max_aliases: int = _field(15, "Most aliases in one GraphQL query.")
    graphql_max_tokens: int = _field(2000, "Most tokens in one GraphQL query document.")
    graphql_cost_anonymous: int = _field(
        5000,
        "Most a GraphQL query may cost without an API key or session (rows it may fetch; "
        "a statistics field counts 1000).",
    )
    graphql_cost_keyed: int = _field(
        50000, "Most a GraphQL query may cost with an API key or a session."
    )
    graphql_introspection: bool = _field(
        True, "GraphQL introspection and field suggestions; turn off to hide the schema."
    )
    api_max_page_size: int = _field(500, "Hard maximum of `limit` on every list.")
    demo_seed: int = _field(1551, "Seed of the demo city generator.")
    public_url: str = _field(
        "",
        "Public base URL (https://data.city.example) used in absolute links of the CKAN, DCAT "
        "and Data Package views; empty means the URL of each request.",
    )
    city_name_uk: str = _field("Харків", "Name of the city in Ukrainian (dataset coverage).")
    city_name_en: str = _field("Kharkiv", "Name of the city in English (dataset coverage).")
    city_katottg: str = _field(
        "UA63120270010096107", "KATOTTG code of the city: spatial coverage of every dataset."
    )
    publisher_name_uk: str = _field(
        "Харківська міська рада", "Publisher of the datasets (Ukrainian name)."
    )
    publisher_name_en: str = _field("Kharkiv City Council", "Publisher of the datasets (English).")
    publisher_edrpou: str = _field("04059243", "EDRPOU code of the publisher.")
    publisher_email: str = _field(
        "opendata@city.example", "Contact e-mail of the datasets (DCAT contact point, CKAN)."
    )
    demo_appeals: int = _field(
        200000, "Appeals the demo city gets (over three years up to the build date)."
    )
    demo_sensor_days: int = _field(
        365, "Days of hourly readings each of the demo city's 50 sensors gets."
    )
    appeals_k: int = _field(
        5, "Smallest group of appeals statistics show; smaller groups are suppressed."
    )
    appeals_import_max_bytes: int = _field(
        512 * 1024 * 1024,
        "Largest appeals file the staff import endpoint accepts (the body, or the file of a "
        "multipart form), in bytes; an XLSX is also bounded inflated (see Appeals).",
    )
    registry_import_max_bytes: int = _field(
        100 * 1024 * 1024,
        "Largest registry file (CSV, XLSX, GeoJSON) an import accepts, from the staff "
        "endpoint or the command line, in bytes.",
    )
    keep_versions: int = _field(
        0,
        "Versions of each dataset whose files are kept after every publish (the newest, "
        "plus pinned ones); an older version keeps its metadata and checksums and its URLs "
        "answer 410 naming the latest. 0 keeps every version (prune by hand: hromada "
        "versions prune).",
    )
    map_tiles: str = _field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "URL template of the basemap tiles under the portal's maps ({z}/{x}/{y}, and {s} in "
        "the host for subdomains); the pages' Content-Security-Policy allows images from its "
        "host. Empty means no basemap: the map shows its data alone.",
    )
    map_attribution: str = _field(
        "© OpenStreetMap contributors",
        "Attribution shown on the maps for the basemap tiles (plain text).",
    )

    # ------------------------------------------------------------------
    @property
    def is_development(self) -> bool:
        return self.environment in ("development", "demo", "test")

    @property
    def is_demo_or_test(self) -> bool:
        return self.environment in ("demo", "test")

    @property
    def petition_kinds(self) -> tuple[PetitionType, ...]:
        """The petition types in order (the first is a new petition's default)."""
        return _petition_kinds(
            self.petition_types,
            self.petition_threshold,
            self.petition_days,
            self.eligibility_min_age,
            self.eligibility_allow_idps,
            self.petition_signer_name,
        )

    @property
    def tiers(self) -> dict[str, int]:
        """API key tiers in order; the first is the default for a new key."""
        out: dict[str, int] = {}
        for tier in self.rate_limit_tiers:
            name, _, limit = tier.partition("=")
            out[name.strip()] = int(limit)
        return out

    @property
    def effective_dev_idp_port(self) -> int:
        return self.dev_idp_port or self.port + 1

    @property
    def map_tile_origin(self) -> str:
        """Where the basemap's images come from, as a Content-Security-Policy source
        (``https://*.tile.example.org`` for a ``{s}`` subdomain); empty without a basemap."""
        if not self.map_tiles:
            return ""
        parts = urlsplit(self.map_tiles)
        host = parts.netloc.replace("{s}", "*")
        if (
            parts.scheme not in ("http", "https")
            or not host
            or not all(c.isalnum() or c in ".-*:" for c in host)
            or "*" in (host[2:] if host.startswith("*.") else host)
            or not all(p in self.map_tiles for p in ("{z}", "{x}", "{y}"))
        ):
            raise SettingsError(
                f"HROMADA_MAP_TILES={self.map_tiles!r}: expected "
                "https://host/{z}/{x}/{y}.png ({s} allowed as the host's first label)"
            )
        return f"{parts.scheme}://{host}"

    @property
    def engine(self) -> Literal["sqlite", "postgres"]:
        return (
            "postgres"
            if self.database_url.startswith(("postgres://", "postgresql://"))
            else ("sqlite")
        )

    @property
    def sqlite_path(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "hromada.sqlite3"

    @property
    def search_path(self) -> Path:
        return Path(self.search_dir) if self.search_dir else self.data_dir / "search"

    @property
    def effective_log_format(self) -> str:
        if self.log_format:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------
    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read settings; the environment (the process's, or ``environ``) wins over ``.env``."""
        if env_file is not None and env_file.is_file():
            _check_env_file(env_file)
        else:
            env_file = None
        reader: Any = _reader(from_process=environ is None)
        given: dict[str, str] = {}
        if environ is not None:
            names = {PREFIX + f.name.upper(): f.name for f in dataclasses.fields(cls)}
            given = {names[k.upper()]: v for k, v in environ.items() if k.upper() in names}
        try:
            values = reader(_env_file=env_file, **given)
        except pydantic.ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None
        settings = cls(**{f.name: getattr(values, f.name) for f in dataclasses.fields(cls)})
        settings.validate()
        return settings

    def validate(self) -> None:
        for day in self.petition_holidays:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise SettingsError(
                    f"HROMADA_PETITION_HOLIDAYS: {day!r} is not a date (YYYY-MM-DD)"
                ) from None
        if self.petition_signer_name not in ("given-initial", "initials", "full"):
            raise SettingsError(
                f"HROMADA_PETITION_SIGNER_NAME={self.petition_signer_name!r}: use "
                "given-initial, initials or full"
            )
        for name in ("petition_threshold", "petition_days", "petition_answer_days"):
            if getattr(self, name) < 1:
                raise SettingsError(f"HROMADA_{name.upper()} must be at least 1")
        try:
            self.petition_kinds  # noqa: B018 - parsed once, and checked here
        except PetitionTypesError as exc:
            raise SettingsError(f"HROMADA_PETITION_TYPES: {exc}") from None
        if self.environment not in ("development", "production", "demo", "test"):
            raise SettingsError(
                f"HROMADA_ENVIRONMENT={self.environment!r}: use development, production, "
                "demo or test"
            )
        if self.database_url:
            _check_database_url(self.database_url)
        if self.log_format not in ("", "json", "text"):
            raise SettingsError(f"HROMADA_LOG_FORMAT={self.log_format!r}: use json or text")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError(
                f"HROMADA_LOG_LEVEL={self.log_level!r}: use DEBUG, INFO, WARNING or ERROR"
            )
        for name in (
            "port",
            "workers",
            "api_max_page_size",
            "graphql_max_depth",
            "graphql_cost_anonymous",
            "graphql_cost_keyed",
            "appeals_k",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"HROMADA_{name.upper()} must be at least 1")
        if self.public_url and urlsplit(self.public_url).scheme not in ("http", "https"):
            raise SettingsError(
                f"HROMADA_PUBLIC_URL={self.public_url!r}: expected https://host[/prefix]"
            )
        if self.map_tiles:
            self.map_tile_origin  # noqa: B018 - parsed once, and checked here
        if self.publisher_edrpou and not (
            self.publisher_edrpou.isdigit() and len(self.publisher_edrpou) == 8
        ):
            raise SettingsError(
                f"HROMADA_PUBLISHER_EDRPOU={self.publisher_edrpou!r}: expected 8 digits"
            )
        if self.search_indexer not in ("serve", "off"):
            raise SettingsError(f"HROMADA_SEARCH_INDEXER={self.search_indexer!r}: use serve or off")
        if self.jobs_worker not in ("serve", "off"):
            raise SettingsError(f"HROMADA_JOBS_WORKER={self.jobs_worker!r}: use serve or off")
        if not self.meili_index.replace("-", "").replace("_", "").isalnum():
            raise SettingsError(
                f"HROMADA_MEILI_INDEX={self.meili_index!r}: letters, digits, - and _ only"
            )
        for name in ("session_idle_timeout", "session_max_age", "rate_limit_window"):
            if getattr(self, name) < 1:
                raise SettingsError(f"HROMADA_{name.upper()} must be at least 1")
        if self.identity_secret and len(self.identity_secret) < 32:
            raise SettingsError("HROMADA_IDENTITY_SECRET must be at least 32 characters long")
        for tier in self.rate_limit_tiers:
            name, sep, limit = tier.partition("=")
            if not sep or not name.strip() or not limit.strip().isdigit() or int(limit) < 1:
                raise SettingsError(
                    f"HROMADA_RATE_LIMIT_TIERS has {tier!r}: expected name=requests, "
                    "e.g. standard=1000"
                )
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    f"HROMADA_TRUSTED_PROXIES has {proxy!r}: expected an address or a network "
                    "such as 10.0.0.0/8"
                ) from None
        if not self.rate_limit_tiers:
            raise SettingsError("HROMADA_RATE_LIMIT_TIERS names no tier")
        if self.oidc_providers:
            try:
                parse_providers(self.oidc_providers)
            except ProvidersError as exc:
                raise SettingsError(str(exc)) from None
        if self.demo_appeals < 0:
            raise SettingsError("HROMADA_DEMO_APPEALS must not be negative")
        if self.appeals_import_max_bytes < 1024:
            raise SettingsError("HROMADA_APPEALS_IMPORT_MAX_BYTES must be at least 1024")
        if self.registry_import_max_bytes < 1024:
            raise SettingsError("HROMADA_REGISTRY_IMPORT_MAX_BYTES must be at least 1024")
        if self.keep_versions < 0:
            raise SettingsError("HROMADA_KEEP_VERSIONS must not be negative (0 keeps every one)")
        if self.meili_url and urlsplit(self.meili_url).scheme not in ("http", "https"):
            raise SettingsError(f"HROMADA_MEILI_URL={self.meili_url!r}: expected http://host:port")
        if self.smtp_url:
            parts = urlsplit(self.smtp_url)
            try:
                port = parts.port
            except ValueError:
                port = None
            if parts.scheme not in ("smtp", "smtps") or not parts.hostname or port is None:
                raise SettingsError(
                    f"HROMADA_SMTP_URL={_redact(self.smtp_url)!r}: expected smtp://host:port "
                    "or smtps://host:port"
                )


def _check_database_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        if not parts.hostname and "host=" not in parts.query:
            raise SettingsError(
                "HROMADA_DATABASE_URL has no host: expected postgresql://user@host:5432/dbname"
            )
        if not parts.path.strip("/"):
            raise SettingsError(
                "HROMADA_DATABASE_URL names no database: expected "
                "postgresql://user@host:5432/dbname"
            )
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError:
            raise SettingsError(
                f"HROMADA_DATABASE_URL has a bad port in {_redact(url)!r}"
            ) from None
        return
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return
    raise SettingsError(
        f"HROMADA_DATABASE_URL={_redact(url)!r} is not supported: use "
        "postgresql://user@host:5432/dbname, sqlite:///path/to/file, or leave it empty for SQLite"
    )


@functools.lru_cache(maxsize=16)
def _petition_kinds(
    raw: str, threshold: int, days: int, min_age: int, allow_idps: bool, signer_name: str
) -> tuple[PetitionType, ...]:
    return parse_types(
        raw,
        threshold=threshold,
        days=days,
        min_age=min_age,
        allow_idps=allow_idps,
        signer_name=signer_name,
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


@functools.cache
def _reader(*, from_process: bool) -> type[pydantic_settings.BaseSettings]:
    """A pydantic-settings class with every field of ``Settings``.

    ``from_process=False`` reads only what is passed in and the ``.env`` file
    (tests hand over an environment of their own).
    """
    hints = typing.get_type_hints(Settings)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(Settings):
        annotation = hints[field.name]
        if typing.get_origin(annotation) is tuple:
            # Comma-separated in the environment, not JSON.
            annotation = Annotated[
                annotation, pydantic_settings.NoDecode, pydantic.BeforeValidator(_comma_separated)
            ]
        fields[field.name] = (annotation, field.default)

    class Reader(pydantic_settings.BaseSettings):
        model_config = pydantic_settings.SettingsConfigDict(
            env_prefix=PREFIX, extra="ignore", frozen=True, str_strip_whitespace=True
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[pydantic_settings.BaseSettings],
            init_settings: pydantic_settings.PydanticBaseSettingsSource,
            env_settings: pydantic_settings.PydanticBaseSettingsSource,
            dotenv_settings: pydantic_settings.PydanticBaseSettingsSource,
            file_secret_settings: pydantic_settings.PydanticBaseSettingsSource,
        ) -> tuple[pydantic_settings.PydanticBaseSettingsSource, ...]:
            if from_process:
                return (init_settings, env_settings, dotenv_settings)
            return (init_settings, dotenv_settings)

    reader: type[pydantic_settings.BaseSettings] = pydantic.create_model(
        "SettingsReader", __base__=Reader, **fields
    )
    return reader


_FRIENDLY = {
    "bool_parsing": "expected true or false (also yes/no, on/off, 1/0)",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
}


def _one_line(exc: pydantic.ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    name = PREFIX + str(error["loc"][0]).upper() if error["loc"] else "a HROMADA_ setting"
    raw = error.get("input")
    shown = f"={raw!r}" if isinstance(raw, str) and len(raw) < 200 else ""
    message = _FRIENDLY.get(error["type"]) or str(error["msg"]).splitlines()[0]
    if "password" in name.lower() or "://" in str(raw):
        shown = ""
    return f"{name}{shown}: {message}"


def _check_env_file(path: Path) -> None:
    """python-dotenv skips a line it cannot parse; here it stops start-up, naming the line."""
    with path.open(encoding="utf-8") as stream:
        for binding in dotenv.parser.parse_stream(stream):
            if binding.error:
                raise SettingsError(f"{path}:{binding.original.line}: expected KEY=VALUE")


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: the README table is made from it."""
    rows = []
    for field in dataclasses.fields(Settings):
        default = field.default
        if isinstance(default, tuple):
            default = ",".join(default)
        elif isinstance(default, bool):
            default = str(default).lower()
        rows.append((PREFIX + field.name.upper(), str(default), field.metadata["doc"]))
    return rows
