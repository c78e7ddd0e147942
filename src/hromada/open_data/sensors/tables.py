"""Sensors, their readings and the readings' hourly and daily rollups.

Times are whole seconds since 1970 (UTC) in a BIGINT: both engines compare, order and
bucket them the same way (``at - at % 3600`` is the hour), which a timestamp column does
not promise on SQLite. Values are fixed-point thousandths (``value_milli``) in a BIGINT: sums
stay exact integers on both engines, so a rollup's mean is ``sum / count`` exactly.
"""

from piccolo.columns import BigInt, BigSerial, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Sensor(Table, tablename="sensor"):
    id = BigSerial(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    kind = Varchar(length=16, index=True)  # a code of kinds.KINDS
    title = Varchar(length=200)
    lat = Varchar(length=12, null=True, default=None)  # WGS 84 degrees as decimal text
    lon = Varchar(length=12, null=True, default=None)
    district = Varchar(length=64, default="")  # a district's code; empty: not placed
    status = Varchar(length=8, default="active")  # active or retired
    # SHA-256 of the device key; null when the key is revoked (no key can be used).
    key_hash = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz()
    first_at = BigInt(null=True, default=None)  # the earliest reading's time
    last_at = BigInt(null=True, default=None)  # the latest reading's time
    last_value_milli = BigInt(null=True, default=None)


class SensorReading(Table, tablename="sensor_reading"):
    # One reading per sensor and second: a unique index (sensor, at), made in a raw migration.
    id = BigSerial(primary_key=True)
    sensor = ForeignKey(Sensor, index=False)
    at = BigInt()
    value_milli = BigInt()
    out_of_range = Boolean(default=False)


class SensorRollup(Table, tablename="sensor_rollup"):
    """A sensor's readings of one hour (span 3600) or day (86400), kept by every ingest.

    ``counted``, ``min``, ``max`` and ``sum`` are of the plausible readings; ``flagged`` counts
    the out-of-range ones. Unique on (sensor, span, start), a raw migration's index."""

    id = BigSerial(primary_key=True)
    sensor = ForeignKey(Sensor, index=False)
    span = Integer()
    start = BigInt()
    counted = Integer(default=0)  # plausible readings (``count`` would shadow Table.count)
    min_milli = BigInt(null=True, default=None)
    max_milli = BigInt(null=True, default=None)
    sum_milli = BigInt(default=0)
    flagged = Integer(default=0)
