"""Seed the Police and Crime Plan 2013–17 from docs/metrics.md "Plan scorecard": its nine policing measures and the
Gateway to Employment goal as a tenth line.

Periods are financial years stored as the year they start in. The nine policing measures ran from 2013/14 to
31 March 2016 (2015/16); the Gateway goal runs over the whole Plan, to 2016/17. docs/metrics.md gives no baseline
figures, so baselines are left empty for IOM managers to enter; the measures judged against a baseline
(reduce by a percentage, "reduced") take 2012/13, the year before the Plan, as their baseline period, which
lets the computed reoffending measure compute its own baseline. Managers may change all of these.
"""

from django.db import migrations

OBJECTIVES = [
    (1, "reduce-priority-crime-and-asb", "Reduce priority crime and anti-social behaviour"),
    (2, "reduce-reoffending", "Reduce reoffending of the most prolific offenders"),
    (3, "support-victims", "Support victims and the vulnerable"),
    (4, "cut-demand", "Cut demand on police through prevention and joined-up work with partners"),
]

BASELINE_YEAR = 2012  # 2012/13
FIRST, LAST_POLICING, LAST_PLAN = 2013, 2015, 2016  # 2013/14, 2015/16, 2016/17

# objective, position, code, title, kind, unit, target, baseline period, last period, computed source
MEASURES = [
    (
        "reduce-priority-crime-and-asb",
        1,
        "priority-crime",
        "Priority crime (burglary, robbery, theft of and from motor vehicles, serious violence, arson)",
        "reduce_by_pct",
        "count",
        18,
        BASELINE_YEAR,
        LAST_POLICING,
        "",
    ),
    (
        "support-victims",
        2,
        "serious-sexual-offence-detection-rate",
        "Serious sexual offence detection rate",
        "reach_rate",
        "percent",
        35,
        None,
        LAST_POLICING,
        "",
    ),
    (
        "reduce-priority-crime-and-asb",
        3,
        "serious-violence-detection-rate",
        "Serious violence detection rate",
        "reach_rate",
        "percent",
        68,
        None,
        LAST_POLICING,
        "",
    ),
    (
        "cut-demand",
        4,
        "ksi-road-collisions",
        "Killed or seriously injured road collisions (at most 320 in 2015/16)",
        "at_most",
        "count",
        320,
        None,
        LAST_POLICING,
        "",
    ),
    (
        "support-victims",
        5,
        "public-satisfaction",
        "Public satisfaction",
        "reach_rate",
        "percent",
        80,
        None,
        LAST_POLICING,
        "",
    ),
    (
        "reduce-priority-crime-and-asb",
        6,
        "asb-incidents",
        "Anti-social behaviour incidents",
        "reduce_by_pct",
        "count",
        40,
        BASELINE_YEAR,
        LAST_POLICING,
        "",
    ),
    (
        "support-victims",
        7,
        "domestic-abuse-detection-rate",
        "Domestic abuse detection rate",
        "reach_rate",
        "percent",
        55,
        None,
        LAST_POLICING,
        "",
    ),
    (
        "reduce-reoffending",
        8,
        "prolific-offender-reoffending",
        "Reoffending of the most prolific offenders (proven reoffending rate)",
        "reduce",
        "percent",
        None,
        BASELINE_YEAR,
        LAST_POLICING,
        "iom_reoffending",
    ),
    (
        "reduce-priority-crime-and-asb",
        9,
        "night-time-economy-violent-and-sexual-crime",
        "Violent and sexual crime in key night-time economy areas",
        "reduce",
        "count",
        None,
        BASELINE_YEAR,
        LAST_POLICING,
        "",
    ),
    (
        "reduce-reoffending",
        10,
        "gateway-employers",
        "Gateway to Employment: employers who have taken on an ex-offender",
        "at_least",
        "count",
        100,
        None,
        LAST_PLAN,
        "gateway_employers",
    ),
]
MEASURE_CODES = [measure[2] for measure in MEASURES]


def seed(apps, schema_editor):
    PlanObjective = apps.get_model("outcomes", "PlanObjective")
    PlanMeasure = apps.get_model("outcomes", "PlanMeasure")
    objectives = {}
    for position, code, title in OBJECTIVES:
        objectives[code], _ = PlanObjective.objects.get_or_create(
            code=code, defaults={"position": position, "title": title}
        )
    for objective, position, code, title, kind, unit, target, baseline_period, last, computed in MEASURES:
        PlanMeasure.objects.get_or_create(
            code=code,
            defaults={
                "objective": objectives[objective],
                "position": position,
                "title": title,
                "kind": kind,
                "unit": unit,
                "target": target,
                "baseline_period": baseline_period,
                "period_from": FIRST,
                "period_to": last,
                "computed": computed,
            },
        )


def unseed(apps, schema_editor):
    PlanObjective = apps.get_model("outcomes", "PlanObjective")
    PlanMeasure = apps.get_model("outcomes", "PlanMeasure")
    PlanActual = apps.get_model("outcomes", "PlanActual")
    PlanActual.objects.filter(measure__code__in=MEASURE_CODES).delete()
    PlanMeasure.objects.filter(code__in=MEASURE_CODES).delete()
    PlanObjective.objects.filter(code__in=[code for _, code, _ in OBJECTIVES], measures__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0004_plan_scorecard")]

    operations = [migrations.RunPython(seed, unseed)]
