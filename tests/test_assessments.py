"""蓬安's standards on the demo county, through the engine and through GraphQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.db import models as m
from xieshang.db import stats
from xieshang.demo import reference as ref
from xieshang.engine.registry import RulePlugins
from xieshang.engine.run import AssessmentRun
from xieshang.rules import (
    CriterionResult,
    CustomCriterion,
    Standard,
    Status,
    SubjectKind,
    hookimpl,
    parse_period,
)
from xieshang.testing import GraphQLClient

Sessions = async_sessionmaker[AsyncSession]


async def test_three_ones_names_the_missed_windows(xieshang_assess: Any) -> None:
    results = await xieshang_assess("pengan.three-ones", "2024")
    assert len(results) == 16
    by_name = {a.subject.name: a for a in results}
    missing = {}
    for name, assessment in by_name.items():
        gaps = {
            c.code: [w.label for w in c.windows if w.status is Status.NOT_MET]
            for c in assessment.criteria
            if c.status is Status.NOT_MET
        }
        if gaps:
            missing[name] = gaps
        # Every window is accounted for: 12 months, 4 quarters, 2 half years.
        assert [len(c.windows) for c in assessment.criteria] == [12, 4, 2]
    assert missing == {
        ref.STUDIOS[3][0]: {"monthly-report": ["2024-03", "2024-08"]},
        ref.STUDIOS[8][0]: {"monthly-report": ["2024-11"]},
        ref.STUDIOS[11][0]: {"quarterly-activity": ["2024-Q3"]},
        ref.STUDIOS[14][0]: {"half-yearly-deed": ["2024-H2"]},
    }
    health = by_name[ref.STUDIOS[3][0]]
    assert health.status is Status.NOT_MET
    march = next(w for w in health.criteria[0].windows if w.label == "2024-03")
    assert (march.count, march.minimum, march.evidence) == (0, 1, [])
    assert "2024-03" in march.reason and "0 条" in march.reason
    met = next(a for a in results if a.status is Status.MET)
    assert all(w.evidence for w in met.criteria[0].windows)  # record IDs behind every count


async def test_six_haves_covers_every_platform(xieshang_assess: Any) -> None:
    results = await xieshang_assess("pengan.six-haves", "2024")
    assert len(results) == 88
    not_met = {
        a.subject.name: [i.code for i in a.criteria[0].items if i.status is Status.NOT_MET]
        for a in results
        if a.status is Status.NOT_MET
    }
    assert len(not_met) == len(ref.SIX_HAS_GAPS)
    for name, items in not_met.items():
        area = next(area for area in ref.SIX_HAS_GAPS if area in name)
        assert sorted(items) == sorted(ref.SIX_HAS_GAPS[area])


async def test_member_duty_grades_and_ranking(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql()
    data = await client.query(
        """{ ranking(standard: "pengan.member-duty", period: "2024", first: 100) {
            rank subjectName score grade status subject { __typename id }
            criteria { sections { code points cap } } } }"""
    )
    ranking = data["ranking"]
    assert len(ranking) == 100
    scores = [r["score"] for r in ranking]
    assert scores == sorted(scores, reverse=True)
    assert ranking[0]["rank"] == 1 and ranking[0]["subject"]["__typename"] == "Member"
    for row in ranking:
        expected = (
            "优秀"
            if row["score"] >= 90
            else "良好"
            if row["score"] >= 80
            else "称职"
            if row["score"] >= 60
            else "不称职"
        )
        assert row["grade"] == expected
        for section in row["criteria"][0]["sections"]:
            assert section["points"] <= section["cap"]
    grades = Counter(r["grade"] for r in ranking)
    assert grades["优秀"] > 0


async def test_member_duty_counts_studio_compliance(
    xieshang_assess: Any, xieshang_demo_sessions: Sessions
) -> None:
    results = {a.subject.id: a for a in await xieshang_assess("pengan.member-duty", "2024")}
    three_ones = {a.subject.id: a for a in await xieshang_assess("pengan.three-ones", "2024")}
    async with xieshang_demo_sessions() as session:
        links = (
            await session.execute(sa.select(m.StudioMember.member_id, m.StudioMember.studio_id))
        ).all()
    studios_of: dict[int, list[int]] = {}
    for member_id, studio_id in links:
        studios_of.setdefault(member_id, []).append(studio_id)
    for member_id, studios in studios_of.items():
        section = next(s for s in results[member_id].criteria[0].sections if s.code == "studios")
        share = sum(three_ones[s].status is Status.MET for s in studios) / len(studios)
        assert section.points == round(6 * share, 2)
    lonely = next(a for mid, a in results.items() if mid not in studios_of)
    assert next(s for s in lonely.criteria[0].sections if s.code == "studios").points == 0


async def test_county_rollup(xieshang_assess: Any) -> None:
    (county,) = await xieshang_assess("pengan.county-rollup", "2024")
    studios, platforms = county.criteria
    assert studios.score == 75.0 and studios.status is Status.NOT_MET  # 12 of 16 < 80 %
    assert platforms.score == round(83 / 88 * 100, 2) and platforms.status is Status.MET


async def test_a_window_not_ended_is_in_progress_never_not_met(
    xieshang_demo_sessions: Sessions,
) -> None:
    rules = RulePlugins.load()
    async with xieshang_demo_sessions() as session:
        during = AssessmentRun(
            session,
            rules.standards,
            None,
            parse_period("2024"),
            now=datetime(2024, 7, 15, tzinfo=UTC),
        )
        results = await during.assess("pengan.three-ones")
    for assessment in results:
        windows = {w.label: w for c in assessment.criteria for w in c.windows}
        for label in [f"2024-{month:02d}" for month in range(7, 13)] + [
            "2024-Q3",
            "2024-Q4",
            "2024-H2",
        ]:
            window = windows[label]
            assert window.status is (
                Status.MET if window.count >= window.minimum else Status.IN_PROGRESS
            )
        assert windows["2024-06"].status is not Status.IN_PROGRESS  # June had ended
    # 健康守护 has no August report: on 15 July that is "in progress", not "not met".
    health = next(a for a in results if a.subject.name == ref.STUDIOS[3][0])
    august = next(w for w in health.criteria[0].windows if w.label == "2024-08")
    assert (august.count, august.status) == (0, Status.IN_PROGRESS)
    assert health.status is Status.NOT_MET  # March had already been missed


async def test_windows_before_a_studio_existed_are_not_applicable(
    xieshang_demo_sessions: Sessions,
) -> None:
    rules = RulePlugins.load()
    async with xieshang_demo_sessions() as session, session.begin():
        studio = await session.scalar(sa.select(m.Studio).order_by(m.Studio.id).limit(1))
        assert studio is not None
        studio.founded_on = date(2024, 7, 10)
    async with xieshang_demo_sessions() as session:
        results = await AssessmentRun(session, rules.standards, None, parse_period("2024")).assess(
            "pengan.three-ones"
        )
    mine = next(a for a in results if a.subject.id == studio.id)
    months = {w.label: w.status for w in mine.criteria[0].windows}
    assert (
        months["2024-06"] is Status.NOT_APPLICABLE
        and months["2024-07"] is not Status.NOT_APPLICABLE
    )


async def test_overrides_change_the_result(xieshang_assess: Any) -> None:
    strict = await xieshang_assess(
        "pengan.three-ones", "2024", overrides={"monthly-report.minimum": 2}
    )
    assert all(a.status is Status.NOT_MET for a in strict)  # nobody reported twice every month
    lenient = await xieshang_assess(
        "pengan.three-ones", "2024", overrides={"monthly-report.minimum": 1}
    )
    assert sum(a.status is Status.MET for a in lenient) == 12


async def test_a_county_whose_plugin_is_gone_sees_error_not_a_failure(
    xieshang_graphql: Any,
) -> None:
    without_pengan = RulePlugins.load(entry_points=False)
    client: GraphQLClient = xieshang_graphql(rules=without_pengan)
    data = await client.query(
        """{ studios(first: 2) { edges { node { name compliance(period: "2024") { standard status error } } } }
             county(code: "511323") { standards { code standard { title } } } }"""
    )
    for edge in data["studios"]["edges"]:
        (result,) = edge["node"]["compliance"]
        assert result["status"] == "ERROR" and "pengan.three-ones" in result["error"]
    assert {s["code"]: s["standard"] for s in data["county"]["standards"]}[
        "pengan.three-ones"
    ] is None


class Exploding:
    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        def evaluate(_: Any) -> CriterionResult:
            raise ZeroDivisionError("division by zero in the county's formula")

        return [
            Standard(
                "boom.custom",
                "会出错的标准",
                SubjectKind.STUDIO,
                "1",
                (CustomCriterion("calc", "自定义计算", evaluate),),
            )
        ]


async def test_a_failing_custom_criterion_is_error_with_the_plugin_name(
    xieshang_assess: Any, xieshang_plugin_rules: Any
) -> None:
    rules = xieshang_plugin_rules(("boom", Exploding()))
    results = await xieshang_assess("boom.custom", "2024", rules=rules)
    assert len(results) == 16
    for assessment in results:
        assert assessment.status is Status.ERROR
        assert (
            "boom" in assessment.criteria[0].reason
            and "division by zero" in assessment.criteria[0].reason
        )


async def test_statement_count_does_not_grow_with_subjects(
    xieshang_demo_sessions: Sessions, xieshang_demo_engine: Any
) -> None:
    """Doubling the studios and their records does not add a statement."""
    rules = RulePlugins.load()
    stats.install(xieshang_demo_engine)

    async def count() -> tuple[int, int]:
        async with xieshang_demo_sessions() as session:
            with stats.track() as tally:
                evaluation = AssessmentRun(session, rules.standards, None, parse_period("2024"))
                results = [await evaluation.assess(code) for code in rules.standards]
        return tally.statements, sum(len(r) for r in results)

    before, subjects_before = await count()
    async with xieshang_demo_sessions() as session, session.begin():
        studios = (await session.scalars(sa.select(m.Studio))).all()
        for index, studio in enumerate(studios):
            copy = m.Studio(
                county_id=studio.county_id,
                name=f"{studio.name}（二）",
                lead_member_id=studio.lead_member_id,
                batch_year=2024,
            )
            session.add(copy)
            await session.flush()
            for month in range(1, 13):
                session.add(
                    m.OpinionReport(
                        county_id=studio.county_id,
                        title=f"信息{index}-{month}",
                        submitted_on=date(2024, month, 5),
                        studio_id=copy.id,
                    )
                )
    after, subjects_after = await count()
    assert subjects_after == subjects_before + 16
    assert after == before


async def test_assessments_in_graphql(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql(debug_sql=True)
    query = """query($first: Int!) { studios(first: $first) { edges { node { name
        compliance(period: "2024") { standard status
          criteria { code status reason windows {
            label status count minimum reason evidence { __typename id } } } } } } } }"""
    small = await client.post(query, {"first": 3})
    large = await client.post(query, {"first": 16})
    assert not small.errors and not large.errors
    assert (
        small.body["extensions"]["sql"]["statements"]
        == large.body["extensions"]["sql"]["statements"]
    )
    studios = {
        e["node"]["name"]: e["node"]["compliance"][0] for e in large.data["studios"]["edges"]
    }
    health = studios[ref.STUDIOS[3][0]]
    assert health["status"] == "NOT_MET"
    monthly = health["criteria"][0]
    assert [w["label"] for w in monthly["windows"] if w["status"] == "NOT_MET"] == [
        "2024-03",
        "2024-08",
    ]
    evidence = [e for w in monthly["windows"] for e in w["evidence"]]
    assert evidence and {e["__typename"] for e in evidence} == {"OpinionReport"}

    summary = await client.query(
        """{ county(code: "511323") { assessmentSummary(period: "2024") {
            standard total met notMet metShare byOffice { office { name } total met } } } }"""
    )
    rows = {r["standard"]: r for r in summary["county"]["assessmentSummary"]}
    assert (rows["pengan.three-ones"]["total"], rows["pengan.three-ones"]["met"]) == (16, 12)
    assert rows["pengan.three-ones"]["metShare"] == 0.75
    assert sum(o["total"] for o in rows["pengan.three-ones"]["byOffice"]) == 16
    assert rows["pengan.six-haves"]["total"] == 88

    page = await client.query(
        """{ assessments(filter: {standard: "pengan.six-haves", period: "2024"}, first: 50) {
            totalCount hasNextPage endCursor edges { node { subjectName } } } }"""
    )
    rest = await client.query(
        """query($after: String) {
          assessments(filter: {standard: "pengan.six-haves", period: "2024"}, first: 50, after: $after) {
            hasNextPage edges { node { subjectName } } } }""",
        {"after": page["assessments"]["endCursor"]},
    )
    names = [
        e["node"]["subjectName"]
        for e in page["assessments"]["edges"] + rest["assessments"]["edges"]
    ]
    assert page["assessments"]["totalCount"] == 88 and len(set(names)) == 88
    assert rest["assessments"]["hasNextPage"] is False


async def test_bad_periods_and_unknown_standards_are_clear_errors(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql()
    bad = await client.post(
        '{ studios(first: 1) { edges { node { compliance(period: "2024-13") { status } } } } }'
    )
    assert bad.error_codes == ["INVALID_PERIOD"]
    unknown = await client.post('{ ranking(standard: "nobody.nothing", period: "2024") { rank } }')
    assert unknown.error_codes == ["UNKNOWN_STANDARD"]


async def test_switching_standards_for_a_county(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql(as_user="admin")  # the county's own settings
    county = (await client.query('{ county(code: "511323") { id } }'))["county"]["id"]
    mutation = """mutation($input: %sInput!) { %s(input: $input) {
        county { standards { code overrides } } userErrors { field code message } } }"""
    disabled = await client.post(
        mutation % ("DisableCountyStandard", "disableCountyStandard"),
        {"input": {"countyId": county, "code": "pengan.six-haves"}},
    )
    assert [s["code"] for s in disabled.data["disableCountyStandard"]["county"]["standards"]] == [
        "pengan.three-ones", "pengan.member-duty", "pengan.county-rollup",
    ]  # fmt: skip
    enabled = await client.post(
        mutation % ("EnableCountyStandard", "enableCountyStandard"),
        {
            "input": {
                "countyId": county,
                "code": "pengan.six-haves",
                "overrides": {"six-haves.venue.minimum": 1},
            }
        },
    )
    standards = enabled.data["enableCountyStandard"]["county"]["standards"]
    assert standards[-1] == {
        "code": "pengan.six-haves",
        "overrides": {"six-haves.venue.minimum": 1},
    }
    unknown = await client.post(
        mutation % ("EnableCountyStandard", "enableCountyStandard"),
        {"input": {"countyId": county, "code": "tongcheng.member-duty"}},
    )
    assert [e["code"] for e in unknown.data["enableCountyStandard"]["userErrors"]] == [
        "UNKNOWN_STANDARD"
    ]
    bad = await client.post(
        mutation % ("EnableCountyStandard", "enableCountyStandard"),
        {
            "input": {
                "countyId": county,
                "code": "pengan.three-ones",
                "overrides": {"monthly-report.minimum": "many"},
            }
        },
    )
    assert [e["code"] for e in bad.data["enableCountyStandard"]["userErrors"]] == [
        "INVALID_OVERRIDE"
    ]
    again = await client.post(
        mutation % ("DisableCountyStandard", "disableCountyStandard"),
        {"input": {"countyId": county, "code": "nobody.nothing"}},
    )
    assert [e["code"] for e in again.data["disableCountyStandard"]["userErrors"]] == ["NOT_FOUND"]
    replaced = await client.post(
        mutation % ("SetCountyStandards", "setCountyStandards"),
        {
            "input": {
                "countyId": county,
                "standards": [{"code": "pengan.member-duty"}, {"code": "pengan.three-ones"}],
            }
        },
    )
    assert [s["code"] for s in replaced.data["setCountyStandards"]["county"]["standards"]] == [
        "pengan.member-duty",
        "pengan.three-ones",
    ]


async def test_a_new_county_gets_the_default_standards(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql(system=True)  # counties are made by the operator
    created = await client.query(
        """mutation { createCounty(input: {code: "511381", name: "阆中市", city: "南充市", province: "四川省"}) {
            county { standards { code } } userErrors { code } } }"""
    )
    assert [s["code"] for s in created["createCounty"]["county"]["standards"]] == [
        "pengan.three-ones", "pengan.six-haves", "pengan.member-duty", "pengan.county-rollup",
    ]  # fmt: skip


async def test_activity_kinds_from_plugins_are_accepted(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql()
    kinds = {
        k["code"] for k in (await client.query("{ activityKinds { code label } }"))["activityKinds"]
    }
    assert {"READING", "ROTA_RECEPTION"} <= kinds
    county = (await client.query('{ county(code: "511323") { id } }'))["county"]["id"]
    mutation = """mutation($kind: String!, $county: ID!) { createActivity(input: {countyId: $county, kind: $kind,
        title: "轮值接待", occurredOn: "2025-01-05"}) { activity { kind kindLabel } userErrors { code message } } }"""
    ok = await client.post(mutation, {"kind": "ROTA_RECEPTION", "county": county})
    assert ok.data["createActivity"]["activity"]["kindLabel"].startswith("委员轮值接待")
    unknown = await client.post(mutation, {"kind": "SKYDIVING", "county": county})
    assert [e["code"] for e in unknown.data["createActivity"]["userErrors"]] == ["INVALID_VALUE"]


async def test_a_failing_criterion_keeps_its_kind_name(
    xieshang_assess: Any, xieshang_plugin_rules: Any
) -> None:
    rules = xieshang_plugin_rules(("boom", Exploding()))
    results = await xieshang_assess("boom.custom", "2024", rules=rules)
    assert {a.criteria[0].kind for a in results} == {"CUSTOM"}  # the API's name, as in standards


def _quota_plugin(criterion_code: str) -> Any:
    from xieshang.rules import PeriodicQuota, RecordKind, Window

    class Plugin:
        @hookimpl
        def xieshang_standards(self) -> list[Standard]:
            quota = PeriodicQuota(
                criterion_code, "每季度一条信息", RecordKind.OPINION_REPORT, Window.QUARTER, 1
            )
            return [Standard("stale.quota", "季度信息", SubjectKind.STUDIO, "1", (quota,))]

    return Plugin()


async def test_overrides_a_plugin_update_made_stale_give_error_results_not_a_failure(
    xieshang_assess: Any,
    xieshang_plugin_rules: Any,
    xieshang_demo_sessions: Sessions,
) -> None:
    from xieshang.domain import assessments

    before = xieshang_plugin_rules(("stale", _quota_plugin("reports")))
    results = await xieshang_assess(
        "stale.quota", "2024", rules=before, overrides={"reports.minimum": 2}
    )
    assert len(results) == 16 and all(a.status is not Status.ERROR for a in results)
    # The plugin's next release renames the criterion the county's override names.
    after = xieshang_plugin_rules(("stale", _quota_plugin("quarterly")))
    async with xieshang_demo_sessions() as session:
        stale = await assessments.assess(session, after, "stale.quota", parse_period("2024"))
        three_ones = await assessments.assess(
            session, after, "pengan.three-ones", parse_period("2024")
        )
    assert len(stale) == 16 and {a.status for a in stale} == {Status.ERROR}
    assert all(
        "参数覆盖已不适用" in (a.error or "") and "reports" in (a.error or "") for a in stale
    )
    assert {a.status for a in three_ones} == {Status.MET, Status.NOT_MET}  # others unaffected


def test_the_county_summary_is_counted_in_the_domain() -> None:
    from xieshang.domain.assessments import OfficeShare, summarise
    from xieshang.rules import Assessment, Subject

    def result(studio: int, status: Status) -> Assessment:
        subject = Subject(SubjectKind.STUDIO, studio, 1, f"工作室{studio}")
        return Assessment("pengan.three-ones", "三个一", "1", "pengan", subject, "2024", status, [])

    results = [
        result(1, Status.MET),
        result(2, Status.NOT_MET),
        result(3, Status.MET),
        result(4, Status.NOT_APPLICABLE),
        result(5, Status.ERROR),
    ]
    offices = {1: 20, 2: 10, 3: 10, 4: None}  # studio 5 has no office either
    summary = summarise(
        RulePlugins.load(), "pengan.three-ones", SubjectKind.STUDIO, results, offices
    )
    assert (summary.title, summary.total, summary.met, summary.not_met) == (
        "样板委员工作室“三个一”",
        5,
        2,
        1,
    )
    assert (summary.not_applicable, summary.error, summary.in_progress) == (1, 1, 0)
    assert summary.met_share == 0.5  # 2 of the 4 that could be assessed
    assert summary.by_office == [
        OfficeShare(10, 2, 1),
        OfficeShare(20, 1, 1),
        OfficeShare(None, 2, 0),
    ]
    missing = summarise(RulePlugins.load(), "gone.standard", SubjectKind.MEMBER, [], None)
    assert (missing.title, missing.total, missing.met_share, missing.by_office) == (
        "gone.standard",
        0,
        None,
        [],
    )


async def test_the_assessment_connection_has_page_info_like_every_list(
    xieshang_graphql: Any,
) -> None:
    import base64

    client: GraphQLClient = xieshang_graphql()
    query = """query($after: String) {
      assessments(filter: {standard: "pengan.three-ones", period: "2024"}, first: 10, after: $after) {
        totalCount hasNextPage endCursor
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { subjectName } } } }"""
    first = (await client.query(query))["assessments"]
    info = first["pageInfo"]
    assert first["totalCount"] == 16 and len(first["edges"]) == 10
    assert info == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][-1]["cursor"],
    }
    assert (first["hasNextPage"], first["endCursor"]) == (True, info["endCursor"])
    # The cursor keeps its format: base64url of assessment:<county>:<subject>.
    raw = info["endCursor"] + "=" * (-len(info["endCursor"]) % 4)
    assert base64.urlsafe_b64decode(raw).decode().startswith("assessment:")
    rest = (await client.query(query, {"after": info["endCursor"]}))["assessments"]
    assert rest["pageInfo"]["hasNextPage"] is False and rest["pageInfo"]["hasPreviousPage"]
    names = [e["node"]["subjectName"] for e in first["edges"] + rest["edges"]]
    assert len(names) == len(set(names)) == 16


async def test_assessment_page_arguments_use_the_shared_checks(xieshang_graphql: Any) -> None:
    client: GraphQLClient = xieshang_graphql()
    page = '{ assessments(filter: {standard: "pengan.three-ones", period: "2024"}, %s) { totalCount } }'
    for arguments, code in (
        ("first: 101", "PAGE_SIZE_EXCEEDED"),
        ("first: -1", "INVALID_ARGUMENT"),
        ('after: "not-a-cursor"', "INVALID_CURSOR"),
    ):
        response = await client.post(page % arguments)
        assert response.error_codes == [code], arguments
    ranking = await client.post(
        '{ ranking(standard: "pengan.member-duty", period: "2024", first: 101) { rank } }'
    )
    assert ranking.error_codes == ["PAGE_SIZE_EXCEEDED"]
