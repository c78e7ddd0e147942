"""`hromada demo` end to end: a real process, a real port, the three pages the README names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_server(engine_name: str, tmp_path: Path):
    if engine_name != "sqlite":
        pytest.skip("the demo always runs on the embedded SQLite defaults")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HROMADA_")}
    env["HROMADA_LOG_LEVEL"] = "WARNING"
    env["HROMADA_DEMO_APPEALS"] = "2000"  # the full 200,000 belong to `make demo`
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
        while time.monotonic() - started < 120:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"hromada demo exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("hromada demo did not answer /health within 2 minutes")
        yield base, time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_demo_serves_health_schema_and_graphql(demo_server) -> None:
    base, seconds = demo_server
    assert seconds < 120
    assert httpx.get(f"{base}/ready").status_code == 200
    schema = httpx.get(f"{base}/schema")
    assert schema.status_code == 200 and "text/html" in schema.headers["content-type"]
    assert httpx.get(f"{base}/schema/openapi.json").json()["openapi"].startswith("3.1")
    graphql = httpx.post(f"{base}/graphql", json={"query": INTROSPECTION}).json()
    assert graphql["data"]["__schema"]["queryType"]["name"] == "Query"
    districts = httpx.get(f"{base}/api/v1/districts").json()["items"]
    assert len(districts) == 9
