"""Spreadsheets (Excel and CSV): rosters in and out, reports out.

- :mod:`.cells` — reading and writing one cell by the column's type;
- :mod:`.files` — reading and writing .xlsx and CSV files;
- :mod:`.rosters` — the roster kinds (members, platforms, studios), derived from the column
  declarations: import through the entity operations, export in the import format, templates;
- :mod:`.reports` — assessment results and statistics as sheets, and the export both the CLI
  and ``GET /exports/…`` use.
"""

from xieshang.domain.spreadsheets.cells import short_label
from xieshang.domain.spreadsheets.files import (
    CSV_ENCODING,
    SpreadsheetError,
    encode,
    read_table,
    write_csv,
    write_xlsx,
)
from xieshang.domain.spreadsheets.reports import (
    EXPORT_KINDS,
    ExportRequest,
    county_by_code,
    export_table,
)
from xieshang.domain.spreadsheets.rosters import (
    KINDS,
    ImportResult,
    Roster,
    RowError,
    RowsRefused,
    import_rows,
    kind_of,
    roster_rows,
    template,
)

__all__ = [
    "CSV_ENCODING",
    "EXPORT_KINDS",
    "KINDS",
    "ExportRequest",
    "ImportResult",
    "Roster",
    "RowError",
    "RowsRefused",
    "SpreadsheetError",
    "county_by_code",
    "encode",
    "export_table",
    "import_rows",
    "kind_of",
    "read_table",
    "roster_rows",
    "short_label",
    "template",
    "write_csv",
    "write_xlsx",
]
