"""Writes for partner services, employers, pledges and opportunities.

Scheme coordinators run Gateway to Employment, so they manage employers,
pledges and opportunities; administrators manage partner services as
reference data.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from iom.audit import audit_record, field_changes, snapshot
from iom.changes import update_audited
from iom.models import AuditAction, District, Organisation, OrganisationType, User
from iom.services._validation import cleaned_copy, reject_unknown, today
from partners.models import (
    STATUTORY_ORGANISATION_TYPES,
    Commitment,
    Employer,
    Opportunity,
    OpportunityStatus,
    Pledge,
    PledgeStatus,
    Service,
)
from partners.rules import COORDINATE_GATEWAY, MANAGE_SERVICES

SERVICE_FIELDS = ("organisation", "name", "service_type", "districts", "eligibility", "consent_required", "active")
EMPLOYER_FIELDS = ("sector", "size", "districts", "contact_name", "contact_email", "contact_phone")
OPPORTUNITY_FIELDS = (
    "employer",
    "opportunity_type",
    "title",
    "district",
    "hours_per_week",
    "closing_on",
    "positions",
    "status",
)


def ensure_coordinator(user: User) -> None:
    COORDINATE_GATEWAY.ensure(user)


def _check_districts(field: str, districts: Sequence[str]) -> None:
    unknown = sorted(set(districts) - set(District.values))
    if unknown:
        raise ValidationError({field: f"Unknown district codes: {', '.join(unknown)}."})


def service_save(*, acting_user: User, data: Mapping[str, Any], service: Service | None = None) -> Service:
    """Create or change a partner service. Consent is always required for non-statutory partners."""
    MANAGE_SERVICES.ensure(acting_user)
    reject_unknown(data, SERVICE_FIELDS)
    values = dict(data)
    _check_districts("districts", values.get("districts") or [])
    organisation: Organisation | None = values.get("organisation") or (service.organisation if service else None)
    if organisation is not None and organisation.type not in STATUTORY_ORGANISATION_TYPES:
        values["consent_required"] = True
    target = service or Service()
    before = snapshot(target, values) if service else {}
    candidate = cleaned_copy(target, values)
    with transaction.atomic():
        candidate.save()
        audit_record(
            user=acting_user,
            action=AuditAction.CHANGE if service else AuditAction.CREATE,
            obj=candidate,
            changes=field_changes(before, snapshot(candidate, values)),
        )
    return candidate


def employer_register(*, acting_user: User, organisation: Organisation, data: Mapping[str, Any]) -> Employer:
    ensure_coordinator(acting_user)
    reject_unknown(data, EMPLOYER_FIELDS)
    if organisation.type != OrganisationType.EMPLOYER:
        raise ValidationError({"organisation": "Only organisations of type employer can join Gateway to Employment."})
    if Employer.objects.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already registered."})
    _check_districts("districts", data.get("districts") or [])
    employer = cleaned_copy(Employer(organisation=organisation), dict(data))
    with transaction.atomic():
        employer.save()
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=employer,
            changes=field_changes({}, snapshot(employer, data)),
        )
    return employer


def pledge_record(
    *,
    acting_user: User,
    employer: Employer,
    signed_on: datetime.date,
    signed_by: str,
    opportunities_pledged: int,
    commitments: Sequence[str] = (),
) -> Pledge:
    """Record a signed pledge; an earlier active pledge of the same employer lapses (one active at a time)."""
    ensure_coordinator(acting_user)
    errors = {}
    unknown = sorted(set(commitments) - set(Commitment.values))
    if unknown:
        errors["commitments"] = f"Unknown commitments: {', '.join(unknown)}."
    if not (signed_by or "").strip():
        errors["signed_by"] = "Enter who signed the pledge."
    if not isinstance(opportunities_pledged, int) or opportunities_pledged < 1:
        errors["opportunities_pledged"] = "Enter how many opportunities were pledged (at least 1)."
    if signed_on > today():
        errors["signed_on"] = "The signing date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lapsed = Pledge.objects.filter(employer=employer, status=PledgeStatus.ACTIVE).update(status=PledgeStatus.LAPSED)
        pledge = Pledge.objects.create(
            employer=employer,
            signed_on=signed_on,
            signed_by=signed_by.strip(),
            opportunities_pledged=opportunities_pledged,
            commitments=sorted(set(commitments)),
            recorded_by=acting_user,
        )
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=pledge,
            details={"employer": employer.pk, "previous_pledges_lapsed": lapsed},
        )
    return pledge


def pledge_lapse(*, acting_user: User, pledge: Pledge) -> Pledge:
    ensure_coordinator(acting_user)
    if pledge.status != PledgeStatus.ACTIVE:
        raise ValidationError({"status": "This pledge has already lapsed."})
    with transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(status=PledgeStatus.LAPSED)
        pledge.refresh_from_db()
        audit_record(user=acting_user, action=AuditAction.CHANGE, obj=pledge, changes={"status": ["active", "lapsed"]})
    return pledge


def opportunity_save(
    *,
    acting_user: User,
    data: Mapping[str, Any],
    opportunity: Opportunity | None = None,
    version: int | None = None,
) -> Opportunity:
    """Publish an opportunity, or change one at the ``version`` the coordinator read (two coordinators
    editing the same opportunity never silently overwrite each other)."""
    ensure_coordinator(acting_user)
    reject_unknown(data, OPPORTUNITY_FIELDS)
    values = dict(data)
    if opportunity is None and values.get("status", OpportunityStatus.OPEN) != OpportunityStatus.OPEN:
        raise ValidationError({"status": "A new opportunity starts open."})
    target = opportunity or Opportunity(created_by=acting_user)
    candidate = cleaned_copy(target, values)
    if opportunity is not None:
        if version is None:
            raise ValidationError({"version": "Send the version of the opportunity you are changing."})
        update_audited(acting_user=acting_user, instance=opportunity, version=version, values=values)
        return opportunity
    with transaction.atomic():
        candidate.save()
        audit_record(
            user=acting_user,
            action=AuditAction.CREATE,
            obj=candidate,
            changes=field_changes({}, snapshot(candidate, values)),
        )
    return candidate
