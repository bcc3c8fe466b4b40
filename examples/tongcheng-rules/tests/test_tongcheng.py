"""桐城's scheme on the demo database, with xieshang's own pytest fixtures."""

from __future__ import annotations

from tongcheng_rules import plugin

from xieshang.rules import Status


async def test_every_member_gets_a_score_and_grade(xieshang_plugin_rules, xieshang_assess):
    rules = xieshang_plugin_rules(("tongcheng", plugin))
    results = await xieshang_assess("tongcheng.member-duty", "2024", rules=rules)
    assert len(results) == 250
    for assessment in results:
        assert 0 <= assessment.score <= 100
        sections = {s.code: s for s in assessment.criteria[0].sections}
        assert sections["meetings"].points <= 50 and sections["proposals"].points <= 25
        assert sections["activities"].points <= 10 and sections["reports"].points <= 15
        passing = assessment.score >= 60
        assert (assessment.status is Status.MET) is passing
        assert assessment.grade == (
            "优秀"
            if assessment.score >= 90
            else "良好"
            if assessment.score >= 80
            else "称职"
            if passing
            else "不称职"
        )


async def test_a_joint_proposal_gives_the_first_proposer_half(
    xieshang_plugin_rules, xieshang_assess
):
    rules = xieshang_plugin_rules(("tongcheng", plugin))
    results = await xieshang_assess("tongcheng.member-duty", "2024", rules=rules)
    for assessment in results:
        section = next(s for s in assessment.criteria[0].sections if s.code == "proposals")
        # Raw points come in multiples of 2.5: 10 or 25 for a proposal alone, half of that jointly.
        assert (section.raw_points * 2) % 5 == 0
    assert any(
        (s.raw_points * 2) % 10 == 5
        for a in results
        for s in a.criteria[0].sections
        if s.code == "proposals"
    )
