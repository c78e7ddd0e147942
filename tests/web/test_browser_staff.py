"""The staff's pages and the dashboard's chart in Chromium (see ``test_browser``): an
official reviews a project and enters a paper ballot with JavaScript on and off, axe finds
no serious or critical violation on the staff's page types at 1280 and 360 px
(screenshots kept as artefacts), and the chart of appeals over time is drawn from the
table, which stays the chart without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live
from tests.web import test_browser
from tests.web.conftest import close_submission, submit
from tests.web.test_browser import ARTIFACTS, AXE, WIDTHS, _context
from tests.web.test_staff import ADULT

browser = test_browser.browser  # the session's Chromium (a fixture), shared with its module
AXE_RUN = (
    "async () => (await axe.run(document, {resultTypes: ['violations']}))"
    ".violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])"
)


async def _log_in_as_official(page: Any, portal: Live, then: str) -> None:
    await page.goto(f"{portal.url}/me?next={then}")
    await page.locator("a.button").first.click()
    await page.get_by_role("button", name="Олійник Петро").click()
    await page.wait_for_url(f"{portal.url}{then}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_an_official_reviews_a_project_and_enters_a_paper_ballot(
    portal: Live, review_pool: int, voting_pool: int, browser: Any, javascript: bool
) -> None:
    code = submit(portal, review_pool, "Спортмайданчик біля школи №5")
    await close_submission()
    context = await _context(browser, javascript=javascript)
    page = await context.new_page()
    errors: list[str] = []
    # The refused ballot is answered 422, which Chromium logs; anything else (a script
    # error, a policy violation) fails the test.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "status of 422" not in m.text else None
        ),
    )
    await _log_in_as_official(page, portal, "/staff/projects")
    await page.get_by_label("Пул").select_option(str(review_pool))
    await page.get_by_role("button", name="Показати").click()
    article = page.locator(f"#project-{code}")
    await article.get_by_label("Нереалізовний").check()
    await article.get_by_label("Підстава відхилення").select_option("already_funded")
    await article.get_by_label("Пояснення").fill("Фінансується з програми ремонту шкіл.")
    await article.get_by_role("button", name="Зберегти рішення").click()
    assert "відхилено" in (await page.get_by_role("status").inner_text())

    await (
        page.get_by_role("navigation", name="Сторінки працівників")
        .get_by_role("link", name="Паперові бюлетені")
        .click()
    )
    await page.get_by_label("Податковий номер (РНОКПП) виборця").fill(ADULT)
    await page.get_by_label("B1 · Сквер біля школи").check()
    await page.get_by_label("B2 · Велопарковки біля метро").check()
    await page.get_by_role("button", name="Зарахувати бюлетень").click()
    # Over the budget: the reason, in Ukrainian, and the picks as entered.
    assert "більше, ніж бюджет пулу" in (await page.get_by_role("alert").inner_text())
    assert await page.get_by_label("B1 · Сквер біля школи").is_checked()
    await page.get_by_label("Податковий номер (РНОКПП) виборця").fill(ADULT)
    await page.get_by_label("B2 · Велопарковки біля метро").uncheck()
    await page.get_by_label("B3 · Пандуси до поліклініки").check()
    await page.get_by_role("button", name="Зарахувати бюлетень").click()
    receipt = await page.locator(".receipt-code").inner_text()
    assert re.fullmatch(r"[0-9a-zA-Z_\-]{16,}", receipt.strip()), receipt
    await context.close()
    assert errors == [], errors
    async with httpx.AsyncClient(base_url=portal.url) as client:
        project = (await client.get(f"/api/v1/pb/projects/{code}")).json()
        pool = (await client.get(f"/api/v1/pb/pools/{voting_pool}")).json()
    assert project["status"] == "rejected" and project["review_code"] == "already_funded"
    assert pool["turnout"] == 1


async def test_the_staff_pages_are_accessible_and_fit_a_phone(
    portal: Live, review_pool: int, voting_pool: int, browser: Any
) -> None:
    submit(
        portal, review_pool, 'Сквер <script>window.pwned=1</script>"><img src=x onerror=alert(1)>'
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "staff-projects": f"/staff/projects?pool={review_pool}",
        "staff-ballots": f"/staff/ballots?pool={voting_pool}",
        "staff-imports": "/staff/imports",
        "staff-petitions": "/staff/petitions",
    }
    problems = []
    dialogs: list[str] = []
    for width in WIDTHS:
        context = await _context(browser, width=width, bypass_csp=True)
        page = await context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        await _log_in_as_official(page, portal, "/staff/projects")
        for name, path in pages.items():
            await page.goto(portal.url + path)
            assert await page.evaluate("window.pwned") is None, path
            await page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            overflow = await page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                problems.append((name, width, f"the page is {overflow} px wide"))
            await page.add_script_tag(path=str(AXE))
            found = await page.evaluate(AXE_RUN)
            problems += [(name, width, v) for v in found if v[1] in ("serious", "critical")]
        await context.close()
    assert dialogs == []
    assert problems == [], problems


async def test_the_dashboard_draws_appeals_over_time_from_its_table(
    portal: Live, browser: Any
) -> None:
    context = await _context(browser)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(portal.url + "/dashboard")
    chart = page.locator(".chart-canvas")
    await page.wait_for_selector(".chart-canvas canvas")
    assert await chart.is_visible()
    rows = await page.locator("#by-month-table tbody tr").count()
    assert rows > 1
    assert await chart.get_attribute("data-points") == str(rows)
    assert await page.locator("#by-month-table").is_visible()  # the table stays
    await context.close()
    assert errors == [], errors

    context = await _context(browser, bypass_csp=True)
    page = await context.new_page()
    await page.goto(portal.url + "/dashboard")
    await page.wait_for_selector(".chart-canvas canvas")
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(AXE_RUN)
    await context.close()
    assert [v for v in found if v[1] in ("serious", "critical")] == []

    context = await _context(browser, javascript=False)
    page = await context.new_page()
    await page.goto(portal.url + "/dashboard")
    assert await page.locator(".chart-canvas").is_hidden()
    assert await page.locator("#by-month-table .bar").count() == rows
    await context.close()
