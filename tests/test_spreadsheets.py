"""Rosters through Excel and CSV: export, import back, bad rows, templates, HTTP exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cli_helpers import invoke, one_line_error
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import URL

from xieshang.db import models as m
from xieshang.db.enums import Role
from xieshang.domain.accounts import NewUser, create_user
from xieshang.server import create_app
from xieshang.testing import GraphQLClient, settings_for, token_for

COUNTY = "511323"
MODELS = {"members": m.Member, "platforms": m.Platform, "studios": m.Studio}


async def _snapshot(sessions: Any, model: Any) -> list[tuple[Any, ...]]:
    """Every row of ``model`` with every column (versions and timestamps included)."""
    async with sessions() as session:
        table = model.__table__
        rows = (await session.execute(sa.select(table).order_by(*table.primary_key.columns))).all()
    return [tuple(r) for r in rows]


async def _count(sessions: Any, stmt: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(stmt) or 0)


def _sheet(path: Path) -> list[list[Any]]:
    workbook = load_workbook(path)
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def _save(rows: list[list[Any]], path: Path) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["members", "platforms", "studios"])
async def test_exported_rosters_import_back_unchanged(
    kind: str, fmt: str, xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    before = await _snapshot(xieshang_demo_sessions, MODELS[kind])
    studio_members = await _snapshot(xieshang_demo_sessions, m.StudioMember)
    path = tmp_path / f"{kind}.{fmt}"
    exported = invoke(
        "export", kind, "--county", COUNTY, "--format", fmt, "-o", str(path), url=xieshang_demo_url
    )
    assert exported.returncode == 0, exported.stderr
    live = sum(
        1 for row in before if row[MODELS[kind].__table__.c.keys().index("archived_at")] is None
    )
    assert f"已导出 {live} 行" in exported.stdout
    for _ in range(2):  # twice: the second import finds nothing to change either
        imported = invoke("import", kind, str(path), "--county", COUNTY, url=xieshang_demo_url)
        assert imported.returncode == 0, imported.stderr
        assert f"新增 0，更新 0，未变 {live}，有错误的行 0" in imported.stdout
    assert await _snapshot(xieshang_demo_sessions, MODELS[kind]) == before
    assert await _snapshot(xieshang_demo_sessions, m.StudioMember) == studio_members


async def test_a_changed_cell_updates_the_matched_row(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    path = tmp_path / "members.xlsx"
    assert (
        invoke(
            "export", "members", "--county", COUNTY, "-o", str(path), url=xieshang_demo_url
        ).returncode
        == 0
    )
    rows = _sheet(path)
    header = rows[0]
    code = rows[1][header.index("委员编号")]
    rows[1][header.index("职务")] = "新职务"
    result = invoke(
        "import", "members", str(_save(rows, path)), "--county", COUNTY, url=xieshang_demo_url
    )
    assert result.returncode == 0, result.stderr
    assert "新增 0，更新 1，未变" in result.stdout
    async with xieshang_demo_sessions() as session:
        member = await session.scalar(sa.select(m.Member).where(m.Member.code == code))
        assert member.position == "新职务"
        assert member.version == 2


def _bad_file(path: Path, url: URL) -> tuple[Path, str]:
    """The demo roster with two broken rows and two new rows (one valid, one not)."""
    assert invoke("export", "members", "--county", COUNTY, "-o", str(path), url=url).returncode == 0
    rows = _sheet(path)
    header = rows[0]
    phone_before = rows[2][header.index("联系电话")]
    rows[2][header.index("联系电话")] = "电话号码"  # row 3
    rows[4][header.index("届次")] = "十一"  # row 5
    new = dict.fromkeys(header)
    new |= {"委员编号": "N001", "姓名": "新委员", "届次": 11, "界别": "经济"}
    rows.append([new[h] for h in header])  # valid
    bad = new | {"委员编号": "N002", "姓名": "错界别", "界别": "不存在的界别"}
    rows.append([bad[h] for h in header])
    return _save(rows, path), str(phone_before)


async def test_a_file_with_bad_rows_is_refused_with_row_errors_and_writes_nothing(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    before = await _snapshot(xieshang_demo_sessions, m.Member)
    path, _ = _bad_file(tmp_path / "members.xlsx", xieshang_demo_url)
    result = invoke("import", "members", str(path), "--county", COUNTY, url=xieshang_demo_url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("第 3 行「联系电话」：联系电话格式不正确"), lines
    assert lines[1].startswith("第 5 行「届次」：应为整数"), lines
    n = len(before)
    assert lines[2] == f"第 {n + 3} 行「界别」：本县没有“不存在的界别”这个界别", lines
    assert "INVALID_ROWS" in lines[-1] and "未写入任何数据" in lines[-1]
    assert len(lines) == 4
    assert await _snapshot(xieshang_demo_sessions, m.Member) == before


async def test_skip_invalid_writes_exactly_the_valid_rows(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    before = await _snapshot(xieshang_demo_sessions, m.Member)
    path, phone = _bad_file(tmp_path / "members.xlsx", xieshang_demo_url)
    result = invoke(
        "import", "members", str(path), "--skip-invalid", "--county", COUNTY, url=xieshang_demo_url
    )
    assert result.returncode == 0, result.stderr
    assert f"新增 1，更新 0，未变 {len(before) - 2}，有错误的行 3" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 3
    after = await _snapshot(xieshang_demo_sessions, m.Member)
    assert after[: len(before)] == before  # the broken rows kept their old values
    async with xieshang_demo_sessions() as session:
        added = (
            await session.scalars(sa.select(m.Member).where(m.Member.code.in_(["N001", "N002"])))
        ).all()
        assert [(a.code, a.name, a.term) for a in added] == [("N001", "新委员", 11)]
        assert await session.scalar(sa.select(sa.func.count()).where(m.Member.phone == phone)) == 1
        event = await session.scalar(
            sa.select(m.AuditEvent).where(m.AuditEvent.action == "import.members")
        )
        assert event is not None and "created=1" in (event.detail or "")


async def test_templates_import_once_filled(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    async with xieshang_demo_sessions() as session:
        county_platform = await session.scalar(
            sa.select(m.Platform.name).where(
                m.Platform.level == "COUNTY", m.Platform.archived_at.is_(None)
            )
        )
    for kind, fill in (
        ("members", {}),
        ("platforms", {"上级平台": county_platform}),
        ("studios", {"领衔委员编号": "W0001", "领衔委员": None}),
    ):
        path = tmp_path / f"{kind}.xlsx"
        made = invoke("import", "template", kind, "-o", str(path))
        assert made.returncode == 0, made.stderr
        workbook = load_workbook(path)
        assert workbook.sheetnames[1] == "填写说明"
        rows = _sheet(path)
        notes = [list(r) for r in workbook.worksheets[1].iter_rows(values_only=True)]
        assert [n[0] for n in notes[1 : len(rows[0]) + 1]] == rows[0]  # every column explained
        for header, value in fill.items():
            rows[1][rows[0].index(header)] = value
        result = invoke(
            "import", kind, str(_save(rows, path)), "--county", COUNTY, url=xieshang_demo_url
        )
        assert result.returncode == 0, (kind, result.stderr)
        assert "新增 1，更新 0，未变 0，有错误的行 0" in result.stdout
    async with xieshang_demo_sessions() as session:
        studio = await session.scalar(sa.select(m.Studio).where(m.Studio.name == "示例委员工作室"))
        lead = await session.get(m.Member, studio.lead_member_id)
        assert lead.code == "W0001"
        member_ids = (
            await session.scalars(
                sa.select(m.StudioMember.member_id).where(m.StudioMember.studio_id == studio.id)
            )
        ).all()
        assert list(member_ids) == [lead.id]  # the lead is a member, as with createStudio


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([["姓名", "性别"], ["张三", "男"]], "缺少列：届次"),
        ([["姓名", "届次", "身高"], ["张三", 11, 180]], "不认识的列：身高"),
        ([], "文件是空的"),
    ],
)
def test_a_file_that_is_no_roster_gives_one_line(
    rows: list[list[Any]], fragment: str, xieshang_demo_url: URL, tmp_path: Path
) -> None:
    path = _save(rows, tmp_path / "x.xlsx")
    line = one_line_error(
        invoke("import", "members", str(path), "--county", COUNTY, url=xieshang_demo_url)
    )
    assert fragment in line


def test_wrong_file_and_county_give_one_line(xieshang_demo_url: URL, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("姓名")
    assert "只支持" in one_line_error(
        invoke(
            "import", "members", str(tmp_path / "x.txt"), "--county", COUNTY, url=xieshang_demo_url
        )
    )
    path = _save([["姓名", "届次"]], tmp_path / "x.xlsx")
    assert "999999" in one_line_error(
        invoke("import", "members", str(path), "--county", "999999", url=xieshang_demo_url)
    )
    assert "未安装考核标准" in one_line_error(
        invoke(
            "export",
            "assessments",
            "--county",
            COUNTY,
            "--standard",
            "nope",
            "--period",
            "2024",
            url=xieshang_demo_url,
        )
    )


def test_csv_exports_start_with_a_bom_and_read_in_chinese(
    xieshang_demo_url: URL, tmp_path: Path
) -> None:
    path = tmp_path / "statistics.csv"
    result = invoke(
        "export",
        "statistics",
        "--county",
        COUNTY,
        "--year",
        "2024",
        "--format",
        "csv",
        "-o",
        str(path),
        url=xieshang_demo_url,
    )
    assert result.returncode == 0, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "数值"]
    assert ["年度", "2024"] in rows
    assert ["收集议题", "356"] in rows  # the demo's 2024 topics


def test_assessments_export_ranks_with_chinese_headers(
    xieshang_demo_url: URL, tmp_path: Path
) -> None:
    path = tmp_path / "a.xlsx"
    result = invoke(
        "export", "assessments", "--county", COUNTY, "--standard", "pengan.three-ones",
        "--period", "2024", "-o", str(path), url=xieshang_demo_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = _sheet(path)
    assert rows[0] == ["名次", "对象类型", "对象", "状态", "得分", "等次", "说明"]
    assert len(rows) == 17 and {r[1] for r in rows[1:]} == {"工作室"}


# -- over HTTP --------------------------------------------------------------------------------


async def _client(url: URL, engine: Any, token: str | None) -> GraphQLClient:
    client = GraphQLClient(create_app(settings_for(url), engine=engine))
    if token is not None:
        client.http.headers["Authorization"] = f"Bearer {token}"
    return client


async def _token(sessions: Any, url: URL, username: str) -> str:
    async with sessions() as session:
        user = await session.scalar(sa.select(m.User).where(m.User.username == username))
    return token_for(user, settings_for(url))


async def test_http_exports_follow_the_policy_and_mask_phones(
    xieshang_demo_url: URL, xieshang_demo_engine: Any, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        other = m.County(code="511302", name="顺庆区", city="南充市", province="四川省")
        session.add(other)
        await session.flush()
        await create_user(
            session,
            NewUser(
                username="other-staff",
                password="other-password-1",
                role=Role.STAFF,
                county_id=other.id,
            ),
        )
        phones = (
            await session.scalars(
                sa.select(m.Member.phone)
                .where(m.Member.archived_at.is_(None))
                .order_by(m.Member.id)
            )
        ).all()
    masked = f"{phones[0][:3]}****{phones[0][-4:]}"
    # As the GraphQL Member.phone: whole for the county office, masked for other readers.
    expected = {"admin": phones[0], "staff": phones[0], "member": masked, "city": masked}
    for username, phone in expected.items():
        client = await _client(
            xieshang_demo_url,
            xieshang_demo_engine,
            await _token(xieshang_demo_sessions, xieshang_demo_url, username),
        )
        response = await client.http.get(f"/exports/members.xlsx?county={COUNTY}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[1][rows[0].index("联系电话")] == phone, username
        response = await client.http.get(f"/exports/statistics.csv?county={COUNTY}&year=2024")
        assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
        await client.aclose()
    anonymous = await _client(xieshang_demo_url, xieshang_demo_engine, None)
    assert (await anonymous.http.get(f"/exports/members.xlsx?county={COUNTY}")).status_code == 401
    await anonymous.aclose()
    refused = {
        "other-staff": f"/exports/members.csv?county={COUNTY}",  # another county
        "unit": f"/exports/members.csv?county={COUNTY}",  # not a reader of rosters
        "auditor": f"/exports/statistics.csv?county={COUNTY}",
    }
    for username, path in refused.items():
        client = await _client(
            xieshang_demo_url,
            xieshang_demo_engine,
            await _token(xieshang_demo_sessions, xieshang_demo_url, username),
        )
        response = await client.http.get(path)
        assert response.status_code == 403, (username, response.text)
        assert "members" not in response.text and "联系电话" not in response.text
        await client.aclose()
    staff = await _client(
        xieshang_demo_url,
        xieshang_demo_engine,
        await _token(xieshang_demo_sessions, xieshang_demo_url, "staff"),
    )
    assert (await staff.http.get(f"/exports/members.pdf?county={COUNTY}")).status_code == 404
    assert (await staff.http.get("/exports/members.xlsx")).status_code == 400
    assert (await staff.http.get(f"/exports/assessments.xlsx?county={COUNTY}")).status_code == 400
    ok = await staff.http.get(
        f"/exports/assessments.xlsx?county={COUNTY}&standard=pengan.three-ones&period=2024"
    )
    assert ok.status_code == 200
    await staff.aclose()
    async with xieshang_demo_sessions() as session:
        events = (
            await session.execute(
                sa.select(m.AuditEvent.username, m.AuditEvent.action, m.AuditEvent.success).where(
                    m.AuditEvent.action.like("export.%")
                )
            )
        ).all()
    assert ("staff", "export.members", True) in events
    assert ("other-staff", "export.members", False) in events
    assert ("unit", "export.members", False) in events


async def test_a_record_twice_in_one_file_is_an_error(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any, tmp_path: Path
) -> None:
    rows = [
        ["委员编号", "姓名", "届次"],
        ["D001", "甲", 11],
        [None, "乙", 11],
        ["D001", "丙", 11],
        [None, "乙", 11],
        [None, "乙", 12],
    ]
    result = invoke(
        "import",
        "members",
        str(_save(rows, tmp_path / "d.xlsx")),
        "--county",
        COUNTY,
        url=xieshang_demo_url,
    )
    lines = result.stderr.strip().splitlines()
    assert lines[:2] == [
        "第 4 行「委员编号」：与第 2 行的委员编号相同（D001），同一记录只能出现一次",
        "第 5 行「姓名」：与第 3 行的姓名和届次相同（乙 11），同一记录只能出现一次",
    ]
    assert result.returncode == 1
    assert (
        await _count(
            xieshang_demo_sessions, sa.select(sa.func.count()).where(m.Member.code == "D001")
        )
        == 0
    )
