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
