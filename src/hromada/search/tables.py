from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class SearchOutbox(Table, tablename="search_outbox"):
    """Documents whose search entry must be brought up to date.

    A domain writes a row in the same transaction as its change
    (:func:`hromada.search.outbox.enqueue`); the indexer reads the current state
    of the document from the database, updates the index, then deletes the row.
    ``doc_id`` ``*`` with ``op`` ``purge`` removes every document of the type first
    (a rebuild).
    """

    id = Serial(primary_key=True)
    doc_type = Varchar(length=64)
    doc_id = Varchar(length=128)
    op = Varchar(length=8, default="upsert")  # upsert, delete, purge
    created_at = Timestamptz()
    attempts = Integer(default=0)
    last_error = Text(default="")
