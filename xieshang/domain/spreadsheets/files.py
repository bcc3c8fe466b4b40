"""Spreadsheet files: reading the first sheet of an .xlsx or a CSV, writing .xlsx and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xieshang.errors import XieshangError

#: Excel opens a CSV as UTF-8 only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


class SpreadsheetError(XieshangError):
    """The file cannot be read as a roster at all (not a row's problem)."""

    code = "BAD_FILE"


def read_table(path: Path) -> list[list[Any]]:
    """The rows of the first sheet of an .xlsx file, or of a CSV file (with or without BOM)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding=CSV_ENCODING, newline="") as handle:
                return [list(row) for row in csv.reader(handle)]
        except (OSError, UnicodeDecodeError) as exc:
            raise SpreadsheetError(f"无法读取 CSV 文件 {path}：{exc}") from exc
    if suffix not in (".xlsx", ".xlsm"):
        raise SpreadsheetError(f"只支持 .xlsx 和 .csv 文件，收到 {path.name}")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(f"无法读取 Excel 文件 {path}：{exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> bytes:
    """An .xlsx file of ``(title, header, rows)`` sheets; text cells stay text (phones, codes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file in UTF-8 with a byte-order mark, so Excel shows the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(CSV_ENCODING)


def encode(fmt: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The export as .xlsx or CSV bytes."""
    if fmt == "csv":
        return write_csv(header, rows)
    return write_xlsx([(title, header, rows)])
