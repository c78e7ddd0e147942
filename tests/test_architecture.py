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
