"""``xieshang import members|platforms|studios|template`` and ``xieshang export …``.

Import validates the whole file first and reports every bad row (row number, column, reason);
it writes nothing unless every row is valid, or with ``--skip-invalid`` writes the valid rows.
Export writes .xlsx (default) or CSV with a byte-order mark; the rosters in exactly the import
format. See docs/spreadsheets.md for the columns.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from xieshang.cli.common import database, integer, subcommands, unit_of_work, writes
from xieshang.config import Settings
from xieshang.errors import XieshangError

ROSTERS = ("members", "platforms", "studios")


class ImportRefused(XieshangError):
    """Rows had errors and nothing was written."""

    code = "INVALID_ROWS"


def register(commands: Any) -> None:
    group = commands.add_parser("import", help="从 Excel/CSV 导入名册 import rosters")
    actions = subcommands(group, "import_command", metavar="KIND")
    for kind in ROSTERS:
        action = actions.add_parser(kind, help=f"导入{_LABELS[kind]}名册 import {kind}")
        action.add_argument("file", type=Path, metavar="FILE", help=".xlsx 或 .csv 文件")
        action.add_argument(
            "--county", metavar="CODE", required=True, help="行政区划代码，如 511323"
        )
        action.add_argument(
            "--skip-invalid",
            action="store_true",
            help="写入有效的行，报告其余的行 write the valid rows, report the rest",
        )
        action.set_defaults(handler=_import, kind=kind)
        writes(action, f"import.{kind}")
    tpl = actions.add_parser("template", help="生成带说明的导入模板 write a template")
    tpl.add_argument(
        "template_kind", choices=ROSTERS, metavar="KIND", help="members、platforms 或 studios"
    )
    tpl.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="输出文件（默认 KIND-template.xlsx）"
    )
    tpl.set_defaults(handler=_template)
    writes(tpl, None)

    export = commands.add_parser("export", help="导出名册和报表 export rosters and reports")
    export.add_argument(
        "export_kind",
        choices=("members", "platforms", "studios", "assessments", "statistics"),
        metavar="KIND",
        help="members、platforms、studios、assessments 或 statistics",
    )
    export.add_argument("--county", metavar="CODE", required=True, help="行政区划代码")
    export.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="文件格式（默认 xlsx）"
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="输出文件（默认 KIND.FORMAT）"
    )
    export.add_argument("--year", type=integer, help="statistics：年度（默认今年）")
    export.add_argument("--standard", metavar="CODE", help="assessments：考核标准代码")
    export.add_argument("--period", help="assessments：考核期间，如 2024 或 2024-H1")
    export.set_defaults(handler=_export)
    writes(export, None)


_LABELS = {"members": "委员", "platforms": "协商平台", "studios": "工作室"}


def _template(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.domain import spreadsheets

    kind = spreadsheets.kind_of(args.template_kind)
    output = args.output or Path(f"{kind.name}-template.xlsx")
    output.write_bytes(spreadsheets.template(kind))
    print(f"已生成模板 wrote {output}")


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from xieshang.domain import spreadsheets

    kind = spreadsheets.kind_of(args.kind)
    table = spreadsheets.read_table(args.file)
    try:
        result = asyncio.run(_run_import(settings, kind, args, table))
    except spreadsheets.RowsRefused as refused:
        result = refused.result
    for error in result.errors:
        print(str(error), file=sys.stderr)
    summary = (
        f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        f"，有错误的行 {result.rows_with_errors}"
    )
    if not result.committed:
        raise ImportRefused(
            f"{result.rows_with_errors} 行有错误，未写入任何数据（{summary}；"
            "改正后重新导入，或用 --skip-invalid 只写入有效的行）"
        )
    print(f"{args.file.name}：{summary} created/updated/unchanged/invalid")
    return 0


async def _run_import(
    settings: Settings, kind: Any, args: argparse.Namespace, table: list[list[Any]]
) -> Any:
    from xieshang.domain import spreadsheets
    from xieshang.errors import ValidationFailed

    async with unit_of_work(settings, f"import.{kind.name}", target=args.file.name) as work:
        try:
            county = await spreadsheets.county_by_code(work.session, args.county)
        except ValidationFailed as exc:
            raise XieshangError(exc.errors[0].message, code="NOT_FOUND") from exc
        return await spreadsheets.import_rows(
            work, kind, county.id, table, skip_invalid=args.skip_invalid
        )


def _export(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.domain import spreadsheets
    from xieshang.domain.calendar import local_today
    from xieshang.engine.registry import RulePlugins
    from xieshang.errors import ValidationFailed

    request = spreadsheets.ExportRequest(
        args.export_kind, args.county, year=args.year, standard=args.standard, period=args.period
    )

    async def run() -> tuple[str, list[str], list[list[Any]]]:
        async with database(settings) as sessions, sessions() as session:
            try:
                return await spreadsheets.export_table(
                    session,
                    request,
                    rules=RulePlugins.load() if request.kind == "assessments" else None,
                    today=local_today(settings.zone),
                )
            except ValidationFailed as exc:
                raise XieshangError(
                    "；".join(e.message for e in exc.errors), code=exc.errors[0].code
                ) from exc

    title, header, rows = asyncio.run(run())
    output = args.output or Path(f"{args.export_kind}.{args.format}")
    output.write_bytes(spreadsheets.encode(args.format, title, header, rows))
    print(f"已导出 {len(rows)} 行 wrote {len(rows)} row(s) to {output}")
