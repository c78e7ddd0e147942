"""Frictionless Data Package descriptors of a version (``datapackage.json``)."""

from __future__ import annotations

from typing import Any

from hromada.open_data.catalog import urls
from hromada.open_data.catalog.model import Dataset
from hromada.open_data.catalog.service import Version


def descriptor(dataset: Dataset, version: Version, base: str) -> dict[str, Any]:
    """A tabular Data Package whose one resource is the version's CSV, with its hash and size."""
    csv = version.files["csv"]
    return {
        "profile": "tabular-data-package",
        "name": dataset.slug,
        "id": dataset.ckan_id,
        "title": dataset.title.uk,
        "description": dataset.description.uk,
        "version": f"{version.number}.0.0",
        "created": version.created_at.isoformat().replace("+00:00", "Z"),
        "homepage": urls.dataset(base, dataset.slug),
        "keywords": list(dataset.keywords),
        "licenses": [
            {
                "name": dataset.licence.id,
                "path": dataset.licence.url,
                "title": dataset.licence.title,
            }
        ],
        "contributors": [
            {
                "title": dataset.publisher.name.uk,
                "role": "publisher",
                "email": dataset.contact_email or dataset.publisher.email,
            }
        ],
        "resources": [
            {
                "name": dataset.slug,
                "path": urls.download(base, dataset.slug, version.number, "csv"),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv["bytes"],
                "hash": f"sha256:{csv['sha256']}",
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
                "schema": dataset.schema.descriptor(),
            }
        ],
    }
