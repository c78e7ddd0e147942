"""The staff's budget pages over real HTTP: the review queue (review, appeals, hiding) and
paper ballots. Refused to anonymous readers and residents, refused without the session's
CSRF token, each refusal of the domain shown beside the form in the reader's language,
and what residents wrote shown as text."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re
from contextlib import closing
from typing import Any

import httpx
from tests.auth.conftest import Live
from tests.web.conftest import close_submission, session, submit

from hromada.auth.identity import RNOKPP_EPOCH, rnokpp_with_checksum

HOSTILE_TITLE = 'Сквер <script>alert("t")</script> "><img src=x onerror=alert(1)>'
MAX_HTML = 100 * 1024


def tax_id(born: dt.date, serial: int = 4321) -> str:
    return rnokpp_with_checksum(f"{(born - RNOKPP_EPOCH).days:05d}{serial:04d}")


ADULT = tax_id(dt.date(1980, 3, 4))


def _token(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _api(live: Live, path: str) -> Any:
    with live.client() as client:
        return client.get(path).json()


def test_staff_pages_are_refused_to_anonymous_readers_and_residents(portal: Live) -> None:
    paths = ("/staff/projects", "/staff/ballots", "/staff/imports")
    with portal.client() as anonymous:
        for path in paths:
            answer = anonymous.get(path)
            assert answer.status_code == 401, path
            assert answer.headers["content-type"].startswith("text/html")
    olena, headers = session(portal, "c-olena-1001")
    with closing(olena):
        for path in paths:
            assert olena.get(path).status_code == 403, path
        token = headers["X-CSRF-Token"]
        for path in ("/staff/projects/X1/review", "/staff/projects/X1/hide", "/staff/ballots/1"):
            assert olena.post(path, data={"csrf_token": token}).status_code == 403, path
    natalia, _ = session(portal, "c-natalia-1007")  # a moderator: the queue, not the ballots
    with closing(natalia):
        assert natalia.get("/staff/projects").status_code == 200
        assert natalia.get("/staff/ballots").status_code == 403
        assert natalia.get("/staff/imports").status_code == 403


async def test_an_official_reviews_the_queue_and_an_appeal(portal: Live, review_pool: int) -> None:
    first = submit(portal, review_pool, "Спортмайданчик біля школи №5")
    second = submit(portal, review_pool, HOSTILE_TITLE, subject="c-taras-1002")
    petro, headers = session(portal, "c-petro-1008")
    with closing(petro):
        # English from here on: the language asked for is remembered.
        queue = petro.get("/staff/projects", params={"pool": review_pool, "lang": "en"})
        assert queue.status_code == 200 and len(queue.content) < MAX_HTML
        assert "Спортмайданчик біля школи №5" in queue.text
        # What residents wrote is text: no tag of theirs reaches the page.
        assert "<script>alert" not in queue.text and "<img src=x" not in queue.text
        assert "<svg onload" not in queue.text and "<b>x</b>" not in queue.text
        assert "&lt;script&gt;" in queue.text
        token = headers["X-CSRF-Token"]
        url = f"/staff/projects/{first}/review"
        assert petro.post(url, data={"decision": "feasible"}).status_code == 403  # no token
        early = petro.post(url, data={"csrf_token": token, "decision": "feasible"})
        assert early.status_code == 409
        assert "Projects are reviewed after submission closes" in early.text
        await close_submission()
        no_ground = petro.post(url + "?lang=en", data={"csrf_token": token, "decision": "no"})
        assert no_ground.status_code == 422 and "A rejection names its ground." in no_ground.text
        odd_cost = petro.post(
            url, data={"csrf_token": token, "decision": "feasible", "cost": "9" * 40}
        )
        assert odd_cost.status_code == 422 and "a whole number of hryvnias" in odd_cost.text
        too_dear = petro.post(
            url, data={"csrf_token": token, "decision": "feasible", "cost": "2000000"}
        )
        assert too_dear.status_code == 422 and "1 to 1000000 UAH" in too_dear.text
        assert _api(portal, f"/api/v1/pb/projects/{first}")["status"] == "submitted"
        rejected = petro.post(
            url,
            data={"csrf_token": token, "decision": "infeasible", "code": "over_budget"},
        )
        assert rejected.status_code == 303
        assert "done=rejected" in rejected.headers["location"]
        again = petro.post(url, data={"csrf_token": token, "decision": "feasible"})
        assert again.status_code == 409 and "is not at this step now" in again.text
        approved = petro.post(
            f"/staff/projects/{second}/review",
            data={"csrf_token": token, "decision": "feasible", "cost": "90000"},
        )
        assert approved.status_code == 303
    shown = _api(portal, f"/api/v1/pb/projects/{first}")
    assert shown["status"] == "rejected" and shown["review_code"] == "over_budget"
    assert _api(portal, f"/api/v1/pb/projects/{second}")["cost"] == 90_000

    olena, olena_headers = session(portal, "c-olena-1001")
    with closing(olena):
        appealed = olena.post(
            f"/api/v1/pb/projects/{first}/appeal",
            json={"text": "Вартість у межах пулу: кошторис уточнено після консультації."},
            headers=olena_headers,
        )
        assert appealed.status_code == 200, appealed.text
    petro, headers = session(portal, "c-petro-1008")
    with closing(petro):
        appeals = petro.get("/staff/projects", params={"pool": review_pool, "status": "appealed"})
        assert "кошторис уточнено" in appeals.text and first in appeals.text
        final = petro.post(
            f"/staff/projects/{first}/review",
            data={"csrf_token": headers["X-CSRF-Token"], "decision": "feasible"},
        )
        assert final.status_code == 303
    assert _api(portal, f"/api/v1/pb/projects/{first}")["status"] == "approved"
    trail = _api(portal, f"/api/v1/audit?subject=project:{first}")
    assert [e["action"] for e in trail["items"]][-3:] == ["rejected", "appealed", "approved"]


def test_a_moderator_hides_abuse_but_does_not_review(portal: Live, review_pool: int) -> None:
    code = submit(portal, review_pool, "Реклама магазину біля метро та знижки")
    natalia, headers = session(portal, "c-natalia-1007")
    with closing(natalia):
        token = headers["X-CSRF-Token"]
        queue = natalia.get("/staff/projects", params={"pool": review_pool}).text
        assert f'action="/staff/projects/{code}/hide"' in queue
        assert f'action="/staff/projects/{code}/review"' not in queue  # officials review
        review = natalia.post(
            f"/staff/projects/{code}/review", data={"csrf_token": token, "decision": "feasible"}
        )
        assert review.status_code == 403
        assert natalia.post(f"/staff/projects/{code}/hide", data={"code": "abuse"}).status_code == (
            403
        )
        odd = natalia.post(
            f"/staff/projects/{code}/hide?lang=en", data={"csrf_token": token, "code": "<b>"}
        )
        assert odd.status_code == 422 and "Choose a reason for hiding." in odd.text
        done = natalia.post(
            f"/staff/projects/{code}/hide", data={"csrf_token": token, "code": "advertising"}
        )
        assert done.status_code == 303 and "done=hidden" in done.headers["location"]
    with portal.client() as anonymous:
        assert anonymous.get(f"/api/v1/pb/projects/{code}").status_code == 404


def test_hostile_queries_never_fail_a_staff_page(portal: Live, voting_pool: int) -> None:
    petro, _ = session(portal, "c-petro-1008")
    hostile = ["'\"><script>", "[" * 5000, "x" * 10_000, "%", "-1", "³", "9" * 40]
    with closing(petro):
        for path in ("/staff/projects", "/staff/ballots", "/staff/imports"):
            for value in hostile:
                for name in ("pool", "status", "cursor"):
                    answer = petro.get(path, params={name: value})
                    assert answer.status_code < 500, (path, name, value[:20], answer.text[:200])
                    assert "<script>" not in answer.text.split("<main", 1)[-1]
        assert petro.get("/staff/projects", params={"pool": 999_999}).status_code == 404
        for segment in ("x" * 40, "%00", "<script>"):
            assert petro.get(f"/budget/projects/{segment}").status_code < 500


def test_a_paper_ballot_is_entered_once_with_its_receipt(portal: Live, voting_pool: int) -> None:
    petro, headers = session(portal, "c-petro-1008")
    url = f"/staff/ballots/{voting_pool}"
    with closing(petro):
        page = petro.get("/staff/ballots")
        assert page.status_code == 200 and 'name="tax_id"' in page.text
        assert "Сквер біля школи" in page.text
        token = headers["X-CSRF-Token"]
        form = {"csrf_token": token, "tax_id": ADULT, "projects": ["B1", "B3"]}
        assert petro.post(url, data={**form, "csrf_token": ""}).status_code == 403
        wrong = petro.post(
            url, data={**form, "tax_id": ADULT[:-1] + str((int(ADULT[-1]) + 1) % 10)}
        )
        assert wrong.status_code == 422 and "контрольною цифрою" in wrong.text
        assert ADULT[:-1] not in wrong.text  # the number typed is not shown again
        child = petro.post(url, data={**form, "tax_id": tax_id(dt.date.today().replace(day=1))})
        assert child.status_code == 403 and "з 16 років" in child.text
        over = petro.post(url + "?lang=en", data={**form, "projects": ["B1", "B2"]})
        assert over.status_code == 422 and "more than the pool" in over.text
        assert 'value="B1" checked' in over.text  # the picks stay as entered
        outside = petro.post(url, data={**form, "projects": ["B1", '"><script>']})
        assert outside.status_code == 422 and "<script>" not in outside.text.split("<main")[1]
        done = petro.post(url, data=form)
        assert done.status_code == 200, done.text[:400]
        receipt = re.search(r'<code class="receipt-code">([^<]+)</code>', done.text)
        assert receipt and "B1, B3" in done.text
        twice = petro.post(url, data=form)
        assert twice.status_code == 409 and "already voted" in twice.text
    assert _api(portal, f"/api/v1/pb/pools/{voting_pool}")["turnout"] == 1


def test_a_paper_ballot_is_refused_after_voting_online(portal: Live, voting_pool: int) -> None:
    from hromada.devidp.people import demo_people

    iryna = next(p for p in demo_people(portal.settings.demo_seed) if p.key == "iryna")
    client, headers = session(portal, "c-iryna-1003")
    with closing(client):
        cast = client.post(
            f"/api/v1/pb/pools/{voting_pool}/ballot", json={"projects": ["B3"]}, headers=headers
        )
        assert cast.status_code == 200, cast.text
    petro, staff = session(portal, "c-petro-1008")
    with closing(petro):
        refused = petro.post(
            f"/staff/ballots/{voting_pool}?lang=en",
            data={"csrf_token": staff["X-CSRF-Token"], "tax_id": iryna.tax_id, "projects": "B1"},
        )
        assert refused.status_code == 409 and "already voted" in refused.text
    ballots = _api(portal, f"/api/v1/pb/pools/{voting_pool}")
    assert ballots["turnout"] == 1


IMPORT_HEADER = "id,received_at,channel,category,district,address,text,status\n"


def _appeals_csv(*rows: str) -> bytes:
    return (IMPORT_HEADER + "".join(row + "\n" for row in rows)).encode()


GOOD_ROW = (
    "W-1,2026-11-02T09:00:00+00:00,телефон,Не працює ліфт,Шевченківський,"
    'вул. Сумська 12,"Не працює ліфт <script>alert(1)</script> у під’їзді",registered'
)


def _upload(client: httpx.Client, fields: dict[str, str], body: bytes) -> httpx.Response:
    # httpx sends the plain fields first, in order, then the file.
    return client.post(
        "/staff/imports/appeals", data=fields, files={"file": ("appeals.csv", body, "text/csv")}
    )


def test_an_official_imports_appeals_and_reads_the_report(portal: Live) -> None:
    before = _api(portal, "/api/v1/appeals?limit=1")
    petro, _ = session(portal, "c-petro-1008")
    with closing(petro):
        token = _token(petro, "/staff/imports")
        page = petro.get("/staff/imports").text
        assert 'enctype="multipart/form-data"' in page
        form = page.split('action="/staff/imports/appeals"')[1]
        assert form.index('name="csrf_token"') < form.index('type="file"')
        good = _appeals_csv(GOOD_ROW)
        # The token is the form's first part, or the form is refused unread.
        assert _upload(petro, {}, good).status_code == 403
        assert _upload(petro, {"csrf_token": "0" * 64}, good).status_code == 403
        assert _upload(petro, {"format": "csv", "csrf_token": token}, good).status_code == 403
        padded = {"csrf_token": token + "0" * 5000}
        assert _upload(petro, padded, good).status_code == 403
        bad = _appeals_csv(GOOD_ROW, "W-2,not-a-date,телефон,Ліфт,Шевченківський,вул. А,Текст,x")
        refused = _upload(petro, {"csrf_token": token}, bad)
        assert refused.status_code == 422, refused.text[-500:]
        assert "<td>3</td>" in refused.text  # the bad row, by its line in the file
        odd = _upload(petro, {"csrf_token": token, "format": "<script>"}, good)
        assert odd.status_code == 422 and "<script>" not in odd.text.split("<main")[1]
        extra = _upload(petro, {"csrf_token": token, "who": "x"}, good)
        assert extra.status_code == 422
        assert _api(portal, "/api/v1/appeals?limit=1") == before  # nothing was written
        done = _upload(petro, {"csrf_token": token, "format": "csv"}, good)
        assert done.status_code == 200, done.text[-800:]
        assert "Імпорт виконано" in done.text and "<script>alert" not in done.text
        listed = petro.get("/staff/imports").text
        assert re.search(r'href="/data/appeals">appeals</a>', listed)
    natalia, headers = session(portal, "c-natalia-1007")
    with closing(natalia):  # a moderator may not import
        denied = _upload(natalia, {"csrf_token": headers["X-CSRF-Token"]}, good)
        assert denied.status_code == 403


def test_the_review_queue_is_paged_and_small_with_the_longest_projects(
    portal: Live, review_pool: int
) -> None:
    longest = {
        "title": "Т" * 200,
        "description": ("Дуже довгий опис проєкту для перевірки розміру сторінки. " * 200)[:10_000],
        "category": "К" * 100,
        "costs": [{"item": "Позиція кошторису " + "ж" * 150, "cost": 1_000} for _ in range(30)],
    }
    codes = []
    for subject, count in (("c-olena-1001", 5), ("c-taras-1002", 5), ("c-iryna-1003", 1)):
        client, csrf = session(portal, subject)
        with closing(client):
            for _ in range(count):
                made = client.post(
                    f"/api/v1/pb/pools/{review_pool}/projects", json=longest, headers=csrf
                )
                assert made.status_code == 201, made.text
                codes.append(made.json()["code"])
    petro, _ = session(portal, "c-petro-1008")
    with closing(petro):
        first = petro.get("/staff/projects", params={"pool": review_pool})
        assert first.status_code == 200 and len(first.content) < MAX_HTML, len(first.content)
        shown = re.findall(r'<article class="moderation" id="project-([^"]+)"', first.text)
        assert shown == sorted(codes)[:10]
        following = re.search(r'rel="next" href="([^"]+)"', first.text)
        assert following
        rest = petro.get(following.group(1).replace("&amp;", "&"))
        assert re.findall(r'id="project-([^"]+)"', rest.text) == sorted(codes)[10:]
        assert 'rel="next"' not in rest.text


def test_concurrent_paper_ballots_for_one_person_count_once(portal: Live, voting_pool: int) -> None:
    petro, headers = session(portal, "c-petro-1008")
    form = {"csrf_token": headers["X-CSRF-Token"], "tax_id": ADULT, "projects": ["B3"]}
    with closing(petro), concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: petro.post(f"/staff/ballots/{voting_pool}", data=form), range(8))
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    assert _api(portal, f"/api/v1/pb/pools/{voting_pool}")["turnout"] == 1
