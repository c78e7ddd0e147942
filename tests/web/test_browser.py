"""The portal in a real browser: Debian's Chromium driven by Playwright.

Journeys a journalist and a resident take (with JavaScript on and off: every page and
form works without it), axe-core on every page type with no serious or critical
violation, every page type fitting a 360 px screen, and markup a user wrote never
running. Screenshots of each page type at 1280 and 360 px are written to
``HROMADA_TEST_ARTIFACTS`` (default ``var/test-artifacts``).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live
from tests.web.conftest import NEW_PETITION, published_petition, session

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("HROMADA_TEST_ARTIFACTS", "var/test-artifacts")) / "screenshots"
WIDTHS = (1280, 360)


# A 1×1 PNG the tests answer for the basemap's tile server: the suite needs no internet, and
# the browser still asks the configured host (so the page's policy must allow it).
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
TILE_SERVER = "https://tile.openstreetmap.org/"


def _chromium() -> str | None:
    return os.environ.get("HROMADA_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # The asynchronous API: the synchronous one keeps a loop of its own running, which the
    # suite's asyncio fixtures cannot share.
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


async def _context(browser: Any, *, javascript: bool = True, width: int = 1280, **kw: Any) -> Any:
    context = await browser.new_context(
        java_script_enabled=javascript,
        locale="uk-UA",
        viewport={"width": width, "height": 900},
        accept_downloads=True,
        **kw,
    )
    context.set_default_timeout(15_000)
    # No test asks the real tile server for anything.
    await context.route(TILE_SERVER + "**", _tile)
    return context


async def _tile(route: Any) -> None:
    await route.fulfill(body=TILE, content_type="image/png")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_journalist_finds_the_appeals_and_downloads_the_csv(
    portal: Live, browser: Any, javascript: bool
) -> None:
    context = await _context(browser, javascript=javascript)
    page = await context.new_page()
    await page.goto(portal.url + "/")
    await page.get_by_role("navigation").get_by_role("link", name="Дані").click()
    await page.get_by_label("Пошук наборів даних").fill("звернення")
    await page.get_by_role("button", name="Знайти").first.click()
    assert "q=%D0%B7" in page.url
    await page.locator('.results a[href="/data/appeals"]').click()
    assert (await page.locator("h1").inner_text()).startswith("Звернення")
    async with page.expect_download() as download:
        await page.locator(".downloads").get_by_role("link", name="CSV").click()
    saved = await (await download.value).path()
    body = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
    await context.close()

    async with httpx.AsyncClient(base_url=portal.url) as client:
        latest = (await client.get("/api/v1/datasets/appeals")).json()
    rows = list(csv.reader(io.StringIO(body)))
    names = [f["name"] for f in latest["schema"]["fields"]]
    assert rows[0] == names
    assert len(rows) - 1 == latest["latest_version"]["row_count"] > 0


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_resident_logs_in_and_signs_once(
    portal: Live, browser: Any, javascript: bool
) -> None:
    petition = published_petition(portal)
    context = await _context(browser, javascript=javascript)
    page = await context.new_page()
    await page.goto(f"{portal.url}/petitions/{petition}")
    assert (await page.get_by_text("0 з 2 підписів").count()) == 1
    await page.get_by_role("link", name="Увійдіть, щоб підписати").click()
    await page.locator("a.button").first.click()  # the city's identity provider
    await page.get_by_role("button", name="Мельник Ірина").click()  # the provider's own page
    await page.wait_for_url(f"{portal.url}/petitions/{petition}")
    await page.get_by_role("button", name="Підписати петицію").click()
    assert (await page.get_by_role("status").inner_text()) == "Дякуємо! Ваш підпис зараховано."
    assert (await page.get_by_text("1 з 2 підписів").count()) == 1
    await page.get_by_role("button", name="Підписати петицію").click()
    assert "вже підписали" in (await page.get_by_role("status").inner_text())
    assert (await page.get_by_text("1 з 2 підписів").count()) == 1
    await page.get_by_role("link", name="Мій кабінет").click()
    assert (await page.get_by_text("Мельник Ірина").count()) == 1
    await page.get_by_role("button", name="Вийти").click()
    assert (await page.get_by_role("link", name="Увійти").count()) == 1
    await context.close()
    async with httpx.AsyncClient(base_url=portal.url) as client:
        signed = (await client.get(f"/api/v1/petitions/{petition}")).json()
    assert signed["signatures"] == 1


def _page_types(portal: Live, petition: int, pool: int) -> dict[str, str]:
    return {
        "budget": "/budget",
        "pool": f"/budget/pools/{pool}",
        "home": "/",
        "catalogue": "/data",
        "dataset": "/data/appeals",
        "dashboard": "/dashboard",
        "petitions": "/petitions",
        "petition": f"/petitions/{petition}",
        "login": "/me",
        "not-found": "/data/no-such-dataset",
    }


async def test_every_page_type_is_accessible_and_fits_a_phone(
    portal: Live, voting_pool: int, browser: Any
) -> None:
    petition = published_petition(portal)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        # axe is injected as a script of the test: the pages' own policy forbids that.
        context = await _context(browser, width=width, bypass_csp=True)
        page = await context.new_page()
        for name, path in _page_types(portal, petition, voting_pool).items():
            await page.goto(portal.url + path)
            await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            overflow = await page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                problems.append((name, width, f"the page is {overflow} px wide"))
            await page.add_script_tag(path=str(AXE))
            found = await page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                ".violations.map(v => [v.id, v.impact, v.nodes.length])"
            )
            problems += [(name, width, v) for v in found if v[1] in ("serious", "critical")]
        await context.close()
    assert problems == [], problems
    assert len(list(ARTIFACTS.glob("*.png"))) >= len(WIDTHS) * 10


async def _density(portal: Live) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=portal.url) as client:
        density: dict[str, Any] = (await client.get("/api/v1/appeals/density")).json()
    return density


async def test_the_dashboard_map_draws_the_cells_the_api_answers(
    portal: Live, browser: Any
) -> None:
    density = await _density(portal)
    # Cells under k exist and stay out of the map, as out of the API.
    assert density["cells"] and density["suppressed_cells"] > 0
    context = await _context(browser)
    tiles: list[str] = []

    async def tile(route: Any) -> None:
        tiles.append(route.request.url)
        await route.fulfill(body=TILE, content_type="image/png")

    await context.route(TILE_SERVER + "**", tile)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(portal.url + "/dashboard")
    await page.wait_for_selector(".map.leaflet-container path.cell")
    await page.wait_for_selector(".map .leaflet-tile-loaded")
    assert await page.locator(".map path.cell").count() == len(density["cells"])
    assert await page.locator(".map").get_attribute("data-cells") == str(len(density["cells"]))
    assert await page.locator("svg.fallback").is_hidden()
    assert await page.locator(".map").is_visible()
    assert tiles and all(url.startswith(TILE_SERVER) for url in tiles)
    assert "OpenStreetMap" in await page.locator(".leaflet-control-attribution").inner_text()
    assert await page.get_by_role("button", name="Наблизити").count() == 1
    # The API lists the busiest cell first; its tooltip says what the SVG's title says.
    biggest = density["cells"][0]
    await page.locator(".map path.cell").first.hover()
    tooltip = await page.locator(".leaflet-tooltip").inner_text()
    assert tooltip == f"Клітинка {biggest['lat']}, {biggest['lon']}: звернень {biggest['count']}"
    await context.close()
    assert errors == [], errors

    # axe, on the page with its map drawn (the test's own script needs the policy bypassed).
    context = await _context(browser, bypass_csp=True)
    page = await context.new_page()
    await page.goto(portal.url + "/dashboard")
    await page.wait_for_selector(".map.leaflet-container path.cell")
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']}))"
        ".violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])"
    )
    await context.close()
    assert [v for v in found if v[1] in ("serious", "critical")] == []


async def test_without_javascript_the_dashboard_map_is_the_svg(portal: Live, browser: Any) -> None:
    density = await _density(portal)
    context = await _context(browser, javascript=False)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = await context.new_page()
    await page.goto(portal.url + "/dashboard")
    assert await page.locator("svg.fallback").is_visible()
    assert await page.locator("svg.fallback rect").count() == len(density["cells"])
    assert await page.locator(".map").is_hidden()
    assert await page.locator(".leaflet-container").count() == 0
    await context.close()
    assert not [url for url in requested if not url.startswith(portal.url)]


async def test_when_the_api_fails_the_svg_stays(portal: Live, browser: Any) -> None:
    context = await _context(browser)
    await context.route(
        "**/api/v1/appeals/density", lambda route: route.fulfill(status=503, body="{}")
    )
    page = await context.new_page()
    await page.goto(portal.url + "/dashboard")
    await page.wait_for_load_state("networkidle")
    assert await page.locator("svg.fallback").is_visible()
    assert await page.locator(".map").is_hidden()
    await context.close()


async def test_markup_a_user_wrote_never_runs(portal: Live, browser: Any) -> None:
    petition = published_petition(
        portal,
        {
            "title": 'Петиція <img src=x onerror="window.pwned=1;alert(1)"> про сквер',
            "text": "Просимо розглянути </p><script>window.pwned=2;alert(2)</script> "
            "<svg onload=alert(3)> і облаштувати сквер біля школи для мешканців району.",
            "district": "shevchenkivskyi",
        },
    )
    context = await _context(browser)
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (f"/petitions/{petition}", "/petitions", "/"):
        await page.goto(portal.url + path)
        assert await page.evaluate("window.pwned") is None, path
    assert (await page.locator("img[src=x], svg").count()) == 0
    await context.close()
    assert dialogs == []


async def test_a_resident_votes_changes_the_ballot_and_keeps_the_receipt(
    portal: Live, voting_pool: int, browser: Any
) -> None:
    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(f"{portal.url}/budget/pools/{voting_pool}")
    await page.get_by_role("link", name="Увійдіть, щоб проголосувати").click()
    await page.locator("a.button").first.click()
    await page.get_by_role("button", name="Мельник Ірина").click()
    await page.wait_for_url(f"{portal.url}/budget/pools/{voting_pool}")
    await page.get_by_label("Сквер біля школи").check()
    await page.get_by_label("Велопарковки біля метро").check()
    await page.get_by_role("button", name="Проголосувати").click()
    # The reason in the reader's language, shown with the ballot as picked.
    assert "більше, ніж бюджет пулу" in (await page.get_by_role("alert").inner_text())
    await page.get_by_label("Велопарковки біля метро").uncheck()
    await page.get_by_label("Пандуси до поліклініки").check()
    await page.get_by_role("button", name="Проголосувати").click()
    assert "зараховано" in (await page.get_by_role("status").inner_text())
    receipt = await page.locator(".receipt-code").inner_text()
    await page.get_by_label("Сквер біля школи").uncheck()
    await page.get_by_role("button", name="Змінити бюлетень").click()
    assert await page.locator(".receipt-code").inner_text() == receipt
    await context.close()


async def test_the_pool_map_shows_the_projects_that_have_a_point(
    portal: Live, voting_pool: int, browser: Any
) -> None:
    from hromada.participation.budgeting.tables import BudgetProject

    for code, lat, lon in (("B1", 49.9935, 36.2304), ("B3", 50.0051, 36.2292)):
        await BudgetProject.update({BudgetProject.lat: lat, BudgetProject.lon: lon}).where(
            BudgetProject.code == code
        )
    context = await _context(browser)

    async def tile(route: Any) -> None:
        await route.fulfill(body=TILE, content_type="image/png")

    await context.route(TILE_SERVER + "**", tile)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"{portal.url}/budget/pools/{voting_pool}")
    await page.wait_for_selector(".map.leaflet-container path.project")
    # Only the projects with a point; B2 has none and stays in the list alone.
    assert await page.locator(".map path.project").count() == 2
    assert await page.locator(".map").get_attribute("data-projects") == "2"
    assert "2 з 3 проєктів" in await page.locator(".pool-map figcaption").inner_text()
    await page.locator(".map path.project").first.hover()
    tooltip = (await page.locator(".leaflet-tooltip").inner_text()).replace("\xa0", " ")
    assert tooltip in ("Сквер біля школи — 300 000 грн", "Пандуси до поліклініки — 100 000 грн")
    await page.locator(".map path.project").first.click(force=True)
    assert page.url.split("#")[1] in ("project-B1", "project-B3")
    await context.close()
    assert errors == [], errors

    # Without scripts the list is the page: no map, no request for one.
    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(f"{portal.url}/budget/pools/{voting_pool}")
    assert await page.locator(".map").is_hidden()
    assert await page.locator(".leaflet-container").count() == 0
    assert await page.locator("#project-B2").is_visible()
    await context.close()


async def test_a_resident_spreads_points_without_javascript(
    portal: Live, points_pool: int, browser: Any
) -> None:
    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(f"{portal.url}/budget/pools/{points_pool}")
    await page.get_by_role("link", name="Увійдіть, щоб проголосувати").click()
    await page.locator("a.button").first.click()
    await page.get_by_role("button", name="Мельник Ірина").click()
    await page.wait_for_url(f"{portal.url}/budget/pools/{points_pool}")
    # Each field is within its bounds, so the browser sends it; the sum is the server's.
    await page.get_by_label("Лавки в парку").fill("6")
    await page.get_by_label("Дитячий майданчик").fill("5")
    await page.get_by_role("button", name="Проголосувати").click()
    assert "Розподілено 11 балів" in (await page.get_by_role("alert").inner_text())
    assert await page.get_by_label("Лавки в парку").input_value() == "6"  # as typed
    await page.get_by_label("Дитячий майданчик").fill("4")
    await page.get_by_role("button", name="Проголосувати").click()
    assert "зараховано" in (await page.get_by_role("status").inner_text())
    assert await page.get_by_label("Дитячий майданчик").input_value() == "4"
    await context.close()


async def test_a_moderator_publishes_and_an_official_answers(portal: Live, browser: Any) -> None:
    async with httpx.AsyncClient(base_url=portal.url) as client:
        assert (await client.get("/staff/petitions")).status_code == 401
    olena, headers = await asyncio.to_thread(session, portal, "c-olena-1001")
    with closing(olena):
        created = olena.post("/api/v1/petitions", json=NEW_PETITION, headers=headers)
        number = created.json()["id"]
        assert olena.post(f"/api/v1/petitions/{number}/submit", headers=headers).status_code == 200
        assert olena.get("/staff/petitions").status_code == 403  # a resident is not staff
    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(f"{portal.url}/me?next=/staff/petitions")
    await page.locator("a.button").first.click()
    await page.get_by_role("button", name="Кравченко Наталія").click()
    await page.wait_for_url(f"{portal.url}/staff/petitions")
    assert await page.get_by_role("link", name=NEW_PETITION["title"]).count() == 1
    await page.get_by_role("button", name="Оприлюднити").click()
    assert "оприлюднено" in (await page.get_by_role("status").inner_text())
    assert await page.get_by_text("Черга порожня.").count() == 1
    await context.close()
    async with httpx.AsyncClient(base_url=portal.url) as client:
        published = (await client.get(f"/api/v1/petitions/{number}")).json()
        assert published["state"] == "open"
        trail = (await client.get("/api/v1/audit", params={"subject": f"petition:{number}"})).json()
        assert [e["action"] for e in trail["items"]][-1] == "published"
    for subject in ("c-taras-1002", "c-iryna-1003"):  # the threshold is two
        signer, signer_headers = await asyncio.to_thread(session, portal, subject)
        with closing(signer):
            signed = signer.post(f"/api/v1/petitions/{number}/signatures", headers=signer_headers)
            assert signed.status_code == 200
    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(f"{portal.url}/me?next=/staff/petitions")
    await page.locator("a.button").first.click()
    await page.get_by_role("button", name="Олійник Петро").click()
    await page.wait_for_url(f"{portal.url}/staff/petitions")
    await page.get_by_label("Рішення").select_option("partly")
    answer = "Доріжку буде облаштовано у 2027 році на ділянці від метро до парку."
    await page.get_by_label("Текст відповіді").fill(answer)
    await page.get_by_role("button", name="Оприлюднити відповідь").click()
    await page.wait_for_url(f"{portal.url}/petitions/{number}")
    assert await page.get_by_text(answer).count() == 1
    await context.close()
