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
        "RECOMMENDED": "Recommended (推荐) by its provincial HR department, or the office.",
        "PRELIMINARY_PASSED": "Passed CETTIC's preliminary expert review (初审).",
        "AUDITED": "Audited by the office (审核); its publicity may start.",
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
