from typing import ClassVar

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from api.audit import AuditEventViewSet
from api.auth import MeView, SignOutView, TokenDetailView, TokenListView, TokenView
from api.cases import ActionViewSet, AssessmentViewSet, CaseViewSet, NoteViewSet
from api.cohorts import CohortViewSet, MembershipViewSet
from api.gateway import (
    EmployerViewSet,
    GatewayFiguresView,
    OpportunityViewSet,
    PlacementViewSet,
    PledgeViewSet,
)
from api.imports import ImportRunViewSet
from api.interventions import InterventionViewSet, ProgrammeViewSet
from api.metrics import MetricSnapshotView, PrePostView, ReoffendingQuarterlyView, ReoffendingView
from api.notifications import NotificationViewSet
from api.people import PersonViewSet
from api.plan import PlanActualCreateView, PlanActualView, PlanFrameworkView, PlanMeasureView, PlanScorecardView
from api.referrals import ConsentViewSet, ReferralViewSet
from iom.policy import SIGNED_IN


class RootView(APIRootView):
    """The list of resources, for any signed-in user (what each may use is in the OpenAPI schema and docs/)."""

    action_rules: ClassVar = {"get": SIGNED_IN}


class SchemaView(SpectacularAPIView):
    """The OpenAPI description is open to all, as the code it describes is: every endpoint in it needs a token."""

    permission_classes = [AllowAny]


router = DefaultRouter()
router.APIRootView = RootView
router.register("people", PersonViewSet, basename="person")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("cases", CaseViewSet, basename="case")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("actions", ActionViewSet, basename="action")
router.register("notes", NoteViewSet, basename="note")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("consents", ConsentViewSet, basename="consent")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("employers", EmployerViewSet, basename="employer")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("placements", PlacementViewSet, basename="placement")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("imports", ImportRunViewSet, basename="importrun")

v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/sign-out/", SignOutView.as_view(), name="sign-out"),
    path("auth/tokens/", TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<str:key>/", TokenDetailView.as_view(), name="token-detail"),
    path("me/", MeView.as_view(), name="me"),
    path("metrics/gateway/", GatewayFiguresView.as_view(), name="metrics-gateway"),
    path("metrics/reoffending/", ReoffendingView.as_view(), name="metrics-reoffending"),
    path("metrics/reoffending/quarterly/", ReoffendingQuarterlyView.as_view(), name="metrics-reoffending-quarterly"),
    path("metrics/pre-post/", PrePostView.as_view(), name="metrics-pre-post"),
    path("metrics/snapshots/", MetricSnapshotView.as_view(), name="metrics-snapshots"),
    path("plan/", PlanScorecardView.as_view(), name="plan"),
    path("plan/framework/", PlanFrameworkView.as_view(), name="plan-framework"),
    path("plan/measures/<slug:code>/", PlanMeasureView.as_view(), name="plan-measure"),
    path("plan/measures/<slug:code>/actuals/", PlanActualCreateView.as_view(), name="plan-actuals"),
    path("plan/measures/<slug:code>/actuals/<str:period>/", PlanActualView.as_view(), name="plan-actual"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SchemaView.as_view(), name="schema"),
]
