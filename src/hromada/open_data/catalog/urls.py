"""Where things are: the one place the catalogue's public URLs are spelled.

``base`` is the public base URL without a trailing slash (``""`` gives
site-relative URLs).
"""

from __future__ import annotations

API = "/api/v1/datasets"


def dataset(base: str, slug: str) -> str:
    return f"{base}{API}/{slug}"


def download(base: str, slug: str, number: int | None, fmt: str) -> str:
    return version_file(base, slug, number, f"download.{fmt}")


def version_file(base: str, slug: str, number: int | None, filename: str) -> str:
    """Any file of a version: ``download.csv``, ``changes.jsonl``, ``datapackage.json``."""
    version = "latest" if number is None else str(number)
    return f"{base}{API}/{slug}/versions/{version}/{filename}"


def datapackage(base: str, slug: str, number: int | None = None) -> str:
    if number is None:
        return f"{base}{API}/{slug}/datapackage.json"
    return f"{base}{API}/{slug}/versions/{number}/datapackage.json"


def catalog(base: str, fmt: str, page: int | None = None) -> str:
    suffix = f"?page={page}" if page is not None else ""
    return f"{base}/catalog.{fmt}{suffix}"


def catalog_iri(base: str) -> str:
    """The catalogue itself (a GET answers its description, by the ``Accept`` header)."""
    return f"{base}/catalog"


def organisation(base: str, slug: str) -> str:
    """A publisher (a GET answers its description, by the ``Accept`` header)."""
    return f"{base}/organisations/{slug}"
