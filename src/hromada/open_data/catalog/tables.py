from piccolo.columns import JSON, BigInt, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class DatasetVersion(Table, tablename="dataset_version"):
    """One published, immutable version of a declared dataset.

    Its files live in ``<data dir>/datasets/<slug>/<number>/``; the row is
    committed only after they are complete, so a version that has a row is
    always whole. A version the retention policy removed keeps its row (number,
    checksums, counts: what a citation needs to be checked) with ``pruned_at`` set;
    its files are gone and its download URLs answer 410 naming the latest version.
    """

    id = Serial(primary_key=True)
    slug = Varchar(length=100, index=True)
    number = Integer()
    created_at = Timestamptz()
    row_count = BigInt()
    # {"csv": {"sha256": "...", "bytes": 123}, ...}
    files = JSON()
    content_sha256 = Varchar(length=64)
    rows_added = BigInt(default=0)
    rows_changed = BigInt(default=0)
    rows_removed = BigInt(default=0)
    # Kept by every prune unless it is told to include pinned versions (a cited version).
    pinned = Boolean(default=False)
    pruned_at = Timestamptz(null=True, default=None)
    # The dataset's metadata as this version was published with it (``catalog.search``).
    listing = JSON(null=True, default=None)
    # What the dataset's declared ``fingerprint`` gave before its rows were read: a later
    # publish that gets the same answer has nothing new to say and reads no row.
    fingerprint = Varchar(length=64, null=True, default=None)


class WriteCount(Table, tablename="write_count"):
    """How many writes each counted table has had (``db.write_counts``; triggers add them)."""

    id = Serial(primary_key=True)
    name = Varchar(length=63, unique=True)
    writes = BigInt(default=0)
