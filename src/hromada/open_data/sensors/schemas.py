"""Sensors on the wire: times as ISO-8601 UTC, values as decimal strings (thousandths)."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class SensorOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    kind: str  # pm25, pm10, noise, traffic, parking or waste
    title: str
    unit: str
    lat: str | None  # WGS 84 degrees
    lon: str | None
    district: str  # a district's code; empty: not placed
    status: str  # active or retired
    first_reading_at: str | None
    last_reading_at: str | None
    last_value: str | None


class SensorIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A sensor staff register (or edit): the key is made by hromada, never sent."""

    code: str
    kind: str
    title: str
    lat: Decimal | None = None
    lon: Decimal | None = None
    district: str = ""
    status: str = "active"


class SensorKeyOut(msgspec.Struct, kw_only=True):
    """The device key, shown this once: only its hash is stored."""

    sensor: SensorOut
    key: str


class ReadingIn(msgspec.Struct, forbid_unknown_fields=True):
    time: str  # ISO-8601 with a zone: 2026-05-01T10:00:00Z
    value: Decimal  # a JSON number or a decimal string


class BatchIn(msgspec.Struct, forbid_unknown_fields=True):
    readings: list[ReadingIn]


class IngestOut(msgspec.Struct, kw_only=True):
    received: int  # readings in the batch
    written: int  # new readings (the rest were already stored: a resent batch)
    duplicates: int
    flagged: int  # new readings outside the kind's plausible range (kept, flagged)


class ReadingOut(msgspec.Struct, kw_only=True):
    time: str
    value: str
    out_of_range: bool


class RollupOut(msgspec.Struct, kw_only=True):
    """One hour or day of a sensor: the plausible readings' count, min, max, sum and mean,
    the out-of-range readings counted in ``flagged``; ``gap``: no reading at all where one
    was expected (after the sensor's first reading, before now)."""

    start: str
    count: int
    min: str | None
    max: str | None
    sum: str
    mean: str | None
    flagged: int
    gap: bool


class KindOut(msgspec.Struct, kw_only=True):
    code: str
    title_uk: str
    title_en: str
    unit: str
    low: str  # the plausible range; values outside it are flagged
    high: str
