"""Writes for partner services, employers, pledges and opportunities.

Scheme coordinators run Gateway to Employment, so they manage employers,
pledges and opportunities; administrators manage partner services as
reference data.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from iom.audit import audit_record, field_changes, snapshot
from iom.changes import create_audited, update_audited
from iom.models import AuditAction, District, Organisation, OrganisationType, User
from iom.services._validation import cleaned_copy, today
from iom.unset import KEEP, Keep, given
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


def ensure_coordinator(user: User) -> None:
    COORDINATE_GATEWAY.ensure(user)


def _checked_districts(districts: Sequence[str] | Keep) -> list[str] | Keep:
    """The district codes as a list, refusing any code that is not a district; ``KEEP`` stays ``KEEP``."""
    if districts is KEEP:
        return KEEP
    unknown = sorted(set(districts) - set(District.values))
    if unknown:
        raise ValidationError({"districts": f"Unknown district codes: {', '.join(unknown)}."})
    return list(districts)


def service_save(
    *,
    acting_user: User,
    service: Service | None = None,
    organisation: Organisation | Keep = KEEP,
    name: str | Keep = KEEP,
    service_type: str | Keep = KEEP,
    districts: Sequence[str] | Keep = KEEP,
    eligibility: str | Keep = KEEP,
    consent_required: bool | Keep = KEEP,
    active: bool | Keep = KEEP,
) -> Service:
    """Create a partner service, or change ``service``. Consent is always required for non-statutory partners.

    Only the fields given are written and audited; on a new service the others keep the model's defaults.
    """
    MANAGE_SERVICES.ensure(acting_user)
    districts = _checked_districts(districts)
    values = given(
        organisation=organisation,
        name=name,
        service_type=service_type,
        districts=districts,
        eligibility=eligibility,
        consent_required=consent_required,
        active=active,
    )
    provider = organisation if organisation is not KEEP else (service.organisation if service else None)
    if provider is not None and provider.type not in STATUTORY_ORGANISATION_TYPES:
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


def employer_register(
    *,
    acting_user: User,
    organisation: Organisation,
    sector: str,
    size: str,
    districts: Sequence[str] | Keep = KEEP,
    contact_name: str | Keep = KEEP,
    contact_email: str | Keep = KEEP,
    contact_phone: str | Keep = KEEP,
) -> Employer:
    """Register an employer organisation with Gateway to Employment; the fields given are audited."""
    ensure_coordinator(acting_user)
    if organisation.type != OrganisationType.EMPLOYER:
        raise ValidationError({"organisation": "Only organisations of type employer can join Gateway to Employment."})
    if Employer.objects.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already registered."})
    districts = _checked_districts(districts)
    values = given(
        sector=sector,
        size=size,
        districts=districts,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    employer = cleaned_copy(Employer(organisation=organisation), values)
    create_audited(acting_user=acting_user, instance=employer, fields=values)
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
    opportunity: Opportunity | None = None,
    version: int | None = None,
    employer: Employer | Keep = KEEP,
    opportunity_type: str | Keep = KEEP,
    title: str | Keep = KEEP,
    district: str | Keep = KEEP,
    hours_per_week: int | Keep | None = KEEP,
    closing_on: datetime.date | Keep | None = KEEP,
    positions: int | Keep = KEEP,
    status: str | Keep = KEEP,
) -> Opportunity:
    """Publish an opportunity, or change one at the ``version`` the coordinator read (two coordinators
    editing the same opportunity never silently overwrite each other).

    Only the fields given are written and audited; on a new opportunity the others keep the model's defaults.
    """
    ensure_coordinator(acting_user)
    values = given(
        employer=employer,
        opportunity_type=opportunity_type,
        title=title,
        district=district,
        hours_per_week=hours_per_week,
        closing_on=closing_on,
        positions=positions,
        status=status,
    )
    if opportunity is None and status is not KEEP and status != OpportunityStatus.OPEN:
        raise ValidationError({"status": "A new opportunity starts open."})
    target = opportunity or Opportunity(created_by=acting_user)
    candidate = cleaned_copy(target, values)
    if opportunity is not None:
        if version is None:
            raise ValidationError({"version": "Send the version of the opportunity you are changing."})
        update_audited(acting_user=acting_user, instance=opportunity, version=version, values=values)
        return opportunity
    create_audited(acting_user=acting_user, instance=candidate, fields=values)
    return candidate
