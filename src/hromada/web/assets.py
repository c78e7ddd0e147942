"""Static files under names that carry their content hash: cached for a year, and a new
release changes the name, so no browser ever keeps an old stylesheet."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@functools.cache
def hashed_names() -> dict[str, str]:
    """``portal.css`` → ``portal.1a2b3c4d5e.css`` for every file of ``static/``."""
    names = {}
    for path in sorted(STATIC.iterdir()):
        if path.is_file() and path.suffix in MEDIA_TYPES:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            names[path.name] = f"{path.stem}.{digest}{path.suffix}"
    return names


@functools.cache
def by_hashed_name() -> dict[str, Path]:
    return {hashed: STATIC / plain for plain, hashed in hashed_names().items()}


def url(name: str) -> str:
    return f"/static/{hashed_names()[name]}"
