"""The per-resident signing limit (``HROMADA_PETITION_SIGNATURES_PER_DAY``), over real HTTP
with real logins: past it a signature is refused with 429 and Retry-After and nothing is
written; a repeat of a signature already made is never refused; concurrent signatures of
one resident never exceed it; a day later the resident may sign again."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from tests.auth.conftest import Live, make_live

from hromada.config import Settings

LIMIT = 2
TEXT = (
    "Просимо встановити лавки та урни вздовж алеї у сквері біля школи, а також освітлення, "
    "бо ввечері там темно і небезпечно."
)


@pytest.fixture(scope="module")
def limited_servers(settings: Settings) -> Iterator[Live]:
    yield from make_live(
        settings.replace(
            petition_threshold=50, petition_open_drafts=5, petition_signatures_per_day=LIMIT
        )
    )


@pytest.fixture
def live(limited_servers: Live, city: Settings) -> Live:
    limited_servers.reset()
    return limited_servers


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _published(live: Live, count: int) -> list[int]:
    olena, csrf = _session(live, "c-olena-1001")
    natalia, staff = _session(live, "c-natalia-1007")
    numbers = []
    with closing(olena), closing(natalia):
        for i in range(count):
            body = {"title": f"Лавки у сквері номер {i + 1}", "text": TEXT}
            created = olena.post("/api/v1/petitions", json=body, headers=csrf)
            assert created.status_code == 201, created.text
            number = created.json()["id"]
            assert olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf).status_code == 200
            published = natalia.post(
                f"/api/v1/petitions/{number}/moderation",
                json={"decision": "publish"},
                headers=staff,
            )
            assert published.status_code == 200, published.text
            numbers.append(int(number))
    return numbers


def _count(client: httpx.Client, number: int) -> int:
    return int(client.get(f"/api/v1/petitions/{number}").json()["signatures"])


async def test_past_the_limit_a_signature_is_refused_until_a_day_has_passed(live: Live) -> None:
    from hromada.participation.petitions.tables import PetitionSignature

    first, second, third = _published(live, 3)
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        for number in (first, second):
            signed = taras.post(f"/api/v1/petitions/{number}/signatures", headers=csrf)
            assert signed.status_code == 200 and signed.json()["signed"], signed.text
        refused = taras.post(f"/api/v1/petitions/{third}/signatures", headers=csrf)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "24 hours" in refused.json()["detail"]
        wait = int(refused.headers["retry-after"])
        assert 86_000 < wait <= 86_400  # the first signature leaves the window in a day
        assert _count(taras, third) == 0  # nothing written
        # A retry of a signature already made is idempotent, never refused.
        again = taras.post(f"/api/v1/petitions/{first}/signatures", headers=csrf)
        assert again.status_code == 200 and again.json()["signed"] is False
        # GraphQL signs under the same rule.
        mutation = "mutation($id: Int!) { signPetition(id: $id) { signed } }"
        answer = taras.post(
            "/graphql", json={"query": mutation, "variables": {"id": third}}, headers=csrf
        ).json()
        assert answer.get("data") is None or answer["data"]["signPetition"] is None, answer
        assert "24 hours" in answer["errors"][0]["message"]
        # A day later the oldest signature has left the window: one more fits.
        day_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=24, minutes=1)
        await PetitionSignature.update({PetitionSignature.signed_at: day_ago}).where(
            PetitionSignature.petition == first
        )
        later = taras.post(f"/api/v1/petitions/{third}/signatures", headers=csrf)
        assert later.status_code == 200 and later.json()["signed"], later.text
        assert _count(taras, third) == 1


def test_concurrent_signatures_of_one_resident_stay_within_the_limit(live: Live) -> None:
    numbers = _published(live, 5)
    petro, csrf = _session(live, "c-petro-1008")
    with closing(petro), concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(
            pool.map(
                lambda n: petro.post(f"/api/v1/petitions/{n}/signatures", headers=csrf), numbers
            )
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * LIMIT + [429] * (len(numbers) - LIMIT), statuses
        assert sum(_count(petro, n) for n in numbers) == LIMIT
