"""The reoffending metrics over the API (docs/metrics.md "Metric API"): aggregates only, JSON or CSV.

Parameters are checked strictly (unknown or malformed is a 400 with field errors), the figures come from
``outcomes.metrics`` unchanged, and each response carries ``data_as_of``.
"""

import json
from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ErrorSerializer, StrictQueryParamsMixin, acting_user, validated
from api.exports import CSV_PARAMETERS, CsvExportMixin
from iom.dates import ISO_DATE
from iom.services._validation import today
from outcomes import metrics
from outcomes.metrics.reoffending import FIGURES, parse_quarter, quarters_between
from outcomes.models import MetricKind
from outcomes.rules import READ_METRICS
from outcomes.selectors import metrics as selectors_metrics
from outcomes.selectors.metrics import data_as_of, metric_cohort_list

MAX_QUARTERS = 80  # twenty years of quarterly cohorts in one request


class _CohortField(serializers.CharField):
    """A cohort slug the user may see, turned into the cohort (an invisible one reads as unknown)."""

    def run_validation(self, data=serializers.empty):
        slug = super().run_validation(data)
        if slug in (None, serializers.empty):
            return slug
        cohort = metric_cohort_list(user=acting_user(self.context["request"])).filter(slug=slug).first()
        if cohort is None:
            raise serializers.ValidationError(f"No cohort has the slug {slug!r}.")
        return cohort


class IsoDateField(serializers.DateField):
    """A date written exactly YYYY-MM-DD, as in docs/data-formats.md (``2021-1-1`` is refused, not guessed)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not ISO_DATE.match(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class _AsOfMixin(serializers.Serializer):
    as_of = IsoDateField(required=False, help_text="Defaults to today (Europe/London).")
    cohort = _CohortField(required=False, help_text="A cohort's slug; everyone when omitted.")

    def validate(self, attrs):
        attrs.setdefault("as_of", today())
        attrs.setdefault("cohort", None)
        return attrs


class ReoffendingParams(_AsOfMixin):
    index_from = IsoDateField()
    index_to = IsoDateField()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["index_from"] > attrs["index_to"]:
            raise serializers.ValidationError({"index_to": ["The index window must not end before it starts."]})
        return attrs


class QuarterlyParams(_AsOfMixin):
    from_quarter = serializers.CharField(help_text="e.g. 2018Q1")
    to_quarter = serializers.CharField(help_text="e.g. 2019Q4")

    def _quarter(self, value: str) -> str:
        try:
            parse_quarter(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value

    def validate_from_quarter(self, value: str) -> str:
        return self._quarter(value)

    def validate_to_quarter(self, value: str) -> str:
        return self._quarter(value)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if parse_quarter(attrs["from_quarter"])[0] > parse_quarter(attrs["to_quarter"])[0]:
            raise serializers.ValidationError({"to_quarter": ["The last quarter must not be before the first."]})
        if len(quarters_between(attrs["from_quarter"], attrs["to_quarter"])) > MAX_QUARTERS:
            raise serializers.ValidationError({"to_quarter": [f"Ask for at most {MAX_QUARTERS} quarters at once."]})
        return attrs


class PrePostParams(_AsOfMixin):
    cohort = _CohortField(help_text="The cohort's slug.")


# --- Documentation shapes ------------------------------------------------------------------------------------


def _cell_fields() -> dict[str, serializers.Field]:
    # Fresh field instances each time: DRF binds a field to one parent.
    return {
        "measurable": serializers.IntegerField(allow_null=True),
        "reoffenders": serializers.IntegerField(allow_null=True),
        "proven_reoffences": serializers.IntegerField(allow_null=True),
        "binary_rate": serializers.FloatField(allow_null=True),
        "binary_rate_ci95": serializers.ListField(child=serializers.FloatField(), allow_null=True, min_length=2),
        "frequency_per_offender": serializers.FloatField(allow_null=True),
        "frequency_per_reoffender": serializers.FloatField(allow_null=True),
        "suppressed": serializers.BooleanField(),
    }


def _top_fields() -> dict[str, serializers.Field]:
    return {
        "index_from": serializers.DateField(),
        "index_to": serializers.DateField(),
        "as_of": serializers.DateField(),
        "cohort": serializers.CharField(allow_null=True),
        "people_with_index_event": serializers.IntegerField(),
        "not_yet_measurable": serializers.IntegerField(),
        **_cell_fields(),
    }


class ReoffendingCellSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="A code of the data exchange formats, or null")

    def get_fields(self):
        return {"value": serializers.CharField(allow_null=True), **_cell_fields()}


_BREAKDOWNS = inline_serializer(
    "ReoffendingBreakdowns",
    {
        name: ReoffendingCellSerializer(many=True)
        for name in ("gender", "ethnicity", "age_band", "district", "index_offence_category")
    },
)
REOFFENDING_RESPONSE = inline_serializer(
    "Reoffending",
    {**_top_fields(), "breakdowns": _BREAKDOWNS, "data_as_of": serializers.DateTimeField(allow_null=True)},
)
QUARTERLY_RESPONSE = inline_serializer(
    "ReoffendingQuarterly",
    {
        "quarters": serializers.ListField(
            child=inline_serializer("ReoffendingQuarter", {"quarter": serializers.CharField(), **_top_fields()})
        ),
        "data_as_of": serializers.DateTimeField(allow_null=True),
    },
)
PRE_POST_RESPONSE = inline_serializer(
    "PrePost",
    {
        "cohort": serializers.CharField(),
        "as_of": serializers.DateField(),
        "members": serializers.IntegerField(allow_null=True),
        "offences_before": serializers.IntegerField(allow_null=True),
        "offences_after": serializers.IntegerField(allow_null=True),
        "change_pct": serializers.FloatField(allow_null=True),
        "cost_before": serializers.IntegerField(allow_null=True),
        "cost_after": serializers.IntegerField(allow_null=True),
        "cost_change": serializers.IntegerField(allow_null=True, help_text="cost_after - cost_before, in pounds"),
        "uncosted_offences": serializers.IntegerField(allow_null=True),
        "by_category": serializers.ListField(
            allow_null=True,
            child=inline_serializer(
                "PrePostCategory",
                {
                    "category": serializers.CharField(),
                    "before": serializers.IntegerField(),
                    "after": serializers.IntegerField(),
                    "cost_before": serializers.IntegerField(allow_null=True),
                    "cost_after": serializers.IntegerField(allow_null=True),
                },
            ),
        ),
        "suppressed": serializers.BooleanField(),
        "data_as_of": serializers.DateTimeField(allow_null=True),
    },
)
_SUPPRESSED_CELL = {"value": "other", **dict.fromkeys(FIGURES), "suppressed": True}
REOFFENDING_EXAMPLE = {
    "index_from": "2018-01-01",
    "index_to": "2018-12-31",
    "as_of": "2026-12-01",
    "cohort": "fixed",
    "people_with_index_event": 212,
    "not_yet_measurable": 0,
    "measurable": 212,
    "reoffenders": 98,
    "proven_reoffences": 301,
    "binary_rate": 0.4623,
    "binary_rate_ci95": [0.3965, 0.5293],
    "frequency_per_offender": 1.4198,
    "frequency_per_reoffender": 3.0714,
    "suppressed": False,
    "breakdowns": {
        "gender": [
            {
                "value": "male",
                "measurable": 190,
                "reoffenders": 90,
                "proven_reoffences": 280,
                "binary_rate": 0.4737,
                "binary_rate_ci95": [0.4039, 0.5445],
                "frequency_per_offender": 1.4737,
                "frequency_per_reoffender": 3.1111,
                "suppressed": False,
            },
            _SUPPRESSED_CELL,
        ],
        "ethnicity": [],
        "age_band": [],
        "district": [],
        "index_offence_category": [],
    },
    "data_as_of": "2026-11-30T22:15:03Z",
}
PRE_POST_EXAMPLE = {
    "cohort": "fixed",
    "as_of": "2026-12-01",
    "members": 48,
    "offences_before": 230,
    "offences_after": 161,
    "change_pct": -30.0,
    "cost_before": 412340,
    "cost_after": 250110,
    "cost_change": -162230,
    "uncosted_offences": 180,
    "by_category": [
        {"category": "domestic_burglary", "before": 40, "after": 22, "cost_before": 237200, "cost_after": 130460},
        {"category": "shoplifting", "before": 120, "after": 90, "cost_before": None, "cost_after": None},
    ],
    "suppressed": False,
    "data_as_of": "2026-11-30T22:15:03Z",
}
COMMON_PARAMETERS = [
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Measure as of this date; default today (London)"),
    *CSV_PARAMETERS,
]
CELL_COLUMNS = (
    "measurable",
    "reoffenders",
    "proven_reoffences",
    "binary_rate",
    "binary_rate_ci95_low",
    "binary_rate_ci95_high",
    "frequency_per_offender",
    "frequency_per_reoffender",
    "suppressed",
)


def _csv_figures(figures: dict[str, Any]) -> dict[str, Any]:
    """A cell's figures as CSV columns: the interval becomes its low and high bound."""
    interval = figures.get("binary_rate_ci95") or [None, None]
    row = {name: figures.get(name) for name in CELL_COLUMNS}
    row["binary_rate_ci95_low"], row["binary_rate_ci95_high"] = interval
    return row


class _MetricView(CsvExportMixin, StrictQueryParamsMixin, APIView):
    # A metric's figures as JSON, or as CSV with ``csv_rows``; both carry ``data_as_of``.
    http_method_names = ["get", "head", "options"]  # any other method is a 405, not an unmapped action
    action_rules: ClassVar = dict.fromkeys(("get", "head"), READ_METRICS)
    params_class: ClassVar[type[serializers.Serializer]]

    def allowed_query_params(self) -> set[str]:
        return {"format", *self.params_class().fields}

    def params(self) -> dict[str, Any]:
        # An empty parameter (``?cohort=``, as a form sends it) is the same as leaving it out.
        data = {name: value for name, value in self.request.query_params.dict().items() if value.strip()}
        return validated(self.params_class, data, context={"request": self.request})

    def respond(self, figures: dict[str, Any]) -> Response:
        figures["data_as_of"] = data_as_of()
        if self.wants_csv():
            return self.csv_response(self.csv_rows(figures), details={"query": self.request.query_params.dict()})
        return Response(figures)

    @staticmethod
    def csv_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError


class ReoffendingView(_MetricView):
    """Proven reoffending of the people whose index date falls in a window, with breakdowns."""

    params_class = ReoffendingParams
    export_name = "reoffending"
    csv_columns = ("dimension", "value", "people_with_index_event", "not_yet_measurable", *CELL_COLUMNS)

    @extend_schema(
        summary="Proven reoffending (docs/metrics.md definition)",
        parameters=[
            OpenApiParameter("index_from", OpenApiTypes.DATE, required=True, description="First day of the window"),
            OpenApiParameter("index_to", OpenApiTypes.DATE, required=True, description="Last day of the window"),
            OpenApiParameter("cohort", str, description="Restrict to members of this cohort (slug)"),
            *COMMON_PARAMETERS,
        ],
        responses={200: REOFFENDING_RESPONSE, 400: ErrorSerializer},
        examples=[OpenApiExample("A year's index window for a cohort", value=REOFFENDING_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.respond(metrics.reoffending(**self.params()))

    @staticmethod
    def csv_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [
            {
                "dimension": "all",
                "value": "",
                "people_with_index_event": figures["people_with_index_event"],
                "not_yet_measurable": figures["not_yet_measurable"],
                **_csv_figures(figures),
            }
        ]
        for dimension, cells in figures["breakdowns"].items():
            rows.extend({"dimension": dimension, "value": cell["value"], **_csv_figures(cell)} for cell in cells)
        return rows


class ReoffendingQuarterlyView(_MetricView):
    """The same measure for each calendar-quarter index window, for trend charts."""

    params_class = QuarterlyParams
    export_name = "reoffending_quarterly"
    csv_columns = (
        "dimension",
        "value",
        "index_from",
        "index_to",
        "people_with_index_event",
        "not_yet_measurable",
        *CELL_COLUMNS,
    )

    @extend_schema(
        summary="Proven reoffending by quarterly index window",
        parameters=[
            OpenApiParameter("from_quarter", str, required=True, description="First quarter, e.g. 2018Q1"),
            OpenApiParameter("to_quarter", str, required=True, description="Last quarter, e.g. 2019Q4"),
            OpenApiParameter("cohort", str, description="Restrict to members of this cohort (slug)"),
            *COMMON_PARAMETERS,
        ],
        responses={200: QUARTERLY_RESPONSE, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Two quarters",
                response_only=True,
                value={
                    "quarters": [
                        {
                            **{k: v for k, v in REOFFENDING_EXAMPLE.items() if k not in ("breakdowns", "data_as_of")},
                            "quarter": "2018Q1",
                            "index_from": "2018-01-01",
                            "index_to": "2018-03-31",
                        },
                        {
                            "quarter": "2018Q2",
                            "index_from": "2018-04-01",
                            "index_to": "2018-06-30",
                            "as_of": "2026-12-01",
                            "cohort": "fixed",
                            "people_with_index_event": 3,
                            "not_yet_measurable": 0,
                            **dict.fromkeys(FIGURES),
                            "suppressed": True,
                        },
                    ],
                    "data_as_of": "2026-11-30T22:15:03Z",
                },
            )
        ],
    )
    def get(self, request):
        return self.respond(metrics.reoffending_quarterly(**self.params()))

    @staticmethod
    def csv_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "dimension": "quarter",
                "value": quarter["quarter"],
                "index_from": quarter["index_from"],
                "index_to": quarter["index_to"],
                "people_with_index_event": quarter["people_with_index_event"],
                "not_yet_measurable": quarter["not_yet_measurable"],
                **_csv_figures(quarter),
            }
            for quarter in figures["quarters"]
        ]


class PrePostView(_MetricView):
    """Offences in the year before and after each member's first adoption, and their cost."""

    params_class = PrePostParams
    export_name = "pre_post"
    csv_columns = (
        "dimension",
        "value",
        "members",
        "before",
        "after",
        "change_pct",
        "cost_before",
        "cost_after",
        "cost_change",
        "uncosted_offences",
        "suppressed",
    )

    @extend_schema(
        summary="Pre/post adoption offences and cost of crime for a cohort",
        parameters=[
            OpenApiParameter("cohort", str, required=True, description="The cohort's slug"),
            *COMMON_PARAMETERS,
        ],
        responses={200: PRE_POST_RESPONSE, 400: ErrorSerializer},
        examples=[OpenApiExample("A cohort", value=PRE_POST_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.respond(metrics.pre_post(**self.params()))

    @staticmethod
    def csv_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [
            {
                "dimension": "all",
                "value": "",
                "members": figures["members"],
                "before": figures["offences_before"],
                "after": figures["offences_after"],
                "change_pct": figures["change_pct"],
                "cost_before": figures["cost_before"],
                "cost_after": figures["cost_after"],
                "cost_change": figures["cost_change"],
                "uncosted_offences": figures["uncosted_offences"],
                "suppressed": figures["suppressed"],
            }
        ]
        rows.extend({"dimension": "category", "value": row["category"], **row} for row in figures["by_category"] or ())
        return rows


class SnapshotParams(serializers.Serializer):
    metric = serializers.ChoiceField(choices=[MetricKind.QUARTERLY, MetricKind.PRE_POST])
    cohort = _CohortField(required=False, help_text="A cohort's slug; everyone when omitted (quarterly only).")


class MetricSnapshotView(_MetricView):
    """How a metric stood on each night it was taken (the nightly task), newest first, at most a year of them."""

    params_class = SnapshotParams
    export_name = "metric_snapshots"
    csv_columns = ("taken_on", "metric", "cohort", "figures")

    @extend_schema(
        summary="Nightly snapshots of a metric, to see a figure move as data matures",
        parameters=[
            OpenApiParameter("metric", str, required=True, enum=[MetricKind.QUARTERLY, MetricKind.PRE_POST]),
            OpenApiParameter("cohort", str, description="A cohort's slug; everyone when omitted"),
            *CSV_PARAMETERS,
        ],
        responses={
            200: inline_serializer(
                "MetricSnapshots",
                {
                    "metric": serializers.CharField(),
                    "cohort": serializers.CharField(allow_null=True),
                    "snapshots": serializers.ListField(child=serializers.DictField()),
                    "data_as_of": serializers.DateTimeField(allow_null=True),
                },
            ),
            400: ErrorSerializer,
        },
    )
    def get(self, request):
        params = self.params()
        cohort = params.get("cohort")
        snapshots = selectors_metrics.metric_snapshot_list(
            metric=params["metric"], cohort_slug=cohort.slug if cohort else ""
        )
        figures = {
            "metric": params["metric"],
            "cohort": cohort.slug if cohort else None,
            "snapshots": [
                {
                    "taken_on": snapshot.taken_on.isoformat(),
                    "parameters": snapshot.parameters,
                    "figures": snapshot.figures,
                }
                for snapshot in snapshots
            ],
        }
        return self.respond(figures)

    @staticmethod
    def csv_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "taken_on": snapshot["taken_on"],
                "metric": figures["metric"],
                "cohort": figures["cohort"],
                "figures": json.dumps(snapshot["figures"], sort_keys=True),
            }
            for snapshot in figures["snapshots"]
        ]
