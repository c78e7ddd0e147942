"""Importing ProZorro tenders as the public API gives them: checked whole, written whole.

A file is JSON as the API answers (``GET /tenders/{id}`` gives ``{"data": tender}``; a
list of tenders may come as ``{"data": [tender, ...]}``), or JSON Lines: one tender, or
one ``{"data": tender}``, per line (what a feed sync appends). A document that parses as
one JSON object is the first; anything else is read line by line. Every record is
checked before anything is written, and every problem found (up to MAX_ERRORS) is
reported with its record (its line for JSON Lines), ProZorro id and field.

What is kept of a tender: its ids, title, status, procuring entity (a legal entity: an
8-digit EDRPOU code under scheme UA-EDR), the first item's CPV (ДК 021) code, expected
value, dates, and its active awards. A supplier is published by name and code only as a
legal entity (scheme UA-EDR, 8 digits). An individual entrepreneur (ФОП: a 10-digit
РНОКПП, under UA-EDR or UA-IPN) is kept as ``individual_entrepreneur`` with neither name
nor code, and a supplier under any other scheme (a foreign register, a passport) as
``other``, equally without them: hromada cannot tell a company from a person there, and
nothing personal may leave.

Re-importing is an upsert by id in which the newer ``dateModified`` wins: an older or
equal copy of a stored tender changes nothing, so importing the same file twice, or an
old file after a new one, is harmless. One transaction per import; any error writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hromada import db
from hromada.bounds import MAX_JSON_DEPTH, load_json, parse_instant
from hromada.errors import FileRefused, InvalidInput, TooLarge
from hromada.open_data.catalog.jobs import queue_publish
from hromada.open_data.procurement.savings import awarded_value, savings_of
from hromada.open_data.procurement.search import DOC_TYPE
from hromada.open_data.procurement.tables import Tender
from hromada.open_data.registries.declared import IDENTIFIER_PATTERNS
from hromada.search import outbox

DATASET = "procurement-tenders"
ID = re.compile(r"[0-9a-f]{32}")
TENDER_ID = re.compile(r"UA-\d{4}-\d{2}-\d{2}-\d{6}-[a-z]")
CPV = re.compile(r"\d{8}-\d")
EDRPOU = IDENTIFIER_PATTERNS["edrpou"]
RNOKPP = re.compile(r"\d{10}")  # an individual's tax number: never kept
CPV_SCHEMES = ("ДК021", "CPV")
# The currencies ProZorro accepts for a tender's value.
CURRENCIES = ("UAH", "USD", "EUR", "GBP", "RUB")
STATUSES = (
    "draft", "active", "active.enquiries", "active.tendering", "active.pre-qualification",
    "active.pre-qualification.stand-still", "active.auction", "active.qualification",
    "active.qualification.stand-still", "active.awarded", "complete", "cancelled",
    "unsuccessful",
)  # fmt: skip
KYIV = ZoneInfo("Europe/Kyiv")
MAX_AMOUNT = Decimal(10) ** 14  # UAH: a hundred trillion, beyond any tender
MAX_TEXT = 2000
MAX_TENDERS = 50_000  # per import
MAX_PARTS = 1000  # awards, contracts, items or lots of one tender
MAX_ERRORS = 50


@dataclass
class ProcurementImport:
    read: int
    inserted: int
    updated: int
    unchanged: int  # stored already with the same or a newer dateModified
    winners: int
    publish_job: int | None = None


@dataclass
class Checked:
    """One tender ready to write: its row (``COLUMNS`` order) and its winners' rows."""

    row: tuple[Any, ...]
    winners: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.row[0])

    @property
    def modified(self) -> dt.datetime:
        return self.row[COLUMNS.index("date_modified")]


COLUMNS = ("id", "tender_id", "title", "status", "entity_edrpou", "entity_name", "cpv",
           "expected_amount", "currency", "awarded_amount", "awarded_currency", "savings",
           "year", "date_created", "date_modified", "tender_start", "tender_end")  # fmt: skip
WINNER_COLUMNS = ("tender", "award_id", "kind", "edrpou", "name", "amount", "currency", "date")


class _Bad(Exception):
    """One field of one record is wrong (caught per record, reported with the others)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


# ---------------------------------------------------------------------------
# Reading the file


def records_of(data: bytes, *, max_bytes: int) -> list[tuple[str, Any]]:
    """The file's tenders with where each was: ``record N`` or ``line N``. Refuses a file
    over ``max_bytes``, not UTF-8, or not JSON in one of the accepted shapes."""
    if len(data) > max_bytes:
        raise TooLarge(f"the file is larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("the file is not UTF-8 text") from None
    if not text.strip():
        raise FileRefused("the file is empty")
    try:
        document = load_json(text, exact=True)
    except ValueError as exc:
        if "nested" in str(exc):
            raise FileRefused(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        document = None
    if isinstance(document, dict):
        data_part = document.get("data")
        if isinstance(data_part, list):
            found = [(f"record {n}", tender) for n, tender in enumerate(data_part, start=1)]
        elif isinstance(data_part, dict):
            found = [("record 1", data_part)]
        else:
            raise FileRefused(
                'not ProZorro API JSON: expected {"data": tender}, {"data": [tender, ...]} '
                "or JSON Lines of tenders"
            )
    elif document is not None and "\n" not in text.strip():
        raise FileRefused('not ProZorro API JSON: the document is not an object with "data"')
    else:
        found = _lines(text)
    if len(found) > MAX_TENDERS:
        raise TooLarge(f"more than {MAX_TENDERS} tenders in one import")
    return found


def _lines(text: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = load_json(line, exact=True)
        except ValueError as exc:
            if len(errors) < MAX_ERRORS:
                errors.append(
                    {"where": f"line {number}", "name": "", "message": f"not JSON: {exc}"}
                )
            continue
        if isinstance(value, dict) and isinstance(value.get("data"), dict):
            value = value["data"]
        found.append((f"line {number}", value))
        if len(found) > MAX_TENDERS:
            raise TooLarge(f"more than {MAX_TENDERS} tenders in one import")
    if errors:
        raise FileRefused(
            f"{len(errors)} line(s) of the file are not JSON; nothing was imported", errors=errors
        )
    return found


# ---------------------------------------------------------------------------
# Checking a tender


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(record: Any, path: str, *, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    value = _at(record, path)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Bad(path, "missing" if value is None else "must be a non-empty string")
    text = " ".join(value.split())
    if len(text) > limit or "\x00" in text:
        raise _Bad(path, f"longer than {limit} characters")
    return text


def _instant(record: Any, path: str, *, required: bool = True) -> dt.datetime | None:
    value = _at(record, path)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _Bad(path, "missing" if value is None else "must be an ISO 8601 time")
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise _Bad(path, f"{value[:40]!r}: {exc}") from None


def kopecks(value: Any, path: str) -> int:
    """A JSON number of UAH (or another currency) as exact kopecks; refuses strings, booleans,
    negative amounts, more than two decimals and amounts beyond MAX_AMOUNT."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _Bad(path, "missing" if value is None else "must be a number")
    amount = Decimal(value)
    if not amount.is_finite() or amount >= MAX_AMOUNT:
        raise _Bad(path, "not an amount")
    if amount < 0:
        raise _Bad(path, "must not be negative")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise _Bad(path, "more than two decimals")
    return int(cents)


def _money(record: Any, path: str) -> tuple[int, str]:
    amount = kopecks(_at(record, f"{path}.amount"), f"{path}.amount")
    currency = _at(record, f"{path}.currency")
    if currency not in CURRENCIES:
        raise _Bad(
            f"{path}.currency",
            f"{str(currency)[:10]!r} is not one of {', '.join(CURRENCIES)}",
        )
    return amount, currency


def _parts(record: Any, name: str) -> list[Any]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(name, "must be a list")
    if len(value) > MAX_PARTS:
        raise _Bad(name, f"more than {MAX_PARTS}")
    return value


def supplier(party: Any, path: str) -> tuple[str, str | None, str | None]:
    """(kind, EDRPOU, name) of a supplier: a name and code for a legal entity only."""
    scheme = _at(party, "identifier.scheme")
    code = _at(party, "identifier.id")
    code = code.strip() if isinstance(code, str) else code
    if scheme == "UA-IPN" or (isinstance(code, str) and RNOKPP.fullmatch(code)):
        return "individual_entrepreneur", None, None
    if scheme != "UA-EDR":
        return "other", None, None
    if not isinstance(code, str) or not EDRPOU.fullmatch(code):
        raise _Bad(f"{path}.identifier.id", "an EDRPOU code is 8 digits")
    name = _text(party, "identifier.legalName", required=False) or _text(party, "name")
    return "legal_entity", code, name


def check(record: Any) -> Checked:
    """One tender as its row and its winners' rows; raises _Bad naming the first bad field."""
    if not isinstance(record, dict):
        raise _Bad("", "a tender must be a JSON object")
    ident = record.get("id")
    if ident is None:
        raise _Bad("id", "missing")
    if not isinstance(ident, str) or not ID.fullmatch(ident):
        raise _Bad("id", "a ProZorro id is 32 lowercase hexadecimal digits")
    tender_id = record.get("tenderID")
    if not isinstance(tender_id, str) or not TENDER_ID.fullmatch(tender_id):
        raise _Bad("tenderID", "missing" if tender_id is None else "not UA-YYYY-MM-DD-NNNNNN-x")
    title = _text(record, "title")
    status = record.get("status")
    if status not in STATUSES:
        raise _Bad("status", f"{str(status)[:40]!r} is not a ProZorro tender status")
    if _at(record, "procuringEntity.identifier.scheme") != "UA-EDR":
        raise _Bad("procuringEntity.identifier.scheme", "a procuring entity is under UA-EDR")
    edrpou = _at(record, "procuringEntity.identifier.id")
    if not isinstance(edrpou, str) or not EDRPOU.fullmatch(edrpou):
        raise _Bad("procuringEntity.identifier.id", "an EDRPOU code is 8 digits")
    entity = _text(record, "procuringEntity.identifier.legalName", required=False) or _text(
        record, "procuringEntity.name"
    )
    expected, currency = _money(record, "value")
    cpv: str | None = None
    for n, item in enumerate(_parts(record, "items")):
        scheme = _at(item, "classification.scheme")
        if scheme not in CPV_SCHEMES:
            continue
        code = _at(item, "classification.id")
        if not isinstance(code, str) or not CPV.fullmatch(code):
            raise _Bad(f"items[{n}].classification.id", "a CPV code is NNNNNNNN-N")
        cpv = cpv or code
    created = _instant(record, "dateCreated", required=False) or _instant(record, "date")
    modified = _instant(record, "dateModified")
    assert created is not None and modified is not None  # required above
    winners: list[tuple[Any, ...]] = []
    awards: list[tuple[str, int, str]] = []
    for n, award in enumerate(_parts(record, "awards")):
        if not isinstance(award, dict) or award.get("status") != "active":
            continue  # pending, unsuccessful and cancelled awards won nothing
        path = f"awards[{n}]"
        award_id = _text(award, "id", limit=64)
        amount, money = _money(award, "value")
        suppliers = award.get("suppliers")
        if not isinstance(suppliers, list) or not suppliers:
            raise _Bad(f"{path}.suppliers", "an active award names its supplier")
        kind, code, name = supplier(suppliers[0], f"{path}.suppliers[0]")
        date = _instant(award, "date", required=False)
        awards.append(("active", amount, money))
        winners.append((ident, award_id, kind, code, name, amount, money, date))
    contracts: list[tuple[str, int, str]] = []
    for n, contract in enumerate(_parts(record, "contracts")):
        if isinstance(contract, dict) and contract.get("value") is not None:
            amount, money = _money(contract, "value")
            contracts.append((str(contract.get("status")), amount, money))
        elif not isinstance(contract, dict):
            raise _Bad(f"contracts[{n}]", "must be an object")
    if len({w[1] for w in winners}) != len(winners):
        raise _Bad("awards", "two active awards share an id")
    awarded = awarded_value(contracts, awards)
    lots = len(_parts(record, "lots"))
    savings = savings_of(
        status=status, lots=lots, expected=expected, currency=currency, awarded=awarded
    )
    row = (
        ident, tender_id, title, status, edrpou, entity, cpv, expected, currency,
        None if awarded is None else awarded[0], None if awarded is None else awarded[1],
        savings, created.astimezone(KYIV).year, created, modified,
        _instant(record, "tenderPeriod.startDate", required=False),
        _instant(record, "tenderPeriod.endDate", required=False),
    )  # fmt: skip
    return Checked(row=row, winners=winners)


def check_all(found: list[tuple[str, Any]]) -> list[Checked]:
    """Every record checked; all problems (up to MAX_ERRORS) in one InvalidInput."""
    checked: list[Checked] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for where, record in found:
        ident = record.get("id") if isinstance(record, dict) else None
        label = f"{where} ({ident})" if isinstance(ident, str) and ID.fullmatch(ident) else where
        try:
            tender = check(record)
        except _Bad as bad:
            if len(errors) < MAX_ERRORS:
                errors.append({"where": label, "name": bad.name, "message": bad.message})
            continue
        number = str(tender.row[1])
        if tender.id in seen:
            problem = {"name": "id", "message": f"the same tender as {seen[tender.id]}"}
        elif number in numbers:
            problem = {"name": "tenderID", "message": f"the same tenderID as {numbers[number]}"}
        else:
            seen[tender.id] = numbers[number] = where
            checked.append(tender)
            continue
        if len(errors) < MAX_ERRORS:
            errors.append({"where": label, **problem})
    if errors:
        raise InvalidInput(
            f"{len(errors)}{'+' if len(errors) == MAX_ERRORS else ''} problem(s) in the "
            "tenders; nothing was imported",
            errors=errors,
        )
    if not checked:
        raise InvalidInput("the file has no tenders")
    return checked


# ---------------------------------------------------------------------------
# Writing


async def import_file(data: bytes, *, max_bytes: int) -> ProcurementImport:
    """Import a file of ProZorro API JSON (see the module's description)."""
    return await import_records(records_of(data, max_bytes=max_bytes))


async def import_records(found: list[tuple[str, Any]]) -> ProcurementImport:
    """Check every record, then write in one transaction the tenders that are new or newer
    than the stored copy (with their winners replaced), and queue the dataset's publish."""
    tenders = check_all(found)
    async with db.write_transaction():
        # Two imports at once must not both decide from the same stored dateModified.
        await db.advisory_xact_lock("hromada-procurement-import")
        stored = await _stored_modified([t.id for t in tenders])
        await _check_numbers(tenders)
        fresh = [t for t in tenders if t.id not in stored or t.modified > stored[t.id]]
        for start in range(0, len(fresh), 1000):
            chunk = fresh[start : start + 1000]
            await db.bulk_upsert("procurement_tender", COLUMNS, [t.row for t in chunk], key="id")
            where, args = db.in_values("tender", [t.id for t in chunk])
            await db.execute_many(f"DELETE FROM procurement_winner WHERE {where}", [args])  # noqa: S608
            winners = [w for t in chunk for w in t.winners]
            if not winners:
                continue
            await db.execute_many(
                f"INSERT INTO procurement_winner ({', '.join(WINNER_COLUMNS)}) "  # noqa: S608
                f"VALUES ({db.marks(len(WINNER_COLUMNS))})",
                winners,
            )
        await outbox.enqueue(DOC_TYPE, [t.id for t in fresh])
        job = await queue_publish(DATASET) if fresh else None
    inserted = sum(1 for t in fresh if t.id not in stored)
    return ProcurementImport(
        read=len(tenders),
        inserted=inserted,
        updated=len(fresh) - inserted,
        unchanged=len(tenders) - len(fresh),
        winners=sum(len(t.winners) for t in fresh),
        publish_job=job,
    )


async def _stored_modified(ids: list[str]) -> dict[str, dt.datetime]:
    out: dict[str, dt.datetime] = {}
    for start in range(0, len(ids), 1000):
        rows = await Tender.select(Tender.id, Tender.date_modified).where(
            Tender.id.is_in(ids[start : start + 1000])
        )
        out.update({r["id"]: db.instant(r["date_modified"]) for r in rows})
    return out


async def _check_numbers(tenders: list[Checked]) -> None:
    """A tenderID is one tender's: one already stored under another id refuses the import
    (the API never reuses one, so the file is not what it says it is)."""
    by_number = {str(t.row[1]): t.id for t in tenders}
    numbers = list(by_number)
    clashes: list[dict[str, Any]] = []
    for start in range(0, len(numbers), 1000):
        rows = await Tender.select(Tender.id, Tender.tender_id).where(
            Tender.tender_id.is_in(numbers[start : start + 1000])
        )
        clashes += [
            {"where": f"tender {by_number[r['tender_id']]}", "name": "tenderID",
             "message": f"{r['tender_id']} belongs to the stored tender {r['id']}"}
            for r in rows
            if r["id"] != by_number[r["tender_id"]]
        ]  # fmt: skip
    if clashes:
        raise InvalidInput("a tenderID belongs to another tender; nothing was imported",
                           errors=clashes[:MAX_ERRORS])  # fmt: skip
