"""Standards, assessments and rankings in GraphQL, one concept per module:

- :mod:`.scalars` — the ``JSON`` scalar and the enums (``AssessmentStatus``, ``SubjectKind``,
  ``RecordKind``) with their labels;
- :mod:`.standards` — what is installed and switched on: ``Standard``, ``StandardCriterion``,
  ``RulePlugin``, ``PluginProblem``, ``ActivityKind``, ``CountyStandard``;
- :mod:`.results` — ``Assessment`` and its criterion, window, item and section results with
  evidence, and the ``compliance`` / ``dutyAssessment`` fields of subjects;
- :mod:`.summary` — ``County.assessmentSummary`` (counted by the domain);
- :mod:`.queries` — the root fields (``standards``, ``assessments``, ``ranking`` …);
- :mod:`.county_standards` — the mutations that choose a county's standards.
"""

from xieshang.schema.assessments.county_standards import AssessmentMutation
from xieshang.schema.assessments.queries import AssessmentQuery
from xieshang.schema.assessments.results import AssessmentType, compliance_field, member_duty
from xieshang.schema.assessments.scalars import JSON_SCALAR, JSONValue
from xieshang.schema.assessments.standards import CountyStandard, county_standard_list
from xieshang.schema.assessments.summary import StandardSummary, county_summary

__all__ = [
    "JSON_SCALAR",
    "AssessmentMutation",
    "AssessmentQuery",
    "AssessmentType",
    "CountyStandard",
    "JSONValue",
    "StandardSummary",
    "compliance_field",
    "county_standard_list",
    "county_summary",
    "member_duty",
]
