"""Piccolo's configuration module (``PICCOLO_CONF=hromada.piccolo_conf``).

``DB`` is replaced by :func:`hromada.db.use_database` when the application or
the CLI starts, so the engine always follows ``Settings``; the value set here
serves Piccolo's own tooling (``piccolo migrations new``).
"""

from typing import Any

from piccolo.conf.apps import AppRegistry

from hromada.config import Settings
from hromada.db import make_engine

DB = make_engine(Settings.from_env())


def __getattr__(name: str) -> Any:
    """``APP_REGISTRY``, built on first use from the one list of domains.

    Not at import: every table class asks this module for ``DB`` while it is
    being defined, and the domain declarations import those tables.
    """
    if name == "APP_REGISTRY":
        from hromada.domains import piccolo_apps

        registry = AppRegistry(apps=piccolo_apps())
        globals()["APP_REGISTRY"] = registry
        return registry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
