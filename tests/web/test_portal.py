"""The portal's pages over real HTTP: what they show is what the API answers, in both
languages, bounded in size, escaped, and every form guarded by the session's CSRF token."""

from __future__ import annotations

import re
import urllib.parse
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from tests.auth.conftest import Live
from tests.web.conftest import NEW_PETITION, published_petition, session

from hromada.auth.permissions import ROLES
from hromada.jobs.service import STATES as JOB_STATES
from hromada.participation.budgeting.projects import HIDE_CODES, REVIEW_CODES
from hromada.participation.petitions.rules import ANSWER_KINDS, STATES
from hromada.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
MAX_HTML = 100 * 1024


def _pages(petition: int) -> list[str]:
    return [
        "/",
        "/data",
        "/data/appeals",
        "/dashboard",
        "/petitions",
        f"/petitions/{petition}",
        "/me",
    ]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_page_is_html_in_both_languages_and_small(portal: Live, lang: str) -> None:
    petition = published_petition(portal)
    with portal.client() as client:
        for path in _pages(petition):
            page = client.get(path, params={"lang": lang})
            assert page.status_code == 200, (path, page.text[:300])
            assert page.headers["content-type"].startswith("text/html")
            assert f'<html lang="{lang}">' in page.text
            assert len(page.content) < MAX_HTML, (path, len(page.content))
            policy = page.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy
            assert "frame-ancestors 'none'" in policy
            assert page.headers["x-content-type-options"] == "nosniff"
            # Every text came from the catalogue: no key shows as itself.
            shown = re.findall(
                r">\s*((?:nav|site|home|catalogue|dataset|dashboard|petitions?|"
                r"me|state|theme|role|error|list|footer)\.[a-z_A-Z0-9]+)\s*<",
                page.text,
            )
            assert shown == [], (path, shown)
    english = portal.client().get("/data", params={"lang": "en"}).text
    ukrainian = portal.client().get("/data", params={"lang": "uk"}).text
    assert "Datasets" in english and "Набори даних" in ukrainian


def test_both_catalogues_hold_every_key_the_templates_use() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""", template.read_text()))
    used |= {f"state.{s}" for s in STATES} | {f"role.{r}" for r in ROLES}
    used |= {f"error.{n}" for n in (401, 403, 404, 409, 422, 429, 503)}
    used |= {f"language.{code}" for code in i18n.LANGUAGES}
    used |= {f"answer.{kind}" for kind in ANSWER_KINDS}
    used |= {f"phase.{phase}" for phase in ("upcoming", "voting", "closed")}
    used |= {f"review_code.{code}" for code in REVIEW_CODES}
    used |= {f"hide_code.{code}" for code in HIDE_CODES}
    used |= {f"job_state.{state}" for state in JOB_STATES}
    used |= {f"project_done.{done}" for done in ("feasible", "rejected", "hidden")}
    assert len(used) > 100
    for lang in i18n.LANGUAGES:
        missing = sorted(used - set(i18n.catalogue(lang)))
        assert missing == [], (lang, missing)
    assert set(i18n.catalogue("uk")) == set(i18n.catalogue("en"))


def test_dataset_themes_all_have_names(portal: Live) -> None:
    themes = {
        theme
        for d in portal.client().get("/api/v1/datasets", params={"limit": 500}).json()["items"]
        for theme in d["themes"]
    }
    for lang in i18n.LANGUAGES:
        assert {f"theme.{t}" for t in themes} <= set(i18n.catalogue(lang))


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def test_pages_show_what_the_api_answers(portal: Live) -> None:
    petition = published_petition(portal)
    with portal.client() as client:
        total = client.get("/api/v1/datasets").json()["total"]
        assert f"Datasets found: {total}" in client.get("/data", params={"lang": "en"}).text

        stats = client.get("/api/v1/appeals/stats", params={"group_by": "month"}).json()
        dashboard = client.get("/dashboard", params={"lang": "en"}).text
        assert f"<strong>{_number(stats['total']['count'])}</strong> appeals" in dashboard
        assert f"<strong>{_number(stats['total']['overdue'])}</strong> overdue now" in dashboard
        by_district = client.get("/api/v1/appeals/stats", params={"group_by": "district"}).json()
        for group in by_district["groups"]:
            assert group["names"]["district"] in dashboard

        appeals = client.get("/api/v1/datasets/appeals").json()["latest_version"]
        page = client.get("/data/appeals", params={"lang": "en"}).text
        assert f"{_number(appeals['row_count'])} rows" in page
        for file in appeals["files"]:
            assert f'href="{file["url"]}"' in page
        ckan = client.get("/api/3/action/package_show", params={"id": "appeals"}).json()
        assert ckan["success"] and "datastore_search?resource_id=" in page

        shown = client.get(f"/petitions/{petition}", params={"lang": "en"}).text
        assert "0 of 2 signatures" in shown


def test_the_dataset_preview_searches_the_rows(portal: Live) -> None:
    with portal.client() as client:
        everything = client.get("/data/appeals", params={"lang": "en"}).text
        assert re.search(r"Showing 20 of [\d\u202f]+ rows", everything)
        nothing = client.get("/data/appeals", params={"lang": "en", "q": "zzzqqqxxx"}).text
        assert "Showing 0 of 0 rows." in nothing


def test_the_language_is_remembered(portal: Live) -> None:
    with portal.client() as client:
        assert '<html lang="en">' in client.get("/petitions", params={"lang": "en"}).text
        assert '<html lang="en">' in client.get("/petitions").text  # the cookie
        assert '<html lang="uk">' in client.get("/petitions", params={"lang": "uk"}).text
    fresh = httpx.get(f"{portal.url}/petitions", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in fresh.text
    bogus = httpx.get(f"{portal.url}/petitions", params={"lang": "xx"})
    assert '<html lang="uk">' in bogus.text  # Ukrainian first


def test_static_files_are_named_by_content_and_cached(portal: Live) -> None:
    with portal.client() as client:
        href = re.search(r'href="(/static/portal\.[0-9a-f]{10}\.css)"', client.get("/").text)
        assert href
        css = client.get(href.group(1))
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "immutable" in css.headers["cache-control"]
        assert client.get("/static/portal.0000000000.css").status_code == 404
        assert client.get("/static/..%2f..%2fpyproject.toml").status_code == 404


def test_leaflet_is_served_from_here_under_hashed_names(portal: Live) -> None:
    vendored = Path(i18n.__file__).parent / "static" / "vendor" / "leaflet"
    with portal.client() as client:
        page = client.get("/dashboard")
        policy = page.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self';" in policy
        # The basemap's host, from HROMADA_MAP_TILES, and nothing else new.
        assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
        assert not re.search(r"https?://(?!tile\.openstreetmap\.org;)", policy)
        urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        leaflet = [u for u in urls if re.fullmatch(r"/static/leaflet\.[0-9a-f]{10}\.js", u)]
        assert len(leaflet) == 1 and any(
            re.search(r"/static/map\.[0-9a-f]{10}\.js", u) for u in urls
        )
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page.text)  # no CDN
        script = client.get(leaflet[0])
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert script.content == (vendored / "leaflet.js").read_bytes()
        assert "Leaflet 1.9.4" in script.text[:200]
        css_url = next(u for u in urls if re.fullmatch(r"/static/leaflet\.[0-9a-f]{10}\.css", u))
        css = client.get(css_url).text
        # Its images under their own hashed names, each served as an image.
        images = re.findall(r"url\((/static/[^)]+)\)", css)
        assert len(images) == 3 and "url(images/" not in css
        for image in images:
            served = client.get(image)
            assert served.status_code == 200 and served.headers["content-type"] == "image/png"
            assert "immutable" in served.headers["cache-control"]
            assert served.content.startswith(b"\x89PNG")
        assert client.get("/static/leaflet.0000000000.js").status_code == 404
        assert client.get("/static/vendor%2fleaflet%2fleaflet.js").status_code == 404
        assert client.get("/static/LICENSE").status_code == 404


def test_vendored_portal_assets_are_listed_with_licences() -> None:
    vendor = Path(i18n.__file__).parent / "static" / "vendor"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    directories = sorted(p for p in vendor.iterdir() if p.is_dir())
    assert [d.name for d in directories] == ["leaflet", "uplot"]
    for directory in directories:
        assert f"| {directory.name}/ |" in readme, directory.name
        assert (directory / "LICENSE").is_file(), directory.name


def test_a_page_without_a_map_script_loads_no_map(portal: Live) -> None:
    with portal.client() as client:
        for path in ("/", "/data", "/petitions"):
            assert "leaflet" not in client.get(path).text, path


def test_the_policy_names_the_configured_tile_host_only() -> None:
    from hromada.config import Settings
    from hromada.web.render import CONTENT_SECURITY_POLICY, content_security_policy

    assert "img-src 'self' data:;" in CONTENT_SECURITY_POLICY
    assert content_security_policy(Settings(map_tiles="").map_tile_origin) == (
        CONTENT_SECURITY_POLICY
    )
    other = Settings(map_tiles="https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png")
    policy = content_security_policy(other.map_tile_origin)
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
    assert policy.replace(" https://*.tiles.example.org", "") == CONTENT_SECURITY_POLICY


def _sign_form(client: httpx.Client, petition: int) -> str:
    page = client.get(f"/petitions/{petition}").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token, "a logged-in resident sees the sign form"
    return token.group(1)


def test_forms_need_the_sessions_csrf_token(portal: Live) -> None:
    petition = published_petition(portal)
    taras, _ = session(portal, "c-taras-1002")
    with closing(taras):
        token = _sign_form(taras, petition)
        sign = f"/petitions/{petition}/sign"
        assert taras.post(sign).status_code == 403
        assert taras.post(sign, data={"csrf_token": "0" * 64}).status_code == 403
        flood = {f"f{i}": "x" for i in range(200)} | {"csrf_token": token}
        assert taras.post(sign, data=flood).status_code == 403  # more fields than a form has
        huge = {"csrf_token": token, "pad": "x" * 70_000}
        assert taras.post(sign, data=huge).status_code == 403  # a bigger body is not read
        foreign = taras.post(
            sign, data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        assert portal.client().get(f"/api/v1/petitions/{petition}").json()["signatures"] == 0

        first = taras.post(sign, data={"csrf_token": token})
        assert first.status_code == 303
        assert first.headers["location"] == f"/petitions/{petition}?signed=new#sign"
        again = taras.post(sign, data={"csrf_token": token})
        assert again.headers["location"] == f"/petitions/{petition}?signed=again#sign"
        assert portal.client().get(f"/api/v1/petitions/{petition}").json()["signatures"] == 1

        out = taras.post("/logout", data={"csrf_token": token})
        assert out.status_code == 303
        assert taras.get("/api/v1/me").status_code == 401
    anonymous = portal.client().post(f"/petitions/{petition}/sign", data={"csrf_token": "x"})
    assert anonymous.status_code == 401 and "text/html" in anonymous.headers["content-type"]


def test_what_users_write_is_escaped(portal: Live) -> None:
    hostile = {
        "title": 'Петиція <script>alert("title")</script> про "><img src=x onerror=alert(1)>',
        "text": "Просимо розглянути </textarea><svg onload=alert(2)> і <b>жирне</b> та "
        "{{ 7*7 }} {% raw %} ${7*7} — усе це лише текст петиції, а не розмітка сторінки.",
        "district": "shevchenkivskyi",
    }
    petition = published_petition(portal, hostile)
    with portal.client() as client:
        for path in (f"/petitions/{petition}", "/petitions", "/"):
            page = client.get(path).text
            assert "<script>alert" not in page and "<img src=x" not in page, path
            assert "<svg onload" not in page and "<b>жирне</b>" not in page, path
        detail = client.get(f"/petitions/{petition}").text
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in detail
        assert "{{ 7*7 }}" in detail and "49" not in detail.split("<main", 1)[1].split("</h1>")[0]


HOSTILE = ["'\"><script>", "[" * 5000, "x" * 10_000, "%", "\x00", "9" * 40, "-1", "³"]


def test_no_hostile_value_makes_a_page_fail(portal: Live) -> None:
    petition = published_petition(portal)
    params = ["q", "theme", "format", "cursor", "status", "lang", "signed", "next"]
    with portal.client() as client:
        extra = ["/data/nope", "/petitions/99999999999", "/budget", "/staff/petitions"]
        for path in [*_pages(petition), *extra]:
            for value in HOSTILE:
                for name in params:
                    answer = client.get(path, params={name: value})
                    assert answer.status_code < 500, (path, name, value[:20], answer.text[:200])
        for value in HOSTILE:
            segment = urllib.parse.quote(value[:200], safe="")
            assert client.get(f"/data/{segment}").status_code < 500
            assert client.get(f"/petitions/{segment}").status_code < 500


def test_unknown_things_are_html_pages(portal: Live) -> None:
    with portal.client() as client:
        for path in ("/data/no-such-dataset", "/petitions/987654"):
            page = client.get(path, params={"lang": "en"})
            assert page.status_code == 404
            assert page.headers["content-type"].startswith("text/html")
            assert "Page not found" in page.text


def test_a_ballot_is_refused_with_its_reason_then_cast_then_changed(
    portal: Live, voting_pool: int
) -> None:
    taras, _ = session(portal, "c-taras-1002")
    with closing(taras):
        page = taras.get(f"/budget/pools/{voting_pool}", params={"lang": "en"}).text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert token and page.count('name="projects"') == 3
        url = f"/budget/pools/{voting_pool}/ballot"
        too_dear = taras.post(url, data={"csrf_token": token.group(1), "projects": ["B1", "B2"]})
        assert too_dear.status_code == 422
        assert "more than the pool" in too_dear.text
        assert too_dear.text.count("checked") == 2  # the ballot as picked, to correct
        assert taras.get(f"/api/v1/pb/pools/{voting_pool}/ballot").status_code == 404

        cast = taras.post(url, data={"csrf_token": token.group(1), "projects": ["B1", "B3"]})
        assert cast.status_code == 303
        assert cast.headers["location"] == f"/budget/pools/{voting_pool}?cast=1#ballot"
        shown = taras.get(f"/budget/pools/{voting_pool}?cast=1&lang=en").text
        mine = taras.get(f"/api/v1/pb/pools/{voting_pool}/ballot").json()
        assert mine["projects"] == ["B1", "B3"]
        assert mine["receipt"] in shown and "Your ballot has been counted" in shown

        changed = taras.post(url, data={"csrf_token": token.group(1), "projects": "B2"})
        assert changed.status_code == 303
        again = taras.get(f"/api/v1/pb/pools/{voting_pool}/ballot").json()
        assert again["projects"] == ["B2"] and again["receipt"] == mine["receipt"]
        assert taras.post(url, data={"projects": "B3"}).status_code == 403  # no token
        assert (
            taras.post(url, data={"csrf_token": token.group(1), "projects": "<b>"}).status_code
            == 422
        )
    with portal.client() as anonymous:
        page = anonymous.get(f"/budget/pools/{voting_pool}", params={"lang": "en"}).text
        assert "Log in to vote" in page and 'name="projects"' not in page
        assert anonymous.get("/budget", params={"lang": "en"}).status_code == 200


def test_a_cumulative_ballot_takes_points_per_project_without_javascript(
    portal: Live, points_pool: int
) -> None:
    taras, _ = session(portal, "c-taras-1002")
    url = f"/budget/pools/{points_pool}/ballot"
    with closing(taras):
        page = taras.get(f"/budget/pools/{points_pool}", params={"lang": "en"}).text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert token and 'name="projects"' not in page
        assert page.count('type="number"') == 3 and 'name="points-P1"' in page
        assert "Spread up to 10 points" in page
        csrf = token.group(1)
        for form, reason in (
            # The reasons as the English catalogue words them (tests/web/test_error_messages).
            ({"points-P1": "6", "points-P2": "6"}, "12 points given, but each voter has 10"),
            ({"points-P1": "7"}, "takes from 1 to 6 points"),
            ({"points-P1": "2.5"}, "are a whole number"),
            ({"points-P1": "-1"}, "are a whole number"),
            ({"points-P1": "9" * 40}, "takes from 1 to 6 points"),
            ({"points-P1": "", "points-P2": "0"}, "cumulative vote"),
            ({"points-ZZ": "1"}, "not a project on this pool"),
        ):
            refused = taras.post(url, data={"csrf_token": csrf, **form})
            assert refused.status_code == 422, form
            assert reason in refused.text, form
            shown = next(iter(v for v in form.values() if v not in ("", "0")), None)
            if shown and len(shown) < 20 and "points-ZZ" not in form:  # as typed, to correct
                assert f'value="{shown}"' in refused.text, form
        assert taras.get(f"/api/v1/pb/pools/{points_pool}/ballot").status_code == 404

        cast = taras.post(url, data={"csrf_token": csrf, "points-P1": "6", "points-P3": "4"})
        assert cast.status_code == 303
        mine = taras.get(f"/api/v1/pb/pools/{points_pool}/ballot").json()
        assert (mine["projects"], mine["points"]) == (["P1", "P3"], [6, 4])
        shown = taras.get(f"/budget/pools/{points_pool}?cast=1&lang=en").text
        assert mine["receipt"] in shown and "Points given: 10 of 10" in shown
        assert 'name="points-P1" min="0" max="6"' in shown and 'value="6"' in shown
        changed = taras.post(
            url, data={"csrf_token": csrf, "points-P1": "0", "points-P2": "5", "points-P3": "4"}
        )
        assert changed.status_code == 303  # 0 takes P1 off the ballot
        again = taras.get(f"/api/v1/pb/pools/{points_pool}/ballot").json()
        assert (again["projects"], again["points"]) == (["P2", "P3"], [5, 4])
        assert again["receipt"] == mine["receipt"]


def test_moderation_forms_need_staff_a_ground_and_the_token(portal: Live) -> None:
    olena, headers = session(portal, "c-olena-1001")
    with closing(olena):
        number = olena.post("/api/v1/petitions", json=NEW_PETITION, headers=headers).json()["id"]
        assert olena.post(f"/api/v1/petitions/{number}/submit", headers=headers).status_code == 200
        token = headers["X-CSRF-Token"]
        url = f"/staff/petitions/{number}/moderation"
        refused = olena.post(url, data={"csrf_token": token, "decision": "publish"})
        assert refused.status_code == 403  # a resident is not staff
    natalia, staff = session(portal, "c-natalia-1007")
    with closing(natalia):
        token = staff["X-CSRF-Token"]
        queue = natalia.get("/staff/petitions", params={"lang": "en"}).text
        assert NEW_PETITION["title"] in queue and 'name="code"' in queue
        assert natalia.post(url, data={"decision": "publish"}).status_code == 403  # no token
        no_ground = natalia.post(url, data={"csrf_token": token, "decision": "reject"})
        assert no_ground.status_code == 422 and "a rejection needs a code" in no_ground.text
        odd = natalia.post(url, data={"csrf_token": token, "decision": "<script>"})
        assert odd.status_code == 422 and "<script>" not in odd.text
        done = natalia.post(
            url, data={"csrf_token": token, "decision": "reject", "code": "duplicate"}
        )
        assert done.status_code == 303
        twice = natalia.post(url, data={"csrf_token": token, "decision": "publish"})
        assert twice.status_code == 409  # no longer in moderation
    shown = portal.client().get(f"/api/v1/petitions/{number}").json()
    assert shown["state"] == "rejected" and shown["rejection"]["code"] == "duplicate"


def test_a_resident_writes_a_petition_and_it_waits_for_moderation(portal: Live) -> None:
    with portal.client() as anonymous:
        assert anonymous.get("/petitions/new").status_code == 401
    iryna, headers = session(portal, "c-iryna-1003")
    token = headers["X-CSRF-Token"]
    with closing(iryna):
        form = iryna.get("/petitions/new", params={"title": "Велодоріжка", "lang": "en"})
        assert form.status_code == 200 and 'value="Велодоріжка"' in form.text
        assert iryna.get("/petitions/new", params={"title": " a "}).status_code == 200
        short = iryna.post(
            "/petitions/new", data={"csrf_token": token, "title": "Лавки", "text": "Треба."}
        )
        assert short.status_code == 422 and "Треба." in short.text  # kept, with the reason
        assert iryna.post("/petitions/new", data=NEW_PETITION).status_code == 403  # no token
        made = iryna.post("/petitions/new", data={"csrf_token": token, **NEW_PETITION})
        assert made.status_code == 303
        number = int(made.headers["location"].rsplit("/", 1)[1])
        mine = iryna.get(f"/petitions/{number}", params={"lang": "en"}).text
        assert "in moderation" in mine and NEW_PETITION["title"] in mine
    with portal.client() as anonymous:
        assert anonymous.get(f"/petitions/{number}").status_code == 404  # not public yet
    natalia, _ = session(portal, "c-natalia-1007")
    with closing(natalia):
        queue = natalia.get("/api/v1/petitions/moderation").json()["items"]
        assert [p["id"] for p in queue] == [number]
        assert natalia.get("/api/v1/petitions/mine").json()["items"] == []  # only the author's
    iryna, _ = session(portal, "c-iryna-1003")
    with closing(iryna):
        mine = iryna.get("/petitions/mine", params={"lang": "en"}).text
        assert NEW_PETITION["title"] in mine and "in moderation" in mine
        listed = iryna.get("/api/v1/petitions/mine").json()["items"]
        assert [(p["id"], p["state"]) for p in listed] == [(number, "moderation")]
    with portal.client() as anonymous:
        assert anonymous.get("/petitions/mine").status_code == 401
        assert anonymous.get("/api/v1/petitions/mine").status_code == 401


def test_api_keys_are_made_shown_once_used_and_revoked(portal: Live) -> None:
    with portal.client() as anonymous:
        assert anonymous.get("/me/api-keys").status_code == 401
    taras, headers = session(portal, "c-taras-1002")
    token = headers["X-CSRF-Token"]
    with closing(taras):
        made = taras.post("/me/api-keys", data={"csrf_token": token, "name": "<моя програма>"})
        assert made.status_code == 200
        key = re.search(r'<code class="receipt-code">([^<]+)</code>', made.text)
        assert key and "&lt;моя програма&gt;" in made.text
        listed = taras.get("/me/api-keys").text
        assert key.group(1) not in listed  # shown once, never again
        with portal.client() as program:
            me = program.get("/api/v1/me", headers={"X-API-Key": key.group(1)})
            assert me.status_code == 200 and me.json()["authenticated_by"] == "api_key"
        key_id = re.search(r'action="/me/api-keys/(\d+)/revoke"', listed)
        assert key_id
        gone = taras.post(f"/me/api-keys/{key_id.group(1)}/revoke", data={"csrf_token": token})
        assert gone.status_code == 303
        with portal.client() as program:
            assert program.get("/api/v1/me", headers={"X-API-Key": key.group(1)}).status_code == 401
        assert taras.post("/me/api-keys", data={"csrf_token": token, "name": ""}).status_code == 422


def test_a_dead_link_is_the_portals_page_for_a_browser_and_problem_json_for_a_client(
    portal: Live,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    with portal.client() as client:
        page = client.get("/no/such/page", headers={**browser, "Accept-Language": "en"})
        assert page.status_code == 404 and "Page not found" in page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "content-security-policy" in page.headers
        api = client.get("/api/v1/no-such-thing", headers=browser)
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/problem+json")
        plain = client.get("/no/such/page")
        assert plain.headers["content-type"].startswith("application/problem+json")


def test_the_density_map_counts_public_appeals_in_cells_of_at_least_k(portal: Live) -> None:
    with portal.client() as client:
        density = client.get("/api/v1/appeals/density").json()
        assert density["counts"] == "public appeals only" and density["cells"]
        assert all(c["count"] >= density["k"] for c in density["cells"])
        public = client.get("/api/v1/appeals/stats", params={"group_by": "month"}).json()
        placed = sum(c["count"] for c in density["cells"])
        assert placed <= public["total"]["count"]  # confidential appeals have no place
        assert client.get("/api/v1/appeals/density", params={"cell": "0.3"}).status_code == 422
        coarse = client.get("/api/v1/appeals/density", params={"cell": "0.02"}).json()
        assert len(coarse["cells"]) <= len(density["cells"]) + density["suppressed_cells"]
        page = client.get("/dashboard", params={"lang": "en"}).text
        assert page.count("<rect ") == len(density["cells"])
        biggest = max(density["cells"], key=lambda c: c["count"])
        assert f"Cell {biggest['lat']}, {biggest['lon']}: {biggest['count']} appeals" in page


async def test_the_dashboard_shows_heating_from_the_registries(portal: Live) -> None:
    from hromada.open_data.registries import importing
    from hromada.open_data.registries.kinds import SOCIAL_FACILITIES

    raws = [
        (1, {"id": "s1", "name": "Школа № 1", "kind": "school", "heating": "connected"}, None),
        (
            2,
            {
                "id": "s2",
                "name": "Садочок «Сонечко»",
                "kind": "kindergarten",
                "heating": "disconnected",
                "heating_since": "2026-12-01",
                "heating_reason": "аварія на тепломережі",
            },
            None,
        ),
        (3, {"id": "s3", "name": "Поліклініка № 2", "kind": "clinic", "heating": "partial"}, None),
    ]
    report = await importing.import_records(SOCIAL_FACILITIES, raws, fmt="test", k=5)
    assert report.applied, report
    async with httpx.AsyncClient(base_url=portal.url) as client:
        page = (await client.get("/dashboard", params={"lang": "en"})).text
    assert "Heating: Social facilities" in page
    for count, label in ((1, "heated"), (1, "partly heated"), (1, "disconnected")):
        assert f"<strong>{count}</strong> {label}" in page
    assert "Садочок «Сонечко»" in page and "аварія на тепломережі" in page
    assert "Школа № 1</th>" not in page  # only the disconnected are listed
    assert "Heating: Building e-passports" not in page  # no passports: no section


def test_static_names_must_be_unique_and_stylesheets_link_hashed_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hromada.web import assets

    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "dot.png").write_bytes(b"\x89PNG one")
    (tmp_path / "site.css").write_text(
        'a { background: url("img/dot.png") } b { background: url(data:x) } '
        "i { background: url(img/missing.png) }"
    )
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    assets._assets.cache_clear()
    try:
        dot = assets.url("dot.png")
        css = assets._assets()["site.css"]
        assert re.fullmatch(r"/static/dot\.[0-9a-f]{10}\.png", dot)
        assert f"url({dot})" in css.body.decode()
        assert "url(data:x)" in css.body.decode() and "url(img/missing.png)" in css.body.decode()
        # A new image is a new stylesheet name too.
        before = css.hashed
        (tmp_path / "img" / "dot.png").write_bytes(b"\x89PNG two")
        assets._assets.cache_clear()
        assert assets._assets()["site.css"].hashed != before
        (tmp_path / "dot.png").write_bytes(b"\x89PNG three")
        assets._assets.cache_clear()
        with pytest.raises(RuntimeError, match=r"share a name: dot\.png"):
            assets._assets()
    finally:
        monkeypatch.undo()
        assets._assets.cache_clear()
        assets.by_hashed_name.cache_clear()
