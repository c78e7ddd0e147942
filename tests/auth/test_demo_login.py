"""The issue's "done when", on a real `hromada demo` process: pick a demo person on the
development provider's page, land back logged in, and /api/v1/me shows role and eligibility."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture(scope="module")
def demo_and_dir(tmp_path_factory, demo_process):
    # Logging in needs the city, not its appeals.
    data_dir = tmp_path_factory.mktemp("demo-login")
    with demo_process(data_dir, appeals=200, start_within=300) as (base, _seconds):
        yield base, data_dir


@pytest.fixture(scope="module")
def demo(demo_and_dir):
    return demo_and_dir[0]


def _log_in_as(base: str, provider: str, name: str) -> dict:
    """What a browser does: hromada -> provider page -> pick a person -> back to hromada."""
    import re
    from html import unescape

    with httpx.Client(base_url=base, follow_redirects=False, timeout=20) as browser:
        providers = {p["name"]: p for p in browser.get("/auth/providers").json()["items"]}
        start = browser.get(providers[provider]["login_url"])
        assert start.status_code == 302
        page = httpx.get(start.headers["location"], timeout=20)
        assert page.status_code == 200 and "Choose who logs in" in page.text
        for action, body in re.findall(
            r"<form method='post' action='([^']+)'>(.*?)</form>", page.text
        ):
            if name in body:
                fields = {
                    k: unescape(v) for k, v in re.findall(r"name='([^']+)' value='([^']*)'", body)
                }
                chosen = httpx.post(unescape(action), data=fields, timeout=20)
                break
        else:
            raise AssertionError(f"{name} is not on the provider's page")
        back = browser.get(chosen.headers["location"])
        assert back.status_code == 302 and back.headers["location"] == "/api/v1/me"
        me = browser.get(back.headers["location"])
        assert me.status_code == 200, me.text
        assert me.headers["ratelimit-limit"]
        return me.json()


@pytest.mark.parametrize(
    ("provider", "name", "role", "eligible"),
    [
        ("dev-city", "Коваленко Олена", "resident", True),
        ("dev-city", "Шевчук Максим", "resident", False),
        ("dev-city", "Ткаченко Андрій", "resident", False),
        ("dev-city", "Олійник Петро", "official", True),
        ("dev-bank", "Коваленко Олена", "resident", True),
        ("dev-idgovua", "Мельник Ірина", "resident", True),
    ],
)
def test_demo_people_log_in(demo, provider, name, role, eligible) -> None:
    me = _log_in_as(demo, provider, name)
    assert me["display_name"] == name
    assert me["role"] == role
    assert me["eligibility"]["eligible"] is eligible


def test_users_grant_beside_a_demo_on_another_port(demo_and_dir) -> None:
    """The demo runs on a free port (its providers' issuers carry it): a grant made with
    the README's command beside it still reaches the person at their next login."""
    import os
    import subprocess
    import sys

    from hromada.config import Settings
    from hromada.devidp.people import demo_people

    base, data_dir = demo_and_dir
    person = next(
        p
        for p in demo_people(Settings().demo_seed)
        if not p.roles and "city" in p.subjects and p.name != "Коваленко Олена"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HROMADA_")}
    env |= {"HROMADA_ENVIRONMENT": "demo", "HROMADA_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hromada",
            "users",
            "grant",
            f"dev-city:{person.subjects['city']}",
            "moderator",
        ],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    me = _log_in_as(base, "dev-city", person.name)
    assert me["role"] == "moderator"
