"""The import contracts in pyproject.toml (``[tool.importlinter]``) hold.

They are the arrows DESIGN.md allows: domains never import a transport, search
and the catalogue never import a domain, no cycles between packages, and the
layers from the entry points down to ``errors``. A new import that breaks one
fails here with import-linter's report of the offending chain.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert ", 0 broken." in report, report


# Functions vulture cannot see being called, each with the caller it misses.
ENTRY_POINTS = {
    "forwards": "Piccolo runs every migration's forwards()",
    "app_from_env": "uvicorn's factory (hromada.app:app_from_env)",
    "serve": "a click command",
    "users_grant": "a click command",
    "users_revoke": "a click command",
    "reindex": "a click command",
    "import_appeals": "a click command",
    "import_districts": "a click command",
    "import_registry": "a click command",
    "city_set": "a click command",
    "city_show": "a click command",
    "pb_results": "a click command",
    "pb_check": "a click command",
    "audit_verify": "a click command",
    "import_budget": "a click command",
    "import_indicators": "a click command",
    "import_prozorro": "a click command",
    "versions_list": "a click command",
    "versions_pin": "a click command",
    "versions_prune": "a click command",
    "settings_table": "the README settings-table test",
    "__getattr__": "piccolo_conf's lazy DB for Piccolo's own CLI",
}


def test_no_dead_code() -> None:
    """vulture finds nothing at the confidence set in pyproject.toml (``[tool.vulture]``),
    and below it no unused function, class or import but the known entry points."""
    vulture = Path(sys.executable).parent / "vulture"
    done = subprocess.run(
        [str(vulture)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    low = subprocess.run(
        [str(vulture), "--min-confidence", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    kinds = ("unused function", "unused class", "unused import", "unreachable")
    dead = [
        line
        for line in low.stdout.splitlines()
        if any(kind in line for kind in kinds) and [*line.split("'"), "", ""][1] not in ENTRY_POINTS
    ]
    assert dead == [], "\n".join(dead)
