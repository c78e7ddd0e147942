"""Appeals: the service every transport calls (REST, GraphQL, Open311, CKAN,
downloads, search). A facade: each concern lives in a module of its own.

- ``importing``: the import, the one write path (check, anonymise, write, in one
  transaction).
- ``rollup``: the stats cells the import keeps in step.
- ``queries``: the public list, one appeal, bulk rows, the service catalogue.
- ``statistics``: counts and resolution times per group, small groups suppressed.
- ``documents``: what appeals put in the search index.

Confidential appeals are excluded from every record-level query; they count only
in the statistics, where groups smaller than k are suppressed.
"""

from __future__ import annotations

from hromada.open_data.appeals.documents import public_ids, search_documents
from hromada.open_data.appeals.importers import CLOSED_STATUSES, STATUSES
from hromada.open_data.appeals.importing import (
    WriteResult,
    category_code,
    import_file,
    import_records,
    write_appeals,
)
from hromada.open_data.appeals.preparing import STORED_COLUMNS, prepare_rows
from hromada.open_data.appeals.queries import (
    GROUPS,
    SORTS,
    Found,
    count_public,
    cursor_for,
    find_appeals,
    get_appeal,
    get_appeals,
    get_category,
    iter_found_rows,
    iter_public_rows,
    list_appeals,
    list_categories,
    list_sql,
    now,
    public_rows_fingerprint,
    where_of,
)
from hromada.open_data.appeals.rollup import (
    fill_stats_cells,
    rebuild_rollup,
    rollup_plan,
    rollup_sql,
)
from hromada.open_data.appeals.schemas import ImportReport
from hromada.open_data.appeals.statistics import density, stats, stats_sql, stats_table

__all__ = [
    "CLOSED_STATUSES",
    "GROUPS",
    "SORTS",
    "STATUSES",
    "STORED_COLUMNS",
    "Found",
    "ImportReport",
    "WriteResult",
    "category_code",
    "count_public",
    "cursor_for",
    "density",
    "fill_stats_cells",
    "find_appeals",
    "get_appeal",
    "get_appeals",
    "get_category",
    "import_file",
    "import_records",
    "iter_found_rows",
    "iter_public_rows",
    "list_appeals",
    "list_categories",
    "list_sql",
    "now",
    "prepare_rows",
    "public_ids",
    "public_rows_fingerprint",
    "rebuild_rollup",
    "rollup_plan",
    "rollup_sql",
    "search_documents",
    "stats",
    "stats_sql",
    "stats_table",
    "where_of",
    "write_appeals",
]
