"""The directory's enums, shared by the institution, metrics and supervision types (kept apart so
that those modules need not import each other)."""

from __future__ import annotations

from resolvers import api
from schema.enums import described

InstitutionKind = described(
    api.Kind,
    "InstitutionKind",
    "The two directories of the notice (两目录).",
    {
        "TRAINING": "A training institution (培训机构): reports cohorts, issues training certificates.",
        "EVALUATION": "An evaluation institution (评价机构): assesses candidates, issues certificates.",
    },
)
InstitutionStatus = described(
    api.Status,
    "InstitutionStatus",
    "Where an institution is in its lifecycle, from application to the directory and off it.",
    {
        "APPLIED": "Applied (申报); waits for its recommendation.",
        "RECOMMENDED": "Recommended (推荐) by its provincial HR department, its sector's "
        "ministry HR office (行业主管部门人事部门), or the office.",
        "PRELIMINARY_PASSED": "Passed CETTIC's preliminary expert review (初审).",
        "AUDITED": "Audited by the office (审核); waits for the steering group's decision.",
        "STEERING_CONFIRMED": "The steering group (工程指导协调小组) decided to include it, as "
        "the office recorded; its publicity may start.",
        "PUBLICIZED": "In its publicity (公示) of 15 working days; objections may be lodged.",
        "LISTED": "On the directory (列入目录), valid three years.",
        "EXPIRED": "Its three years ended without renewal.",
        "SUSPENDED": "Suspended (暂停) after a finding; off the directory.",
        "REMOVED": "Removed (移出目录) for a violation of notice 六(三).",
        "RETURNED": "Returned by a reviewer with a reason; waits for the institution to resubmit.",
    },
)
Violation = described(
    api.Violation,
    "Violation",
    "Grounds for removal (notice 六(三)).",
    {
        "FALSE_ADVERTISING": "False advertising (发布虚假广告).",
        "TRAINING_LOANS": "Training loans (发放“培训贷”).",
        "EXAGGERATED_RESULTS": "Exaggerated results (夸大培训效果): guaranteed passes, jobs or salaries.",
        "SUBCONTRACTING": "Subcontracting or transferring the work (转包、转让其他机构).",
        "FRAUD": "Fraud (弄虚作假).",
        "FEE_MISAPPROPRIATION": "Obtaining or claiming funds improperly (违规套取或冒领费用).",
    },
)

RecommenderKind = described(
    api.RecommenderKind,
    "RecommenderKind",
    "Who recommends an application (notice 四(四)).",
    {
        "PROVINCE": "The provincial HR department (省级人力资源社会保障部门) of its province.",
        "SECTOR": "The HR office of an industry ministry (行业主管部门人事部门), for its sector.",
        "OFFICE": "The office, for a ministry-level body.",
    },
)


PriorityBasis = described(
    api.PriorityBasis,
    "PriorityBasis",
    "Why an applicant claims priority in the selection (notice 四(三)).",
    {
        "NATIONAL_CE_BASE": "国家级专业技术人员继续教育基地: the priority of a training institution.",
        "STANDARD_DEVELOPER": "相关职业标准开发单位 (developer of the occupation's standard): the "
        "priority of an evaluation institution.",
    },
)
