"""Appeals to the city's contact centre, as published: anonymised before they are written."""

from piccolo.columns import (
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from hromada.open_data.registries.tables import Building, District


class AppealCategory(Table, tablename="appeal_category"):
    """The service catalogue, derived from the categories the imported data uses.

    ``code`` is a stable hash of the name, so the same category has the same
    Open311 ``service_code`` on every installation.
    """

    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True, index=True)
    name = Varchar(length=500, unique=True)
    group_name = Varchar(length=500, null=True, default=None)


class Appeal(Table, tablename="appeal"):
    """One appeal. A confidential one keeps only what aggregates need.

    ``source_id`` is the id in the contact centre's export (hashed for
    confidential appeals); ``received_month`` and ``received_week`` are kept
    so statistics group the same way on every engine; ``late`` is true when
    the appeal was resolved after its deadline.
    """

    id = Serial(primary_key=True)
    source_id = Varchar(length=100, unique=True)
    received_at = Timestamptz()
    deadline_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    received_month = Varchar(length=7)
    received_week = Varchar(length=8)
    channel = Varchar(length=100, null=True, default=None)
    category = ForeignKey(references=AppealCategory, null=True)
    district = ForeignKey(references=District, null=True)
    street = Varchar(length=300, null=True, default=None)
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    text = Text(null=True, default=None)
    answer = Text(null=True, default=None)
    status = Varchar(length=32)
    executor = Varchar(length=300, null=True, default=None)
    confidential = Boolean(default=False)
    late = Boolean(default=False)
    resolution_hours = DoublePrecision(null=True, default=None)
    # The registry building the address named (appeals.buildings): read by the staff's
    # per-building statistics only; no public column, file or document has it.
    # SET NULL: a registry re-import that drops a building must never take appeals with it.
    building = ForeignKey(
        references=Building, null=True, default=None, index=True, on_delete=OnDelete.set_null
    )


class AppealStatsCell(Table, tablename="appeal_stats_cell"):
    """Appeal counts kept up to date by every import, so statistics need not scan.

    For each dimension (``dim`` = district, category, executor, channel, status
    or month; ``dim_key`` its value as text) the appeals are counted by late,
    judged (resolved with a deadline) and resolution bucket (-1: unresolved).
    Each appeal is counted once in every dimension: a few thousand cells per
    dimension however many appeals there are.
    """

    id = Serial(primary_key=True)
    dim = Varchar(length=16)
    dim_key = Varchar(length=300)
    late = Boolean(default=False)
    judged = Boolean(default=False)
    bucket = Integer(default=-1)
    n = Integer(default=0)
