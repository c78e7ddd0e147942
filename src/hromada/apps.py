"""The Piccolo apps of every domain package, in migration order.

A new domain package adds its ``piccolo_app`` module here and nowhere else.
"""

PICCOLO_APPS: list[str] = [
    "hromada.open_data.registries.piccolo_app",
    "hromada.open_data.catalog.piccolo_app",
    "hromada.search.piccolo_app",
    "hromada.auth.piccolo_app",
    "hromada.open_data.appeals.piccolo_app",
]
