"""Reading a device's batch: JSON or CSV in, checked readings out, or a refusal naming rows.

A batch is all or nothing: one malformed row, a value that is not a finite number, a time
from the future (beyond a small clock skew) or before 2000, or two readings of the same
second refuse the whole batch, and the answer names every bad row (up to ``MAX_ERRORS``).
Nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import msgspec

from hromada.errors import InvalidInput
from hromada.open_data.sensors.schemas import BatchIn

MAX_BATCH = 1000  # readings in one request
MAX_BODY = 128 * 1024  # bytes: 1,000 JSON readings take about 55 KiB
CLOCK_SKEW = 300  # seconds a device clock may run ahead of ours
EARLIEST = 946_684_800  # 2000-01-01T00:00:00Z: nothing the city measures is older
MAX_MAGNITUDE = Decimal(10) ** 12  # no kind comes near; keeps thousandths in a BIGINT sum
MAX_ERRORS = 20
THOUSANDTH = Decimal("0.001")
_EPOCH = re.compile(r"[0-9]{9,10}")  # ASCII digits: \d also takes other scripts' digits
_MAX_TIME_TEXT = 40
_PATH = re.compile(r"\$\.readings\[([0-9]+)\](?:\.([a-z]+))?")


@dataclass(frozen=True)
class Reading:
    at: int  # seconds since 1970, UTC
    value_milli: int  # the value in thousandths (rounded half to even)


def to_milli(value: Decimal) -> int:
    return int((value * 1000).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_milli(milli: int) -> str:
    return str((Decimal(milli) / 1000).quantize(THOUSANDTH).normalize().__format__("f"))


def iso(at: int) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> int:
    """Seconds since 1970 of an ISO-8601 time with a zone (or plain epoch seconds);
    a fraction of a second is dropped. ValueError says what is wrong."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return int(text)
    if len(text) > _MAX_TIME_TEXT:
        raise ValueError("not an ISO-8601 time")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not an ISO-8601 time (2026-05-01T10:00:00Z)") from None
    if moment.tzinfo is None:
        raise ValueError("the time has no zone: end it with Z or an offset such as +02:00")
    return int(moment.timestamp() // 1)


def _value(raw: Any) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    else:
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a finite number (NaN and infinity are refused)")
    if abs(value) >= MAX_MAGNITUDE:
        raise ValueError("too large for any sensor")
    return value


def _too_many() -> None:
    raise InvalidInput(
        f"a batch holds at most {MAX_BATCH} readings; nothing was written",
        errors=[{"where": "body", "message": f"at most {MAX_BATCH} readings"}],
    )


def check(rows: list[tuple[int, Any, Any]], where: str, now: float) -> list[Reading]:
    """``rows`` as (row or line number, time, value): the readings, or InvalidInput."""
    if not rows:
        raise InvalidInput("the batch holds no readings")
    if len(rows) > MAX_BATCH:
        _too_many()
    latest = int(now) + CLOCK_SKEW
    readings: list[Reading] = []
    errors: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for number, raw_time, raw_value in rows:
        try:
            at = parse_time(raw_time) if isinstance(raw_time, str) else None
            if at is None:
                raise ValueError("the time is not text")
            if at > latest:
                raise ValueError(f"the time {iso(at)} is in the future")
            if at < EARLIEST:
                raise ValueError("the time is before 2000")
        except ValueError as exc:
            errors.append({"where": "body", where: number, "name": "time", "message": str(exc)})
            continue
        try:
            value = _value(raw_value)
        except ValueError as exc:
            errors.append({"where": "body", where: number, "name": "value", "message": str(exc)})
            continue
        if at in seen:
            errors.append(
                {"where": "body", where: number, "name": "time",
                 "message": f"the same second as {where} {seen[at]}"}
            )  # fmt: skip
            continue
        seen[at] = number
        readings.append(Reading(at, to_milli(value)))
    if errors:
        first = errors[0]
        raise InvalidInput(
            f"{len(errors)} bad reading(s), first at {where} {first[where]} ({first['name']}: "
            f"{first['message']}); nothing was written",
            errors=errors[:MAX_ERRORS],
        )
    return readings


def parse_json(body: bytes, now: float) -> list[Reading]:
    """``{"readings": [{"time": "2026-05-01T10:00:00Z", "value": 12.5}, ...]}``; a row is its
    1-based position in ``readings``."""
    try:
        batch = msgspec.json.decode(body, type=BatchIn)
    except msgspec.ValidationError as exc:
        error: dict[str, Any] = {"where": "body", "message": str(exc)}
        place = _PATH.search(str(exc))
        if place:  # msgspec names the place as $.readings[i].field: i is row i + 1
            error.update(row=int(place[1]) + 1, name=place[2] or "")
        raise InvalidInput(
            f"the batch does not have the expected shape: {exc}; nothing was written",
            errors=[error],
        ) from None
    except msgspec.DecodeError:
        raise InvalidInput("the body is not JSON; nothing was written") from None
    if len(batch.readings) > MAX_BATCH:
        _too_many()
    rows = [(n, r.time, r.value) for n, r in enumerate(batch.readings, start=1)]
    return check(rows, "row", now)


def parse_csv(body: bytes, now: float) -> list[Reading]:
    """``time,value`` lines, an optional ``time,value`` header first; a row is its line."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV is not UTF-8; nothing was written") from None
    rows: list[tuple[int, Any, Any]] = []
    try:
        for line, fields in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not fields:
                continue
            if line == 1 and [f.strip().lower() for f in fields] == ["time", "value"]:
                continue
            if len(fields) != 2:
                raise InvalidInput(
                    f"line {line}: a line is time,value ({len(fields)} fields); nothing was "
                    "written",
                    errors=[{"where": "body", "line": line, "message": "time,value"}],
                )
            rows.append((line, fields[0], fields[1]))
            if len(rows) > MAX_BATCH:
                break
    except csv.Error as exc:
        raise InvalidInput(f"the CSV cannot be read: {exc}; nothing was written") from None
    return check(rows, "line", now)
