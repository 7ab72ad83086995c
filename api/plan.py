"""/api/v1/plan/: the Police and Crime Plan scorecard, its performance-framework view, and managers' edits.

- ``GET plan/``: every objective and measure with a value per financial year and a status;
  ``GET plan/framework/``: the same values as trends, without targets or status (a separate endpoint, so
  each has one response shape in the schema). Both give CSV, one row per measure and year, with
  ``?format=csv`` or ``Accept: text/csv``; each CSV export is audited.
- ``GET``/``PATCH plan/measures/{code}/``: a measure's baseline, target and periods (``version`` required).
- ``POST plan/measures/{code}/actuals/`` enters a year's actual; ``PUT .../actuals/{period}/`` changes it.

Financial years are written ``2015-16`` (``2015/16`` is accepted in bodies). Aggregates only: nobody is named.
"""

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import (
    ConflictSerializer,
    ErrorSerializer,
    StrictFieldsMixin,
    StrictQueryParamsMixin,
    acting_user,
    validated,
)
from api.exports import CSV_PARAMETERS, CsvExportMixin
from iom.models import Cohort
from outcomes import financial_years, selectors, services
from outcomes.models import MeasureKind, MeasureSource, MeasureUnit, PlanActual, PlanMeasure, PlanObjective
from outcomes.rules import EDIT_PLAN_MEASURES, ENTER_PLAN_ACTUALS, READ_PLAN
from outcomes.selectors.plan import VALUE_SOURCES, MeasureStatus

# --- Fields ------------------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2015-16"})
class PeriodField(serializers.Field):
    """A financial year: ``"2015-16"`` (or ``"2015/16"``) in, ``"2015-16"`` out; stored as 2015."""

    default_error_messages: ClassVar = {"invalid": "Enter a financial year such as 2015-16."}

    def to_internal_value(self, data: Any) -> int:
        year = financial_years.parse(data) if isinstance(data, str) else None
        if year is None:
            self.fail("invalid")
        return year

    def to_representation(self, value: int) -> str:
        return financial_years.code(value)


def _number(**kwargs) -> serializers.DecimalField:
    """A figure as a JSON number (never a string)."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False, **kwargs)


def _input_number(**kwargs) -> serializers.DecimalField:
    # No precision limits here: the service reports "at most 2 decimal places", "a whole number" and the like.
    return serializers.DecimalField(max_digits=None, decimal_places=None, coerce_to_string=False, **kwargs)


class _PeriodDates(serializers.Serializer):
    """Adds the first and last day of the row's financial year."""

    period_start = serializers.SerializerMethodField()
    period_end = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_period_start(self, row) -> str:
        return financial_years.start(_get(row, "period")).isoformat()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_period_end(self, row) -> str:
        return financial_years.end(_get(row, "period")).isoformat()


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


# --- Output ------------------------------------------------------------------------------------------------------


class ScorePointSerializer(_PeriodDates):
    period = PeriodField()
    value = _number(allow_null=True, help_text="Null when there is no data for the year.")
    # A field named like a Field attribute: the metaclass takes declared fields off the class, which the stubs
    # cannot express, so this does not replace ``Field.source``.
    source = serializers.ChoiceField(choices=VALUE_SOURCES, allow_null=True)  # type: ignore[assignment]
    note = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="An entered actual's version, for PUT.")


class LatestSerializer(serializers.Serializer):
    period = PeriodField()
    value = _number()


class MeasureScoreSerializer(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    unit = serializers.ChoiceField(choices=MeasureUnit.choices)
    computed = serializers.ChoiceField(choices=MeasureSource.choices, allow_blank=True)
    cohort = serializers.SlugField(allow_null=True)
    baseline = _number(allow_null=True)
    baseline_source = serializers.ChoiceField(choices=VALUE_SOURCES, allow_null=True)
    baseline_period = PeriodField(allow_null=True)
    target = _number(allow_null=True, help_text="Per cent reduction for reduce_by_pct; null for reduce.")
    period_from = PeriodField()
    period_to = PeriodField(help_text="The target applies to this year.")
    ended = serializers.BooleanField(help_text="The last year has ended.")
    version = serializers.IntegerField()
    actuals = ScorePointSerializer(many=True)
    latest = LatestSerializer(allow_null=True)
    change_from_baseline_pct = serializers.DecimalField(
        max_digits=12, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=MeasureStatus.choices)


class ObjectiveScoreSerializer(serializers.Serializer):
    code = serializers.SlugField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    measures = MeasureScoreSerializer(many=True)


class ScorecardSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    periods = serializers.ListField(child=PeriodField())
    objectives = ObjectiveScoreSerializer(many=True)


class TrendPointSerializer(_PeriodDates):
    period = PeriodField()
    value = _number(allow_null=True)
    # A field named like a Field attribute: the metaclass takes declared fields off the class, which the stubs
    # cannot express, so this does not replace ``Field.source``.
    source = serializers.ChoiceField(choices=VALUE_SOURCES, allow_null=True)  # type: ignore[assignment]
    change = _number(allow_null=True, help_text="From the last earlier year with data.")
    change_pct = serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False, allow_null=True)
    direction = serializers.ChoiceField(choices=["up", "down", "level"], allow_null=True)


class MeasureTrendSerializer(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=MeasureUnit.choices)
    computed = serializers.ChoiceField(choices=MeasureSource.choices, allow_blank=True)
    cohort = serializers.SlugField(allow_null=True)
    trend = TrendPointSerializer(many=True)


class ObjectiveTrendSerializer(serializers.Serializer):
    code = serializers.SlugField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    measures = MeasureTrendSerializer(many=True)


class FrameworkSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    periods = serializers.ListField(child=PeriodField())
    objectives = ObjectiveTrendSerializer(many=True)


class MeasureSerializer(serializers.ModelSerializer):
    objective: serializers.SlugRelatedField[PlanObjective] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    cohort: serializers.SlugRelatedField[Cohort] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    baseline = _number(allow_null=True)
    target = _number(allow_null=True)
    baseline_period = PeriodField(allow_null=True)
    period_from = PeriodField()
    period_to = PeriodField()

    class Meta:
        model = PlanMeasure
        fields = [
            "code",
            "objective",
            "title",
            "kind",
            "unit",
            "baseline",
            "baseline_period",
            "target",
            "period_from",
            "period_to",
            "computed",
            "cohort",
            "version",
        ]
        read_only_fields = fields


class ActualSerializer(_PeriodDates, serializers.ModelSerializer):
    measure: serializers.SlugRelatedField[PlanMeasure] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = PeriodField()
    value = _number()

    class Meta:
        model = PlanActual
        fields = ["measure", "period", "period_start", "period_end", "value", "note", "version", "updated_at"]
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------------------------------


class MeasureUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")
    baseline = _input_number(required=False, allow_null=True)
    baseline_period = PeriodField(required=False, allow_null=True)
    target = _input_number(required=False, allow_null=True)
    period_from = PeriodField(required=False)
    period_to = PeriodField(required=False)


class ActualCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    period = PeriodField()
    value = _input_number()
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class ActualChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you read; a stale one gets 409.")
    value = _input_number()
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


# --- CSV ---------------------------------------------------------------------------------------------------------


def _csv_period(year: int | None) -> dict[str, str]:
    if year is None:
        return {"period": "", "period_start": "", "period_end": ""}
    return {
        "period": financial_years.code(year),
        "period_start": financial_years.start(year).isoformat(),
        "period_end": financial_years.end(year).isoformat(),
    }


def _measure_columns(objective: dict[str, Any], measure: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The CSV columns every row of a measure starts with: its objective's code, its own, and its ``keys``."""
    return {"objective": objective["code"], "measure": measure["code"], **{key: measure[key] for key in keys}}


def _read_responses(json_response: Any) -> dict[Any, Any]:
    """What a Plan read answers: ``json_response`` as JSON, CSV when asked for, 400 for a bad parameter."""
    return {
        (200, "application/json"): json_response,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per measure and year."),
        400: ErrorSerializer,
    }


class _PlanReadView(CsvExportMixin, StrictQueryParamsMixin, APIView):
    # The whole Plan, measure by measure: JSON, or CSV with ``measure_rows`` (one row per measure and year).
    action_rules: ClassVar = dict.fromkeys(("get", "head", "options"), READ_PLAN)

    def allowed_query_params(self) -> set[str]:
        return {"format"}  # not paginated: ``page`` would be silently ignored, so it is a 400 like any other

    def respond(self, plan: dict[str, Any], serializer_class: type[serializers.Serializer]) -> Response:
        if not self.wants_csv():
            return Response(serializer_class(plan).data)
        return self.csv_response(
            [
                row
                for objective in plan["objectives"]
                for measure in objective["measures"]
                for row in self.measure_rows(objective, measure)
            ]
        )

    @staticmethod
    def measure_rows(objective: dict[str, Any], measure: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError


SCORECARD_EXAMPLE = {
    "as_of": "2026-12-01",
    "periods": ["2013-14", "2014-15", "2015-16", "2016-17"],
    "objectives": [
        {
            "code": "reduce-priority-crime-and-asb",
            "position": 1,
            "title": "Reduce priority crime and anti-social behaviour",
            "measures": [
                {
                    "code": "asb-incidents",
                    "title": "Anti-social behaviour incidents",
                    "kind": "reduce_by_pct",
                    "unit": "count",
                    "computed": "",
                    "cohort": None,
                    "baseline": 30000,
                    "baseline_source": "entered",
                    "baseline_period": "2012-13",
                    "target": 40,
                    "period_from": "2013-14",
                    "period_to": "2015-16",
                    "ended": True,
                    "version": 3,
                    "actuals": [
                        {
                            "period": "2013-14",
                            "period_start": "2013-04-01",
                            "period_end": "2014-03-31",
                            "value": 24000,
                            "source": "entered",
                            "note": "Force crime and incident system",
                            "version": 1,
                        }
                    ],
                    "latest": {"period": "2013-14", "value": 24000},
                    "change_from_baseline_pct": -20.0,
                    "status": "off_track",
                }
            ],
        }
    ],
}
SCORECARD_CSV_COLUMNS = (
    "objective",
    "measure",
    "title",
    "kind",
    "unit",
    "computed",
    "cohort",
    "baseline",
    "baseline_period",
    "target",
    "period_from",
    "period_to",
    "status",
    "period",
    "period_start",
    "period_end",
    "value",
    "source",
)
FRAMEWORK_CSV_COLUMNS = (
    "objective",
    "measure",
    "title",
    "unit",
    "computed",
    "cohort",
    "period",
    "period_start",
    "period_end",
    "value",
    "source",
    "change",
    "change_pct",
    "direction",
)


class PlanScorecardView(_PlanReadView):
    """The Plan scorecard: each measure's baseline, target, values per financial year and status."""

    csv_columns = SCORECARD_CSV_COLUMNS
    export_name = "plan_scorecard"

    @extend_schema(
        summary="The Police and Crime Plan scorecard",
        description=(
            "Each objective's measures with a value per financial year that has started (entered by IOM "
            "managers, or computed: the cohort's proven reoffending rate as a per cent, employers who have "
            "taken on an ex-offender up to the year's end), the latest value and a status: met, on_track, "
            "off_track or no_data. CSV (one row per measure and year) with ?format=csv or Accept: text/csv; "
            "CSV exports are audited."
        ),
        parameters=CSV_PARAMETERS,
        responses=_read_responses(
            OpenApiResponse(ScorecardSerializer, examples=[OpenApiExample("Scorecard", value=SCORECARD_EXAMPLE)])
        ),
    )
    def get(self, request):
        return self.respond(selectors.plan_scorecard(user=acting_user(request)), ScorecardSerializer)

    @staticmethod
    def measure_rows(objective: dict[str, Any], measure: dict[str, Any]) -> list[dict[str, Any]]:
        common = {
            **_measure_columns(objective, measure, "title", "kind", "unit", "computed", "cohort", "status"),
            "baseline": measure["baseline"],
            "baseline_period": _code_or_none(measure["baseline_period"]),
            "target": measure["target"],
            "period_from": financial_years.code(measure["period_from"]),
            "period_to": financial_years.code(measure["period_to"]),
        }
        points = measure["actuals"] or [{"period": None, "value": None, "source": None}]
        return [{**common, **_csv_period(p["period"]), "value": p["value"], "source": p["source"]} for p in points]


class PlanFrameworkView(_PlanReadView):
    """The performance framework: each measure's trend over the years, without target or status."""

    csv_columns = FRAMEWORK_CSV_COLUMNS
    export_name = "plan_framework"

    @extend_schema(
        summary="The Plan's measures as a performance framework (trends, no targets)",
        description=(
            "Each measure's value per financial year with the change from the last earlier year with data, "
            "as the Commissioner's later performance framework reported: no baseline, target or status. "
            "CSV with ?format=csv or Accept: text/csv; CSV exports are audited."
        ),
        parameters=CSV_PARAMETERS,
        responses=_read_responses(FrameworkSerializer),
    )
    def get(self, request):
        return self.respond(selectors.plan_framework(user=acting_user(request)), FrameworkSerializer)

    @staticmethod
    def measure_rows(objective: dict[str, Any], measure: dict[str, Any]) -> list[dict[str, Any]]:
        common = _measure_columns(objective, measure, "title", "unit", "computed", "cohort")
        points = measure["trend"] or [{"period": None}]
        return [{**common, **point, **_csv_period(point["period"])} for point in points]


def _code_or_none(year: int | None) -> str | None:
    return None if year is None else financial_years.code(year)


CONFLICT_EXAMPLE = OpenApiExample(
    "Stale version",
    value={
        "detail": "This plan measure was changed by someone else after you opened it (you had version 1, it is "
        "now version 2). Nothing was saved: review their change and make yours again.",
        "current_version": 2,
        "current": {"target": "18.00"},
    },
    response_only=True,
    status_codes=["409"],
)


class PlanMeasureView(StrictQueryParamsMixin, APIView):
    """One measure; IOM managers and administrators change its baseline, target and periods."""

    http_method_names = ["get", "patch", "head", "options"]
    action_rules: ClassVar = {"get": READ_PLAN, "head": READ_PLAN, "options": READ_PLAN, "patch": EDIT_PLAN_MEASURES}

    @extend_schema(summary="Read a Plan measure", responses={200: MeasureSerializer, 404: ErrorSerializer})
    def get(self, request, code: str):
        return Response(MeasureSerializer(selectors.plan_measure_get(user=acting_user(request), code=code)).data)

    @extend_schema(
        summary="Change a measure's baseline, target or periods",
        description="Send the `version` you read: a missing one is 400, a stale one 409 and nothing is saved.",
        request=MeasureUpdateSerializer,
        responses={200: MeasureSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
        examples=[
            OpenApiExample(
                "New baseline",
                value={"version": 1, "baseline": 31250, "baseline_period": "2012-13"},
                request_only=True,
            ),
            CONFLICT_EXAMPLE,
        ],
    )
    def patch(self, request, code: str):
        measure = selectors.plan_measure_get(user=acting_user(request), code=code)
        data = validated(MeasureUpdateSerializer, request.data)
        version = data.pop("version")
        measure = services.plan_measure_update(
            acting_user=acting_user(request), measure=measure, version=version, **data
        )
        return Response(MeasureSerializer(measure).data)


class PlanActualCreateView(StrictQueryParamsMixin, APIView):
    """IOM managers enter a year's actual for an entered (not computed) measure."""

    http_method_names = ["post", "options"]
    action_rules: ClassVar = {"post": ENTER_PLAN_ACTUALS, "options": READ_PLAN}

    @extend_schema(
        summary="Enter a measure's actual for a financial year",
        description="A year that already has an actual is a 409 with its current values: change it with PUT.",
        request=ActualCreateSerializer,
        responses={201: ActualSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
        examples=[
            OpenApiExample(
                "ASB incidents in 2014/15",
                value={"period": "2014-15", "value": 21430, "note": "Force incident system, April extract"},
                request_only=True,
            )
        ],
    )
    def post(self, request, code: str):
        measure = selectors.plan_measure_get(user=acting_user(request), code=code)
        data = validated(ActualCreateSerializer, request.data)
        actual = services.plan_actual_record(acting_user=acting_user(request), measure=measure, **data)
        return Response(ActualSerializer(actual).data, status=status.HTTP_201_CREATED)


class PlanActualView(StrictQueryParamsMixin, APIView):
    """IOM managers change an entered actual (``version`` required)."""

    http_method_names = ["put", "options"]
    action_rules: ClassVar = {"put": ENTER_PLAN_ACTUALS, "options": READ_PLAN}

    @extend_schema(
        summary="Change a measure's actual for a financial year",
        parameters=[OpenApiParameter("period", str, OpenApiParameter.PATH, description="e.g. 2014-15")],
        request=ActualChangeSerializer,
        responses={200: ActualSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer},
        examples=[
            OpenApiExample(
                "Corrected figure", value={"version": 1, "value": 21415, "note": "Revised extract"}, request_only=True
            ),
            CONFLICT_EXAMPLE,
        ],
    )
    def put(self, request, code: str, period: str):
        measure = selectors.plan_measure_get(user=acting_user(request), code=code)
        actual = selectors.plan_actual_get(
            user=acting_user(request), measure=measure, period=financial_years.parse(period)
        )
        data = validated(ActualChangeSerializer, request.data)
        actual = services.plan_actual_change(acting_user=acting_user(request), actual=actual, **data)
        return Response(ActualSerializer(actual).data)
