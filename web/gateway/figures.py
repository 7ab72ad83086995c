"""The Gateway figures and funnel as both dashboards show them (``gateway/_figures.html``, ``gateway/_funnel.html``).

The counting is the selectors' (referrals.selectors.gateway_figures and gateway_funnel); this module only labels
the rows and shapes the same cells into tables and Chart.js data, so a chart never disagrees with its table.
"""

import datetime

from iom.models import District
from partners.models import Sector
from referrals import selectors
from referrals.selectors import FUNNEL_STAGES

STAGE_LABELS = {
    "referred": "Referred",
    "matched": "Matched",
    "interviewed": "Interviewed",
    "started": "Started",
    "sustained_13_weeks": "13 weeks in work",
    "sustained_26_weeks": "26 weeks in work",
}
# Sector rows have no "referred": a referral has a sector only once it is matched to an employer.
SECTOR_STAGES = tuple(stage for stage in FUNNEL_STAGES if stage != "referred")


def _group_label(dimension: str, code) -> str:
    if code is None:
        return "Not recorded" if dimension == "district" else "Not yet matched"
    choices = District if dimension == "district" else Sector
    return dict(choices.choices).get(code, code)


def funnel_by_group() -> dict[str, list[dict]]:
    tables = {"all": selectors.gateway_funnel()}
    for dimension in ("district", "sector"):
        tables[dimension] = [
            {**row, "label": _group_label(dimension, row["group"])} for row in selectors.gateway_funnel(by=dimension)
        ]
    return tables


FUNNEL_TABLES = (
    # (dimension, heading, the group column's header, stages shown, what to say when there are no rows)
    ("all", "All referrals", "Group", FUNNEL_STAGES, ""),
    (
        "district",
        "By the person's home district",
        "District",
        FUNNEL_STAGES,
        "No employment referrals have been sent yet.",
    ),
    ("sector", "By the employer's sector", "Sector", SECTOR_STAGES, "No one has been matched to an employer yet."),
)


def _funnel_tables(funnel: dict[str, list[dict]]) -> list[dict]:
    """Each breakdown as a table (rows of cells in stage order) and as Chart.js data drawn from the same cells."""
    tables = []
    for dimension, heading, group_header, stages, empty in FUNNEL_TABLES:
        rows = [
            {"label": row.get("label", "All referrals"), "cells": [row[stage] for stage in stages]}
            for row in funnel[dimension]
        ]
        if dimension == "all":
            # One group: one bar per stage.
            chart = {
                "labels": [STAGE_LABELS[s] for s in stages],
                "datasets": [{"label": "People", "data": rows[0]["cells"]}],
            }
        else:
            chart = {
                "labels": [row["label"] for row in rows],
                "datasets": [
                    {"label": STAGE_LABELS[stage], "data": [row["cells"][index] for row in rows]}
                    for index, stage in enumerate(stages)
                ],
            }
        tables.append(
            {
                "id": dimension,
                "chart_id": f"chart-{dimension}",
                "heading": heading,
                "group_header": group_header,
                "stages": [STAGE_LABELS[stage] for stage in stages],
                "rows": rows,
                "chart": chart,
                "empty": empty,
            }
        )
    return tables


def figures_shown(*, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict:
    """The Gateway figures with the per cent of the Plan's target reached, as ``gateway/_figures.html`` shows them
    (this dashboard and the managers' dashboard)."""
    figures = selectors.gateway_figures(date_from=date_from, date_to=date_to)
    figures["progress"] = min(100, round(100 * figures["employers_with_placement_started"] / figures["target"]))
    return figures


def funnel_tables() -> list[dict]:
    """The funnel's tables and chart data, as ``gateway/_funnel.html`` shows them (both dashboards)."""
    return _funnel_tables(funnel_by_group())
