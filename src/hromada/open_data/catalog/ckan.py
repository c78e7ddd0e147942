"""The catalogue as CKAN sees it: packages, resources, organisations, package_search, datastore.

Field names and shapes follow CKAN 2.10 as data.gov.ua serves them, custom
fields included (``purpose_of_collecting_information``, ``update_frequency``,
``language``). Only datasets with at least one published version are CKAN
packages: a package's resources point at the latest version's files.
This module knows nothing of HTTP: ``api/ckan.py`` wraps it in CKAN's envelope.
"""

from __future__ import annotations

import datetime
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from hromada.bounds import load_json, parse_instant
from hromada.config import Settings
from hromada.open_data.catalog import service, urls
from hromada.open_data.catalog.formats import CKAN_FORMATS, MEDIA_TYPES
from hromada.open_data.catalog.model import THEME_TITLES, Dataset, Organisation
from hromada.open_data.catalog.registry import all_datasets, organisations

CKAN_VERSION = "2.10.4"
ROWS_MAX = 1000
DATASTORE_ROWS_MAX = 32000
DATASTORE_DEFAULT_LIMIT = 100


class CkanNotFound(Exception):
    pass


class CkanValidationError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(str(errors))
        self.errors = errors


class CkanSearchQueryError(Exception):
    pass


def ckan_time(moment: datetime.datetime) -> str:
    """CKAN's timestamps: naive UTC ISO-8601 with microseconds."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def organization_dict(org: Organisation, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": org.ckan_id,
        "name": org.slug,
        "title": org.name.uk,
        "display_name": org.name.uk,
        "description": f"{org.name.uk} ({org.name.en}), ЄДРПОУ {org.edrpou}",
        "edrpou": org.edrpou,
        "created": ckan_time(EPOCH),
        "is_organization": True,
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "type": "organization",
        "approval_status": "approved",
        "revision_id": org.ckan_id,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_dict(
    dataset: Dataset, latest: service.Version, fmt: str, position: int, base: str
) -> dict[str, Any]:
    info = latest.files[fmt]
    created = ckan_time(latest.created_at)
    return {
        "id": dataset.resource_id(fmt),
        "package_id": dataset.ckan_id,
        "name": f"{dataset.slug}.{fmt}",
        "description": f"{dataset.title.uk} — {CKAN_FORMATS[fmt]}, версія {latest.number}",
        "format": CKAN_FORMATS[fmt],
        "mimetype": MEDIA_TYPES[fmt],
        "mimetype_inner": None,
        "url": urls.download(base, dataset.slug, None, fmt),
        "url_type": None,
        "size": info["bytes"],
        "file_size": str(info["bytes"]),  # data.gov.ua's field, a string there
        "hash": f"sha256:{info['sha256']}",
        "created": created,
        "last_modified": created,
        "metadata_modified": created,
        "position": position,
        "state": "active",
        "datastore_active": True,
        "cache_url": None,
        "cache_last_updated": None,
        "resource_type": None,
        "revision_id": latest.content_sha256[:32],
        "version": str(latest.number),
    }


def package_dict(
    dataset: Dataset, latest: service.Version, first: service.Version | None, base: str
) -> dict[str, Any]:
    org = dataset.publisher
    resources = [
        resource_dict(dataset, latest, fmt, i, base)
        for i, fmt in enumerate(f for f in dataset.formats if f in latest.files)
    ]
    tags = [
        {
            "id": str(msgspec.json.encode(["tag", k]).hex()[:32]),
            "name": k,
            "display_name": k,
            "state": "active",
            "vocabulary_id": None,
        }
        for k in dataset.keywords
    ]
    extras = {
        "title_en": dataset.title.en,
        "notes_en": dataset.description.en,
        "legal_basis": dataset.legal_basis,
        "edrpou": org.edrpou,
        "spatial_katottg": dataset.coverage.katottg,
        "spatial_text": dataset.coverage.place.uk,
        "temporal_start": dataset.coverage.start or "",
        "temporal_end": dataset.coverage.end or "",
        "themes": ",".join(dataset.themes),
        "row_count": str(latest.row_count),
    }
    return {
        "id": dataset.ckan_id,
        "name": dataset.slug,
        "title": dataset.title.uk,
        "notes": dataset.description.uk,
        "url": urls.dataset(base, dataset.slug),
        "version": str(latest.number),
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": True,
        "license_id": dataset.licence.ckan_id,
        "license_title": dataset.licence.title,
        "license_url": dataset.licence.url,
        "author": org.name.uk,
        "author_email": dataset.contact_email or org.email,
        "maintainer": dataset.responsible_person,
        "maintainer_email": dataset.contact_email or org.email,
        "metadata_created": ckan_time((first or latest).created_at),
        "metadata_modified": ckan_time(latest.created_at),
        "owner_org": org.ckan_id,
        "organization": organization_dict(org),
        "creator_user_id": org.ckan_id,
        "revision_id": latest.content_sha256[:32],
        "purpose_of_collecting_information": dataset.purpose,
        "update_frequency": dataset.frequency.value,
        "language": "ua" if dataset.language == "uk" else dataset.language,
        "title_chosen": "false",
        "tag_string": ",".join(dataset.keywords),
        "tags": tags,
        "num_tags": len(tags),
        "groups": [
            {
                "id": t.lower(),
                "name": t.lower(),
                "title": _theme_title(t),
                "display_name": _theme_title(t),
                "description": "",
                "image_display_url": "",
            }
            for t in dataset.themes
        ],
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


async def packages(settings: Settings, base: str) -> list[dict[str, Any]]:
    """Every published dataset as a CKAN package, ordered by name."""
    latest = await service.latest_versions()
    first = await service.first_versions()
    return [
        package_dict(d, latest[d.slug], first.get(d.slug), base)
        for d in all_datasets(settings)
        if d.slug in latest
    ]


async def package_show(settings: Settings, id_or_name: str, base: str) -> dict[str, Any]:
    for package in await packages(settings, base):
        if id_or_name in (package["id"], package["name"]):
            return package
    raise CkanNotFound("Dataset not found")


async def resource_show(settings: Settings, resource_id: str, base: str) -> dict[str, Any]:
    for package in await packages(settings, base):
        for resource in package["resources"]:
            if resource["id"] == resource_id:
                return resource
    raise CkanNotFound("Resource was not found.")


async def organization_list(settings: Settings, all_fields: bool) -> list[Any]:
    counts: dict[str, int] = {}
    for package in await packages(settings, ""):
        counts[package["organization"]["name"]] = counts.get(package["organization"]["name"], 0) + 1
    orgs = organisations(settings)
    if all_fields:
        return [organization_dict(o, counts.get(o.slug, 0)) for o in orgs]
    return [o.slug for o in orgs]


async def organization_show(
    settings: Settings, id_or_name: str, include_datasets: bool, base: str
) -> dict[str, Any]:
    for org in organisations(settings):
        if id_or_name in (org.slug, org.ckan_id):
            own = [p for p in await packages(settings, base) if p["owner_org"] == org.ckan_id]
            out = organization_dict(org, len(own))
            out["users"] = []
            out["extras"] = [{"key": "edrpou", "value": org.edrpou}]
            if include_datasets:
                out["packages"] = own
            return out
    raise CkanNotFound("Organization was not found.")


# ----------------------------------------------------------------------------------------
# package_search: a small Solr-like query language over the packages


_TEXT_FIELDS = ("name", "title", "notes", "tags", "title_en", "notes_en", "organization_title")
_SORTABLE = {
    "id",
    "name",
    "title",
    "title_string",
    "metadata_modified",
    "metadata_created",
    "score",
    "num_resources",
    "num_tags",
}
_FIELDS = {
    "id",
    "name",
    "title",
    "notes",
    "text",
    "organization",
    "owner_org",
    "tags",
    "res_format",
    "license_id",
    "metadata_modified",
    "metadata_created",
    "groups",
    "dataset_type",
    "type",
    "state",
    "capacity",
    "update_frequency",
    "language",
    "num_resources",
    "num_tags",
    "res_name",
    "site_id",
    "entity_type",
}


def _index(package: dict[str, Any]) -> dict[str, list[str]]:
    extras = {e["key"]: e["value"] for e in package["extras"]}
    return {
        "id": [package["id"]],
        "name": [package["name"]],
        "title": [package["title"]],
        "title_string": [package["title"]],
        "notes": [package["notes"]],
        "title_en": [extras.get("title_en", "")],
        "notes_en": [extras.get("notes_en", "")],
        "organization": [package["organization"]["name"]],
        "organization_title": [package["organization"]["title"]],
        "owner_org": [package["owner_org"]],
        "tags": [t["name"] for t in package["tags"]],
        "res_format": [r["format"] for r in package["resources"]],
        "res_name": [r["name"] for r in package["resources"]],
        "license_id": [package["license_id"]],
        "metadata_modified": [package["metadata_modified"]],
        "metadata_created": [package["metadata_created"]],
        "groups": [g["name"] for g in package["groups"]],
        "dataset_type": ["dataset"],
        "type": ["dataset"],
        "entity_type": ["package"],
        "state": ["active"],
        "capacity": ["public"],
        "site_id": ["hromada"],
        "update_frequency": [package["update_frequency"]],
        "language": [package["language"]],
        "num_resources": [str(package["num_resources"])],
        "num_tags": [str(package["num_tags"])],
    }


def _solr_time(value: str, now: datetime.datetime) -> datetime.datetime:
    text = value.strip()
    if text.upper().startswith("NOW"):
        moment = now
        rest = text[3:]
        for sign, amount, unit in re.findall(r"([+-])(\d+)(DAYS?|HOURS?|MINUTES?|YEARS?)", rest):
            seconds = {"D": 86400, "H": 3600, "M": 60, "Y": 365 * 86400}[unit[0]]
            delta = datetime.timedelta(seconds=int(amount) * seconds)
            moment = moment + delta if sign == "+" else moment - delta
        return moment
    try:
        return parse_instant(text)
    except ValueError:
        raise CkanSearchQueryError(f"Invalid date in query: {value[:40]!r}") from None


@dataclass
class _Clause:
    field: str
    value: str
    negate: bool

    def matches(self, index: dict[str, list[str]], now: datetime.datetime) -> bool:
        found = self._matches(index, now)
        return not found if self.negate else found

    def _matches(self, index: dict[str, list[str]], now: datetime.datetime) -> bool:
        value = self.value
        if self.field == "text":
            return _text_match(index, value.strip('"'))
        values = index.get(self.field, [])
        if value[:1] in "[{" and value[-1:] in "]}":
            parts = re.split(r"\s+TO\s+", value[1:-1].strip())
            if len(parts) != 2:
                raise CkanSearchQueryError(f"Invalid range {value!r}: expected [A TO B]")
            low, high = (p.strip() for p in parts)
            inclusive = value[0] == "["
            lo: Any
            hi: Any
            for candidate in values:
                if self.field in ("metadata_modified", "metadata_created"):
                    subject: Any = _solr_time(candidate, now)
                    lo = None if low == "*" else _solr_time(low, now)
                    hi = None if high == "*" else _solr_time(high, now)
                elif self.field in ("num_resources", "num_tags"):
                    subject = int(candidate)
                    lo = None if low == "*" else _int(low)
                    hi = None if high == "*" else _int(high)
                else:
                    subject = candidate
                    lo = None if low == "*" else low
                    hi = None if high == "*" else high
                if (lo is None or (subject >= lo if inclusive else subject > lo)) and (
                    hi is None or (subject <= hi if inclusive else subject < hi)
                ):
                    return True
            return False
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"')
        if value == "*":
            return bool(values)
        if "*" in value:
            pattern = re.compile(
                "^" + ".*".join(re.escape(p) for p in value.split("*")) + "$", re.IGNORECASE
            )
            return any(pattern.match(v) for v in values)
        return any(v == value or v.casefold() == value.casefold() for v in values)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CkanSearchQueryError(f"Invalid number in query: {text!r}") from None


def _text_match(index: dict[str, list[str]], text: str) -> bool:
    haystack = " ".join(v for f in _TEXT_FIELDS for v in index.get(f, [])).casefold()
    return all(word in haystack for word in text.casefold().split())


class _Text:
    """Free text: every word somewhere in the text fields."""

    def __init__(self, text: str, negate: bool = False) -> None:
        self.text, self.negate = text, negate

    def matches(self, index: dict[str, list[str]], now: datetime.datetime) -> bool:
        found = _text_match(index, self.text)
        return not found if self.negate else found


class _All:
    def matches(self, index: dict[str, list[str]], now: datetime.datetime) -> bool:
        return True


class _Bool:
    def __init__(self, kind: str, parts: list[Any]) -> None:
        self.kind, self.parts = kind, parts

    def matches(self, index: dict[str, list[str]], now: datetime.datetime) -> bool:
        if self.kind == "not":
            return not self.parts[0].matches(index, now)
        found = (part.matches(index, now) for part in self.parts)
        return any(found) if self.kind == "or" else all(found)


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>(?P<open_op>[+-]?)\()
      | (?P<close>\))
      | (?P<op>[+-]?)(?P<field>[A-Za-z_][\w.]*):
        (?P<value>"(?:[^"\\]|\\.)*"|[\[{][^\]}]*[\]}]|\(|[^\s()]+)
      | (?P<word>[+-]?"(?:[^"\\]|\\.)*"|[^\s()]+)
    )""",
    re.VERBOSE,
)
QUERY_MAX_CHARS = 2000
QUERY_MAX_DEPTH = 20


def _tokens(query: str) -> list[tuple[str, str, str, str]]:
    """(kind, op, field, value) tokens of a Solr query string."""
    out: list[tuple[str, str, str, str]] = []
    position = 0
    while position < len(query):
        if not query[position:].strip():
            break
        match = _TOKEN.match(query, position)
        if match is None:  # an unbalanced quote or bracket
            raise CkanSearchQueryError(f"cannot read the query from {query[position:][:40]!r}")
        position = match.end()
        if match["open"]:
            out.append(("open", match["open_op"], "", ""))
        elif match["close"]:
            out.append(("close", "", "", ""))
        elif match["field"]:
            field = match["field"]
            if field not in _FIELDS and not field.startswith("extras_"):
                raise CkanSearchQueryError(f"undefined field {field}")
            if match["value"] == "(":
                out.append(("group", match["op"], field, ""))
            else:
                out.append(("clause", match["op"], field, match["value"]))
        else:
            out.append(("word", "", "", match["word"]))
    return out


class _Parser:
    """Solr's standard query syntax as CKAN passes it on: clauses, free words,
    AND / OR / NOT (and && || !), + and - prefixes, parentheses and
    ``field:(a OR b)`` groups. Juxtaposed terms are ANDed, as CKAN's
    default ``q.op`` does."""

    def __init__(self, tokens: list[tuple[str, str, str, str]]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> tuple[str, str, str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[3] in words

    def expression(self, field: str | None, depth: int) -> Any:
        if depth > QUERY_MAX_DEPTH:
            raise CkanSearchQueryError(f"the query nests deeper than {QUERY_MAX_DEPTH} levels")
        parts = [self.conjunction(field, depth)]
        while self.is_word("OR", "||"):
            self.at += 1
            parts.append(self.conjunction(field, depth))
        return parts[0] if len(parts) == 1 else _Bool("or", parts)

    def conjunction(self, field: str | None, depth: int) -> Any:
        parts = [self.unary(field, depth)]
        while True:
            token = self.peek()
            if token is None or token[0] == "close" or self.is_word("OR", "||"):
                break
            if self.is_word("AND", "&&", "+"):
                self.at += 1
                continue
            parts.append(self.unary(field, depth))
        return parts[0] if len(parts) == 1 else _Bool("and", parts)

    def unary(self, field: str | None, depth: int) -> Any:
        if self.is_word("NOT", "!"):
            self.at += 1
            return _Bool("not", [self.unary(field, depth + 1)])
        if self.is_word("AND", "&&", "OR", "||"):
            raise CkanSearchQueryError(f"{self.tokens[self.at][3]} needs a term on each side")
        token = self.peek()
        if token is None:
            raise CkanSearchQueryError("the query ends where a term was expected")
        kind, op, name, value = token
        self.at += 1
        if kind == "close":
            raise CkanSearchQueryError("a ')' without its '('")
        if kind in ("open", "group"):
            inner = self.expression(name or field, depth + 1)
            closing = self.peek()
            if closing is None or closing[0] != "close":
                raise CkanSearchQueryError("a '(' without its ')'")
            self.at += 1
            return _Bool("not", [inner]) if op == "-" else inner
        if kind == "clause":
            return _Clause(name, value, op == "-")
        negate = value.startswith("-") and len(value) > 1
        value = value[1:] if value[:1] in "+-" and len(value) > 1 else value
        if value == "*:*":
            return _Bool("not", [_All()]) if negate else _All()
        if field is not None:
            return _Clause(field, value, negate)
        return _Text(value.strip('"'), negate)


def parse_query(query: str) -> Any:
    """The q or fq string as a tree of clauses that ``matches(index, now)``."""
    if len(query) > QUERY_MAX_CHARS:
        raise CkanSearchQueryError(f"the query is longer than {QUERY_MAX_CHARS} characters")
    tokens = _tokens(query.strip())
    if not tokens:
        return _All()
    parser = _Parser(tokens)
    tree = parser.expression(None, 0)
    if parser.peek() is not None:
        raise CkanSearchQueryError("a ')' without its '('")
    return tree


def _parse_sort(sort: str) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    for part in sort.split(","):
        bits = part.split()
        if not bits:
            continue
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise CkanSearchQueryError(
                f"Can't determine a Sort Order (asc or desc) in sort spec {part.strip()!r}"
            )
        if bits[0] not in _SORTABLE:
            raise CkanSearchQueryError(f"can not sort on undefined field: {bits[0]}")
        keys.append((bits[0], bits[1].lower() == "desc"))
    return keys


def _facet_fields(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = load_json(raw)
        except ValueError:
            raw = [raw]
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise CkanValidationError({"facet.field": ["Must be a JSON list of field names"]})
    return raw


def to_int(params: dict[str, Any], name: str, default: int, minimum: int = 0) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CkanValidationError({name: ["Invalid integer"]}) from None
    if value < minimum:
        raise CkanValidationError({name: [f"Must be a natural number ({minimum} or more)"]})
    return value


async def package_search(settings: Settings, params: dict[str, Any], base: str) -> dict[str, Any]:
    rows = min(to_int(params, "rows", 10), ROWS_MAX)
    start = to_int(params, "start", 0)
    sort = str(params.get("sort") or "score desc, metadata_modified desc")
    sort_keys = _parse_sort(sort)
    facet_fields = _facet_fields(params.get("facet.field"))
    facet_limit = to_int(params, "facet.limit", 50, minimum=-1)
    facet_mincount = to_int(params, "facet.mincount", 1)
    q_tree = parse_query(str(params.get("q") or ""))
    fq_tree = parse_query(str(params.get("fq") or ""))
    now = datetime.datetime.now(datetime.UTC)

    matched = []
    for package in await packages(settings, base):
        index = _index(package)
        if q_tree.matches(index, now) and fq_tree.matches(index, now):
            matched.append((package, index))

    for field, descending in reversed(sort_keys):
        if field == "score":
            continue
        key_field = "title" if field == "title_string" else field
        if field in ("num_resources", "num_tags"):
            matched.sort(key=lambda m, f=key_field: int(m[1][f][0]), reverse=descending)  # type: ignore[misc]
        else:
            matched.sort(key=lambda m, f=key_field: m[1][f][0], reverse=descending)  # type: ignore[misc]

    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in facet_fields:
        counts: dict[str, int] = {}
        for _package, index in matched:
            for value in set(index.get(field, [])):
                counts[value] = counts.get(value, 0) + 1
        items = sorted(
            ((v, n) for v, n in counts.items() if n >= facet_mincount), key=lambda i: (-i[1], i[0])
        )
        if facet_limit >= 0:
            items = items[:facet_limit]
        facets[field] = dict(items)
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": v, "display_name": _display(settings, field, v), "count": n}
                for v, n in items
            ],
        }
    return {
        "count": len(matched),
        "facets": facets,
        "results": [p for p, _ in matched[start : start + rows]],
        "sort": sort,
        "search_facets": search_facets,
    }


def _display(settings: Settings, field: str, value: str) -> str:
    if field == "organization":
        for org in organisations(settings):
            if org.slug == value:
                return org.name.uk
    return value


async def package_list(settings: Settings, params: dict[str, Any]) -> list[str]:
    return _limit_offset(params, [p["name"] for p in await packages(settings, "")])


# ----------------------------------------------------------------------------------------
# Groups (the EU data themes), tags, licences, autocomplete, the recent-changes list


def _theme_title(code: str) -> str:
    return THEME_TITLES.get(code.upper(), (code, code))[0]


def group_dict(code: str, package_count: int | None = None) -> dict[str, Any]:
    uk, en = THEME_TITLES.get(code.upper(), (code, code))
    out: dict[str, Any] = {
        "id": code.lower(),
        "name": code.lower(),
        "title": uk,
        "display_name": uk,
        "description": f"{uk} ({en})",
        "created": ckan_time(EPOCH),
        "is_organization": False,
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "type": "group",
        "approval_status": "approved",
        "revision_id": code.lower(),
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def _limit_offset(params: dict[str, Any], items: list[Any]) -> list[Any]:
    offset = to_int(params, "offset", 0)
    limit = params.get("limit")
    if limit is None or limit == "":
        return items[offset:]
    return items[offset : offset + to_int(params, "limit", 0)]


async def _groups(settings: Settings, base: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for dataset in all_datasets(settings):
        for theme in dataset.themes:
            found.setdefault(theme.lower(), [])
    for package in await packages(settings, base):
        for group in package["groups"]:
            found.setdefault(group["name"], []).append(package)
    return found


async def group_list(settings: Settings, params: dict[str, Any]) -> list[Any]:
    groups = await _groups(settings, "")
    sort = str(params.get("sort") or "name asc").split()
    key, descending = sort[0], len(sort) > 1 and sort[1].lower() == "desc"
    if key not in ("name", "title", "package_count"):
        raise CkanValidationError({"sort": [f"Cannot sort by field `{key}`"]})
    rows = [group_dict(code, len(own)) for code, own in groups.items()]
    rows.sort(key=lambda g: g[key], reverse=descending)
    rows = _limit_offset(params, rows)
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1", "yes", "on")
    return rows if all_fields else [g["name"] for g in rows]


async def group_show(
    settings: Settings, id_or_name: str, include_datasets: bool, base: str
) -> dict[str, Any]:
    groups = await _groups(settings, base)
    code = id_or_name.lower()
    if code not in groups:
        raise CkanNotFound("Group was not found.")
    out = group_dict(code, len(groups[code]))
    out["users"] = []
    out["extras"] = []
    out["groups"] = []
    out["tags"] = []
    if include_datasets:
        out["packages"] = groups[code]
    return out


async def _tags(settings: Settings, base: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for package in await packages(settings, base):
        for tag in package["tags"]:
            found.setdefault(tag["name"], []).append(package)
    return dict(sorted(found.items()))


def _tag_dict(name: str) -> dict[str, Any]:
    return {
        "id": str(msgspec.json.encode(["tag", name]).hex()[:32]),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


async def tag_list(settings: Settings, params: dict[str, Any]) -> list[Any]:
    if params.get("vocabulary_id"):
        return []  # no tag vocabularies here: only free tags
    names = list(await _tags(settings, ""))
    query = str(params.get("query") or params.get("q") or "").casefold()
    if query:
        names = [n for n in names if query in n.casefold()]
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1", "yes", "on")
    return [_tag_dict(n) for n in names] if all_fields else names


async def tag_show(
    settings: Settings, id_or_name: str, include_datasets: bool, base: str
) -> dict[str, Any]:
    tags = await _tags(settings, base)
    for name, own in tags.items():
        if id_or_name in (name, _tag_dict(name)["id"]):
            out = _tag_dict(name)
            if include_datasets:
                out["packages"] = own
            return out
    raise CkanNotFound("Could not find tag")


def license_list(settings: Settings) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for dataset in all_datasets(settings):
        licence = dataset.licence
        seen.setdefault(
            licence.ckan_id,
            {
                "id": licence.ckan_id,
                "title": licence.title,
                "url": licence.url,
                "status": "active",
                "maintainer": "",
                "family": "",
                "domain_content": True,
                "domain_data": True,
                "domain_software": False,
                "od_conformance": "approved",
                "osd_conformance": "not reviewed",
                "is_generic": False,
                "is_okd_compliant": True,
                "is_osi_compliant": False,
            },
        )
    return list(seen.values())


async def current_package_list_with_resources(
    settings: Settings, params: dict[str, Any], base: str
) -> list[dict[str, Any]]:
    """Packages with their resources, most recently modified first (limit, offset, page)."""
    rows = sorted(
        await packages(settings, base), key=lambda p: p["metadata_modified"], reverse=True
    )
    if params.get("page") not in (None, "") and params.get("limit") not in (None, ""):
        page = to_int(params, "page", 1, minimum=1)
        limit = to_int(params, "limit", 0)
        return rows[(page - 1) * limit : page * limit]
    return _limit_offset(params, rows)


async def package_autocomplete(settings: Settings, params: dict[str, Any]) -> list[Any]:
    """Names and titles that contain ``q`` (CKAN's dataset picker): at most ``limit``."""
    query = str(params.get("q") or params.get("incomplete") or "").casefold().strip()
    limit = min(to_int(params, "limit", 10), ROWS_MAX)
    if not query:
        return []
    out = []
    for package in await packages(settings, ""):
        if query in package["name"].casefold():
            field, shown = "name", package["name"]
        elif query in package["title"].casefold():
            field, shown = "title", package["title"]
        else:
            continue
        out.append(
            {
                "name": package["name"],
                "title": package["title"],
                "match_field": field,
                "match_displayed": shown,
            }
        )
    return out[:limit]


# ----------------------------------------------------------------------------------------
# DataStore: the latest version's rows, read back from its JSON Lines file


_DATASTORE_TYPES = {
    "string": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}


async def resolve_resource(
    settings: Settings, resource_id: str
) -> tuple[Dataset, service.Version, str]:
    latest = await service.latest_versions()
    for dataset in all_datasets(settings):
        for fmt in dataset.formats:
            if dataset.resource_id(fmt) == resource_id and dataset.slug in latest:
                return dataset, latest[dataset.slug], fmt
    raise CkanNotFound(f'Resource "{resource_id}" was not found.')


def _as_dict(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    raw = params.get(name)
    if raw is None or raw == "" or raw == {}:
        return None
    if isinstance(raw, str):
        try:
            raw = load_json(raw)
        except ValueError:
            return None if name == "q" else _bad(name, "Not a JSON object")
    if not isinstance(raw, dict):
        return None if name == "q" else _bad(name, "Not a JSON object")
    return raw


def _bad(name: str, message: str) -> Any:
    raise CkanValidationError({name: [message]})


def _cell_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


class _Desc:
    """Reverses the order of a sort key component."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def datastore_info(dataset: Dataset, version: service.Version, resource_id: str) -> dict[str, Any]:
    """The table's columns and row count, as CKAN 2.10's ``datastore_info`` answers."""
    fields = [
        {
            "id": f.name,
            "type": _DATASTORE_TYPES[f.type],
            "schema": {
                "native_type": _DATASTORE_TYPES[f.type],
                "notnull": f.required,
                "is_index": f.name in dataset.schema.primary_key,
                "uniquekey": f.name in dataset.schema.primary_key,
            },
            "info": {"label": f.title, "notes": f.description},
        }
        for f in dataset.schema.fields
    ]
    return {
        "meta": {
            "id": resource_id,
            "count": version.row_count,
            "table_type": "BASE TABLE",
            "aliases": [],
        },
        "fields": fields,
        # CKAN before 2.10 answered the column types as ``schema``; ckanapi still reads it.
        "schema": {f["id"]: f["type"] for f in fields},
    }


def datastore_search_sync(
    settings: Settings, dataset: Dataset, version: service.Version, params: dict[str, Any]
) -> dict[str, Any]:
    """Filter, search, sort and page a version's rows in one pass with bounded memory."""
    resource_id = params["resource_id"]
    names = dataset.schema.names
    limit = min(to_int(params, "limit", DATASTORE_DEFAULT_LIMIT), DATASTORE_ROWS_MAX)
    offset = to_int(params, "offset", 0)
    include_total = str(params.get("include_total", True)).lower() not in ("false", "0", "no")
    records_format = str(params.get("records_format") or "objects")
    if records_format not in ("objects", "lists"):
        _bad("records_format", "Value must be one of ['objects', 'lists']")

    filters = _as_dict(params, "filters") or {}
    for name in filters:
        if name not in names and name != "_id":
            _bad("filters", f'field "{name}" not in table')
    wanted_filters = {
        k: {_cell_text(x) for x in (v if isinstance(v, list) else [v])} for k, v in filters.items()
    }

    q_raw = params.get("q")
    q_fields = _as_dict(params, "q")
    q_text = "" if q_fields is not None or q_raw is None else str(q_raw)
    for name in q_fields or {}:
        if name not in names:
            _bad("q", f'field "{name}" not in table')

    fields_raw = params.get("fields")
    if fields_raw in (None, "", []):
        fields = ["_id", *names]
    else:
        fields = (
            [f.strip() for f in fields_raw.split(",")]
            if isinstance(fields_raw, str)
            else [str(f) for f in fields_raw]
        )
        for name in fields:
            if name not in names and name != "_id":
                _bad("fields", f'field "{name}" not in table')

    sort_keys: list[tuple[str, bool]] = []
    sort_raw = params.get("sort")
    if sort_raw:
        parts = sort_raw.split(",") if isinstance(sort_raw, str) else list(sort_raw)
        for part in parts:
            bits = str(part).strip().strip('"').split()
            if not bits:
                continue
            name = bits[0].strip('"')
            direction = bits[1].lower() if len(bits) > 1 else "asc"
            if (name not in names and name != "_id") or direction not in ("asc", "desc"):
                _bad("sort", f'field "{name}" not in table or bad direction')
            sort_keys.append((name, direction == "desc"))

    def matching() -> Iterator[dict[str, Any]]:
        for number, row in enumerate(service.iter_rows(settings, version), start=1):
            row["_id"] = number
            if any(_cell_text(row.get(k)) not in v for k, v in wanted_filters.items()):
                continue
            if q_text:
                haystack = " ".join(_cell_text(v) for v in row.values()).casefold()
                if not all(word in haystack for word in q_text.casefold().split()):
                    continue
            if q_fields and not all(
                str(v).casefold() in _cell_text(row.get(k)).casefold() for k, v in q_fields.items()
            ):
                continue
            yield row

    def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        for name, descending in sort_keys:
            value = row.get(name)
            part = (value is None, value if value is not None else 0)
            out.append(_Desc(part) if descending else part)
        return tuple(out)

    total = 0
    if sort_keys:
        if offset + limit > DATASTORE_ROWS_MAX:
            _bad("offset", f"offset + limit may be at most {DATASTORE_ROWS_MAX} when sorting")
        keep = offset + limit
        kept: list[Any] = []
        for row in matching():
            total += 1
            kept.append((sort_key(row), row["_id"], row))
            if len(kept) >= 2 * keep + 1000:
                kept = heapq.nsmallest(keep, kept, key=lambda i: (i[0], i[1]))
        ordered = heapq.nsmallest(keep, kept, key=lambda i: (i[0], i[1]))
        page = [item[2] for item in ordered[offset:keep]]
    else:
        page = []
        for row in matching():
            if offset <= total < offset + limit:
                page.append(row)
            total += 1
            if not include_total and total >= offset + limit:
                break

    types = {f.name: _DATASTORE_TYPES[f.type] for f in dataset.schema.fields}
    records: list[Any]
    if records_format == "lists":
        records = [[r.get(f) for f in fields] for r in page]
    else:
        records = [{f: r.get(f) for f in fields} for r in page]
    action = "/api/3/action/datastore_search"
    result: dict[str, Any] = {
        "include_total": include_total,
        "resource_id": resource_id,
        "fields": [{"id": f, "type": "int" if f == "_id" else types[f]} for f in fields],
        "records_format": records_format,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": f"{action}?resource_id={resource_id}",
            "next": f"{action}?offset={offset + limit}&resource_id={resource_id}",
        },
    }
    if include_total:
        result["total"] = total
        result["total_was_estimated"] = False
    if filters:
        result["filters"] = filters
    if q_raw:
        result["q"] = q_raw
    if sort_raw:
        result["sort"] = sort_raw
    return result
