"""Static files under names that carry their content hash: cached for a year, and a new
release changes the name, so no browser ever keeps an old stylesheet.

Every file of ``static/`` with a known media type is served, those of its subfolders too
(``vendor/leaflet/``), each under its own file name plus the hash (``leaflet.js`` →
``leaflet.1a2b3c4d5e.js``): names are unique across the folders. A stylesheet's relative
``url(...)`` to another served file (Leaflet's ``url(images/layers.png)``) is pointed at
that file's hashed name when the stylesheet is served, and the stylesheet's own hash is
taken of what is served, so a new image renames the stylesheet too.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
_CSS_URL = re.compile(r"""url\((["']?)([^"')]+)\1\)""")


@dataclass(frozen=True)
class Asset:
    hashed: str  # the name it is served under
    body: bytes
    media_type: str


def _hashed(path: Path, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:10]
    return f"{path.stem}.{digest}{path.suffix}"


def _relink(css: Path, text: str, served: dict[Path, str]) -> str:
    """The stylesheet's relative ``url(...)`` to a served file, pointed at its hashed name."""

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        if ":" in target or target.startswith(("/", "#")):
            return match.group(0)  # data:, absolute and fragment URLs stay as written
        resolved = (css.parent / PurePosixPath(target)).resolve()
        hashed = served.get(resolved)
        return f"url(/static/{hashed})" if hashed else match.group(0)

    return _CSS_URL.sub(swap, text)


@functools.cache
def _assets() -> dict[str, Asset]:
    """Plain name → the file as served, for every file of ``static/`` and its subfolders."""
    files = sorted(
        path for path in STATIC.rglob("*") if path.is_file() and path.suffix in MEDIA_TYPES
    )
    names = [path.name for path in files]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise RuntimeError(f"static files share a name: {', '.join(doubled)}")
    out: dict[str, Asset] = {}
    served: dict[Path, str] = {}
    # Stylesheets last: they link to the others' hashed names.
    for path in sorted(files, key=lambda p: (p.suffix == ".css", str(p))):
        body = path.read_bytes()
        if path.suffix == ".css":
            body = _relink(path, body.decode("utf-8"), served).encode("utf-8")
        asset = Asset(_hashed(path, body), body, MEDIA_TYPES[path.suffix])
        out[path.name] = asset
        served[path.resolve()] = asset.hashed
    return out


@functools.cache
def by_hashed_name() -> dict[str, Asset]:
    return {asset.hashed: asset for asset in _assets().values()}


def url(name: str) -> str:
    return f"/static/{_assets()[name].hashed}"
