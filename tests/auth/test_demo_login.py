"""The issue's "done when", on a real `hromada demo` process: pick a demo person on the
development provider's page, land back logged in, and /api/v1/me shows role and eligibility."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory, engine_name: str):
    if engine_name != "sqlite":
        pytest.skip("the demo always runs on the embedded SQLite defaults")
    tmp_path: Path = tmp_path_factory.mktemp("demo-login")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HROMADA_")}
    env["HROMADA_LOG_LEVEL"] = "WARNING"
    env["HROMADA_DEMO_APPEALS"] = "200"  # logging in needs the city, not its appeals
    process = subprocess.Popen(
        [sys.executable, "-m", "hromada", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"hromada demo exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() - started < 300, "hromada demo did not start"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


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
