"""The participation audit log: one hash-chained row per state change or staff action."""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Entry ``seq`` commits to every entry before it through ``prev_hash``.

    ``seq`` is unique (a second writer that read the same head fails on insert rather
    than forking the chain) and ``entry_hash`` is SHA-256 over ``prev_hash`` and the
    entry's canonical JSON (``service.entry_hash``), which anyone can recompute from
    what the API publishes.
    """

    id = Serial(primary_key=True)
    seq = Integer(unique=True, index=True)
    at = Timestamptz()
    domain = Varchar(length=32)
    subject = Varchar(length=64, index=True)
    action = Varchar(length=48)
    actor = Varchar(length=48)
    detail = Text()
    prev_hash = Varchar(length=64)
    entry_hash = Varchar(length=64, unique=True)
