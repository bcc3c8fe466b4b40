"""``xieshang rules …`` and ``xieshang assess`` on the demo database, in-process.

(``tests/test_cli_processes.py`` runs ``xieshang assess`` as a real process.)
"""

from __future__ import annotations

import csv
import io
import json

from cli_helpers import invoke, one_line_error
from sqlalchemy.engine import URL


def test_enable_with_overrides_then_disable(xieshang_demo_url: URL) -> None:
    url = xieshang_demo_url
    enabled = invoke(
        "rules",
        "enable",
        "--county",
        "511323",
        "pengan.three-ones",
        "--override",
        "monthly-report.minimum=2",
        url=url,
    )
    assert enabled.returncode == 0, enabled.stderr
    listing = invoke("rules", "list", "--county", "511323", url=url).stdout
    assert '"monthly-report.minimum": 2' in listing
    strict = invoke(
        "assess",
        "--county",
        "511323",
        "--standard",
        "pengan.three-ones",
        "--period",
        "2024",
        "--format",
        "json",
        url=url,
    )
    assert {a["status"] for a in json.loads(strict.stdout)} == {"NOT_MET"}

    disabled = invoke("rules", "disable", "--county", "511323", "pengan.six-haves", url=url)
    assert (
        disabled.returncode == 0 and "pengan.six-haves" not in disabled.stdout.split("现启用：")[1]
    )
    again = invoke("rules", "disable", "--county", "511323", "pengan.six-haves", url=url)
    assert "[NOT_FOUND]" in one_line_error(again)


def test_wrong_inputs_are_one_line_errors(xieshang_demo_url: URL) -> None:
    url = xieshang_demo_url
    assert "[UNKNOWN_STANDARD]" in one_line_error(
        invoke("rules", "enable", "--county", "511323", "nobody.nothing", url=url)
    )
    assert "没有行政区划代码为 999999" in one_line_error(
        invoke("rules", "enable", "--county", "999999", "pengan.three-ones", url=url)
    )
    bad = invoke(
        "rules",
        "enable",
        "--county",
        "511323",
        "pengan.three-ones",
        "--override",
        "monthly-report.minimum",
        url=url,
    )
    assert "--override" in one_line_error(bad)
    worse = invoke(
        "rules",
        "enable",
        "--county",
        "511323",
        "pengan.three-ones",
        "--override",
        "nothing.minimum=2",
        url=url,
    )
    assert "[INVALID_OVERRIDE]" in one_line_error(worse)
    period = invoke(
        "assess",
        "--county",
        "511323",
        "--standard",
        "pengan.three-ones",
        "--period",
        "2024-Q5",
        url=url,
    )
    assert "[INVALID_PERIOD]" in one_line_error(period)
    fmt = invoke(
        "assess",
        "--county",
        "511323",
        "--standard",
        "pengan.three-ones",
        "--period",
        "2024",
        "--format",
        "xml",
        url=url,
    )
    assert fmt.returncode == 2 and "invalid choice" in one_line_error(fmt)


def test_assess_formats(xieshang_demo_url: URL) -> None:
    url = xieshang_demo_url
    table = invoke(
        "assess",
        "--county",
        "511323",
        "--standard",
        "pengan.three-ones",
        "--period",
        "2024",
        url=url,
    ).stdout
    assert "MET 12" in table and "NOT_MET 4" in table and "2024-03、2024-08 未达到" in table
    rows = list(
        csv.reader(
            io.StringIO(
                invoke(
                    "assess",
                    "--county",
                    "511323",
                    "--standard",
                    "pengan.member-duty",
                    "--period",
                    "2024",
                    "--format",
                    "csv",
                    url=url,
                ).stdout
            )
        )
    )
    assert rows[0] == ["名次", "对象", "状态", "得分", "等次", "说明"]
    assert len(rows) == 251 and rows[1][0] == "1"
    scores = [float(r[3]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
