"""`hromada import districts` and `hromada import appeals` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def _hromada(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HROMADA_")}
    env["HROMADA_DATA_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-m", "hromada", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )


def test_cli_imports_and_reports(samples: Any, tmp_path: Path) -> None:
    assert "added 10" in _hromada(tmp_path, "import", "districts", "kyiv").stdout
    assert "already there" in _hromada(tmp_path, "import", "districts", "kyiv").stdout
    assert _hromada(tmp_path, "import", "districts", "atlantis").returncode != 0
    good = tmp_path / "appeals.csv"
    good.write_bytes(samples.to_csv(samples.make_rows(30)))
    result = _hromada(tmp_path, "import", "appeals", str(good))
    assert result.returncode == 0, result.stderr
    assert "imported 30, updated 0, unchanged 0, rejected 0" in result.stdout
    # The import queued its publish job and ran it: the version is there when it ends.
    assert (tmp_path / "var" / "datasets" / "appeals" / "1").is_dir()
    listed = _hromada(tmp_path, "jobs").stdout.splitlines()
    assert listed[1].split() == ["catalog.publish", "0", "0", "0", "1", "0"]
    again = _hromada(tmp_path, "import", "appeals", str(good), "--format", "csv")
    assert "imported 0, updated 0, unchanged 30" in again.stdout
    rows = samples.make_rows(5)
    rows[1]["received_at"] = "вчора"
    rows[3]["district"] = "Атлантида"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(samples.to_csv(rows))
    refused = _hromada(tmp_path, "import", "appeals", str(bad))
    assert refused.returncode != 0
    assert "line 3, received_at" in refused.stderr and "line 5, district" in refused.stderr
    assert "nothing was imported" in refused.stderr
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(bytes(range(256)) * 64)
    result = _hromada(tmp_path, "import", "appeals", str(binary))
    assert result.returncode != 0 and "binary" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_refuses_a_csv_without_useful_columns_unless_allowed(
    samples: Any, tmp_path: Path
) -> None:
    assert _hromada(tmp_path, "import", "districts", "kyiv").returncode == 0
    rows = samples.make_rows(4)
    lines = samples.to_csv(rows).decode().splitlines()
    # Keep id and received_at only: no district, category or status.
    thin = tmp_path / "thin.csv"
    thin.write_text("\n".join(",".join(line.split(",")[:2]) for line in lines) + "\n")
    refused = _hromada(tmp_path, "import", "appeals", str(thin))
    assert refused.returncode != 0
    assert "district, category, status" in refused.stderr
    assert "--allow-missing" in refused.stderr and "Traceback" not in refused.stderr
    allowed = _hromada(tmp_path, "import", "appeals", str(thin), "--allow-missing")
    assert allowed.returncode == 0, allowed.stderr
    assert "imported 4" in allowed.stdout
