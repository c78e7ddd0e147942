"""Piccolo's configuration module (``PICCOLO_CONF=hromada.piccolo_conf``).

``DB`` is replaced by :func:`hromada.db.use_database` when the application or
the CLI starts, so the engine always follows ``Settings``; the value set here
serves Piccolo's own tooling (``piccolo migrations new``).
"""

from piccolo.conf.apps import AppRegistry

from hromada.apps import PICCOLO_APPS
from hromada.config import Settings
from hromada.db import make_engine

DB = make_engine(Settings.from_env())

APP_REGISTRY = AppRegistry(apps=PICCOLO_APPS)
