"""/api/v1/consents/ and /api/v1/referrals/: consent to share, and referrals with their lifecycle."""

import django_filters  # type: ignore[import-untyped]  # django-filter ships no type information
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    AuditedListMixin,
    ConflictSerializer,
    ErrorSerializer,
    ReadCreateViewSet,
    StrictFieldsMixin,
    acting_user,
    object_for_write,
    validated,
)
from api.fields import VisibleCaseField, VisiblePersonField
from iom import access
from iom.models import Organisation, Pathway, User
from iom.policy import CASEWORK
from iom.selectors import first_or_404
from partners.models import Opportunity, Service, ServiceType
from referrals import selectors, services
from referrals.models import Consent, Referral, ReferralState, ReferralTransition, ReferralUpdate
from referrals.rules import MATCH_REFERRALS, WORK_REFERRALS
from referrals.services.gateway import OFFENCE_CATEGORIES


class ConsentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    person = VisiblePersonField()
    scope_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    scope_service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False, allow_blank=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "scope_organisation",
            "scope_service_type",
            "shared_information",
            "method",
            "given_on",
            "recorded_by",
            "withdrawn_on",
            "withdrawal_reason",
        ]
        read_only_fields = ["id", "recorded_by", "withdrawn_on", "withdrawal_reason"]


class WithdrawConsentSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField()
    withdrawn_on = serializers.DateField(required=False)


@extend_schema_view(
    list=extend_schema(summary="Consents of people you can see"),
    retrieve=extend_schema(summary="Read a consent", responses={200: ConsentSerializer, 404: ErrorSerializer}),
    create=extend_schema(summary="Record consent", responses={201: ConsentSerializer, 400: ErrorSerializer}),
)
class ConsentViewSet(AuditedListMixin, ReadCreateViewSet):
    model = Consent
    serializer_class = ConsentSerializer
    filterset_fields = ["person"]
    audit_resource = "consents"
    audit_person = "person_id"
    action_rules = dict.fromkeys(("list", "retrieve", "create", "withdraw"), CASEWORK)

    def visible_to(self, user: User) -> QuerySet[Consent]:
        return selectors.consent_list_visible_to(user=user)

    def perform_create(self, serializer):
        serializer.instance = services.consent_record(
            acting_user=acting_user(self.request), **serializer.validated_data
        )

    @extend_schema(
        summary="Withdraw consent (withdraws the open referrals that relied on it)",
        request=WithdrawConsentSerializer,
        responses={200: ConsentSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        data = validated(WithdrawConsentSerializer, request.data)
        services.consent_withdraw(acting_user=acting_user(request), consent=consent, **data)
        consent.refresh_from_db()
        return Response(self.get_serializer(consent).data)


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = ReferralTransition
        fields = ["from_state", "to_state", "by", "at", "reason"]


class UpdateSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = ReferralUpdate
        fields = ["id", "text", "by", "at"]
        read_only_fields = ["id", "by", "at"]


class PersonSummarySerializer(serializers.Serializer):
    """The minimum a partner needs while a referral is live."""

    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    district = serializers.CharField(allow_null=True)


class ReferralSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    case = VisibleCaseField()
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(active=True))
    service_name = serializers.CharField(source="service.name", read_only=True)
    organisation = serializers.CharField(source="service.organisation.name", read_only=True)
    pathways = serializers.ListField(child=serializers.ChoiceField(choices=Pathway.choices), required=False)
    person = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)
    updates = UpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service",
            "service_name",
            "organisation",
            "state",
            "reason",
            "pathways",
            "urgency",
            "shared_information",
            "risk_summary",
            "person",
            "submitted_at",
            "responded_at",
            "disclosure_approved_at",
            "transitions",
            "updates",
            "version",
        ]
        read_only_fields = ["id", "state", "submitted_at", "responded_at", "disclosure_approved_at", "version"]

    @extend_schema_field(PersonSummarySerializer(allow_null=True))
    def get_person(self, referral) -> dict | None:
        """The person's summary, or ``null`` once a partner's referral is no longer live."""
        if not selectors.sees_person_on_referral(user=acting_user(self.context["request"]), referral=referral):
            return None
        return PersonSummarySerializer(referral.case.person).data

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if data["person"] is None and not access.works_cases(acting_user(self.context["request"])):
            # Afterwards the partner keeps the referral's own record, without the person's details.
            for field in ("reason", "shared_information", "risk_summary"):
                data[field] = None
        return data


class StateChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    to_state = serializers.ChoiceField(choices=ReferralState.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConvictionSerializer(StrictFieldsMixin, serializers.Serializer):
    offence_category = serializers.ChoiceField(choices=sorted(OFFENCE_CATEGORIES))
    sentence_type = serializers.CharField()
    convicted_on = serializers.DateField()
    length_months = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    ends_on = serializers.DateField(required=False, allow_null=True)
    serious_offence = serializers.BooleanField(required=False, default=False)


class DisclosureSerializer(StrictFieldsMixin, serializers.Serializer):
    convictions = ConvictionSerializer(many=True)
    support_contacts = serializers.CharField()


class MatchSerializer(StrictFieldsMixin, serializers.Serializer):
    opportunity = serializers.PrimaryKeyRelatedField(queryset=Opportunity.objects.all())


class ReferralFilter(django_filters.FilterSet):
    class Meta:
        model = Referral
        fields = ["state", "case", "service", "urgency"]


@extend_schema_view(
    list=extend_schema(summary="Referrals you can see (partners: those sent to your organisation)"),
    retrieve=extend_schema(
        summary="Read a referral",
        description="A partner's first opening of a live referral is logged as a disclosure.",
        responses={200: ReferralSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(summary="Draft a referral", responses={201: ReferralSerializer, 400: ErrorSerializer}),
)
class ReferralViewSet(AuditedListMixin, ReadCreateViewSet):
    model = Referral
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["created_at", "submitted_at", "state"]
    ordering = ["-created_at", "-id"]
    audit_resource = "referrals"
    audit_person = "case__person_id"
    action_rules = {
        "list": WORK_REFERRALS,
        "retrieve": WORK_REFERRALS,
        "create": CASEWORK,
        "transition": WORK_REFERRALS,
        "updates": WORK_REFERRALS,
        "disclosure": CASEWORK,
        "match": MATCH_REFERRALS,
    }

    def visible_to(self, user: User) -> QuerySet[Referral]:
        return selectors.referral_list_visible_to(user=user).prefetch_related("transitions__by", "updates__by")

    def get_object(self):
        return selectors.referral_get(user=acting_user(self.request), pk=self.kwargs["pk"])

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and not access.works_cases(acting_user(self.request)):
            services.referral_record_partner_views(acting_user=acting_user(self.request), referrals=page)
        return page

    def perform_create(self, serializer):
        serializer.instance = services.referral_create(
            acting_user=acting_user(self.request), **serializer.validated_data
        )

    def _visible(self, pk) -> Referral:
        return first_or_404(selectors.referral_list_visible_to(user=acting_user(self.request)), pk)

    def _respond(self, referral):
        referral = self.get_queryset().get(pk=referral.pk)  # read again: with what the service has just written
        return Response(self.get_serializer(referral).data)

    @extend_schema(
        summary="Move the referral to another state",
        request=StateChangeSerializer,
        responses={200: ReferralSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        referral = self._visible(pk)
        data = validated(StateChangeSerializer, request.data)
        services.referral_transition(acting_user=acting_user(request), referral=referral, **data)
        return self._respond(referral)

    @extend_schema(
        summary="Add a progress update",
        request=UpdateSerializer,
        responses={201: UpdateSerializer, 400: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def updates(self, request, pk=None):
        referral = self._visible(pk)
        data = validated(UpdateSerializer, request.data)
        update = services.referral_add_update(acting_user=acting_user(request), referral=referral, **data)
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve what employers may be told (Gateway to Employment)",
        request=DisclosureSerializer,
        responses={200: ReferralSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def disclosure(self, request, pk=None):
        referral = object_for_write(Referral, pk, acting_user(request), _ensure_can_change_referral, "referral")
        data = validated(DisclosureSerializer, request.data)
        services.referral_approve_disclosure(acting_user=acting_user(request), referral=referral, **data)
        return self._respond(referral)

    @extend_schema(
        summary="Match an accepted employment referral to an opportunity",
        request=MatchSerializer,
        responses={201: None, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        referral = self._visible(pk)
        data = validated(MatchSerializer, request.data)
        placement = services.placement_match(acting_user=acting_user(request), referral=referral, **data)
        return Response({"placement": placement.pk}, status=status.HTTP_201_CREATED)


def _ensure_can_change_referral(*, user, referral) -> None:
    access.ensure_can_change_case(user=user, case=referral.case, attempted="referral disclosure")
