"""Who may read the metrics and the Plan, import data and edit the Plan (rules of iom/policy.py)."""

from iom.models import Role
from iom.policy import define

READ_METRICS = define(
    "read_metrics",
    roles={Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR},
    description="Reoffending metrics, pre/post adoption, snapshots and the dashboard: aggregates only, no names.",
    refusal="Only IOM managers, analysts and administrators use the metrics and the dashboard.",
)
RUN_IMPORTS = define(
    "run_imports",
    roles={Role.IOM_MANAGER},
    description="Uploads cohort, people, membership and offence files (people are personal data; cohorts the panel's).",
    refusal="Only IOM managers import data.",
)
READ_PLAN = define(
    "read_plan",
    roles={Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR},
    description="The Police and Crime Plan scorecard and performance framework.",
    refusal="Only IOM managers, analysts and administrators use the Plan scorecard.",
)
EDIT_PLAN_MEASURES = define(
    "edit_plan_measures",
    roles={Role.IOM_MANAGER, Role.ADMINISTRATOR},
    description="Changes a Plan measure's baseline, target and years.",
    refusal="Only IOM managers and administrators change the Plan's measures.",
)
ENTER_PLAN_ACTUALS = define(
    "enter_plan_actuals",
    roles={Role.IOM_MANAGER},
    description="Enters a year's actual for a measure the service does not compute.",
    refusal="Only IOM managers enter the Plan's actuals.",
)
PRODUCE_SUBJECT_ACCESS = define(
    "produce_subject_access",
    roles={Role.IOM_MANAGER},
    description=(
        "Produces everything held about a person they can see for a subject access request (a zip built in the "
        "background), reviews what it flags and downloads it."
    ),
    refusal="Only IOM managers produce subject access bundles.",
)
REVIEW_RETENTION = define(
    "review_retention",
    roles={Role.IOM_MANAGER},
    description=(
        "Reviews the people they can see who are due for a retention review: retains them with a reason and a "
        "next review date, or disposes of them (erases their personal data)."
    ),
    refusal="Only IOM managers review retention and erase people's records.",
)
