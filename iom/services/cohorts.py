"""Cohorts and the panel's adoption and exit decisions. History is appended, never rewritten."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iom import access
from iom.audit import audit_record, field_changes
from iom.changes import audited_change, create_audited
from iom.models import AuditAction, Cohort, Membership, Person, Scheme, User
from iom.policy import ALL_COHORTS, MANAGE_COHORTS
from iom.services._validation import not_in_future, today

COHORT_FIELDS = ("slug", "name", "description", "scheme", "active")


def cohort_create(
    *,
    acting_user: User,
    slug: str,
    name: str,
    description: str = "",
    scheme: Scheme | None = None,
    active: bool = True,
) -> Cohort:
    """Cohorts are reference data: IOM managers (for their scheme) and administrators create them."""
    MANAGE_COHORTS.ensure(acting_user)
    if not ALL_COHORTS.allows(acting_user) and (scheme is None or not acting_user.teams.filter(scheme=scheme).exists()):
        raise ValidationError({"scheme": "Choose your own scheme."})
    cohort = Cohort(slug=slug, name=name, description=description, scheme=scheme, active=active)
    cohort.full_clean()
    create_audited(acting_user=acting_user, instance=cohort, fields=COHORT_FIELDS)
    return cohort


def membership_adopt(
    *,
    acting_user: User,
    person: Person,
    cohort: Cohort,
    adopted_on: datetime.date,
    panel_date: datetime.date | None = None,
) -> Membership:
    """Record the panel's decision to adopt ``person`` into ``cohort`` from ``adopted_on``."""
    access.ensure_can_decide_for_cohort(user=acting_user, cohort=cohort, person=person, attempted="adopt")
    if not cohort.active:
        raise ValidationError({"cohort": f"{cohort.name} is closed to new adoptions."})
    not_in_future("adopted_on", adopted_on, "The adoption date")
    not_in_future("panel_date", panel_date, "The panel date")
    earlier = Membership.objects.filter(person=person, cohort=cohort)
    if earlier.filter(exited_on__isnull=True).exists():
        raise ValidationError({"person": f"{person.full_name} is already a member of {cohort.name}."})
    overlapping = earlier.filter(exited_on__gte=adopted_on).order_by("-exited_on").first()
    if overlapping is not None:
        message = f"The adoption date must be after their last exit from {cohort.name} ({overlapping.exited_on})."
        raise ValidationError({"adopted_on": message})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person, cohort=cohort, adopted_on=adopted_on, panel_date=panel_date, decided_by=acting_user
            )
            _audit_adoption(acting_user=acting_user, membership=membership)
    except IntegrityError as exc:
        # Someone recorded the same decision at the same moment: the constraints kept one.
        raise ValidationError({"person": f"{person.full_name} was adopted into {cohort.name} just now."}) from exc
    return membership


def _audit_adoption(*, acting_user: User, membership: Membership) -> None:
    audit_record(
        user=acting_user,
        action=AuditAction.CREATE,
        obj=membership,
        person=membership.person_id,
        changes=field_changes(
            {},
            {
                "cohort": membership.cohort.slug,
                "adopted_on": membership.adopted_on,
                "panel_date": membership.panel_date,
            },
        ),
    )


def membership_exit(
    *,
    acting_user: User,
    membership: Membership,
    exited_on: datetime.date,
    exit_reason: str,
    panel_date: datetime.date | None = None,
) -> Membership:
    """Record the panel's exit decision. Only an open membership can be exited, and only once."""
    access.ensure_can_decide_for_cohort(
        user=acting_user, cohort=membership.cohort, person=membership.person, attempted="exit"
    )
    errors = {}
    if membership.exited_on is not None:
        errors["exited_on"] = f"This membership already ended on {membership.exited_on}."
    elif exited_on < membership.adopted_on:
        errors["exited_on"] = f"The exit date cannot be before the adoption date ({membership.adopted_on})."
    if not (exit_reason or "").strip():
        errors["exit_reason"] = "Enter the reason the panel gave for the exit."
    for field, value, label in (
        ("exited_on", exited_on, "The exit date"),
        ("panel_date", panel_date, "The panel date"),
    ):
        if value is not None and value > today() and field not in errors:
            errors[field] = f"{label} cannot be in the future."
    if errors:
        raise ValidationError(errors)
    values = {
        "exited_on": exited_on,
        "exit_reason": exit_reason.strip(),
        "exit_panel_date": panel_date,
        "exit_decided_by": acting_user,
    }
    # Memberships carry no version: the exit is guarded on exited_on IS NULL instead, so two simultaneous exits
    # cannot both be recorded.
    with audited_change(acting_user=acting_user, instance=membership, fields=values, person=membership.person_id):
        updated = Membership.objects.filter(pk=membership.pk, exited_on__isnull=True).update(
            updated_at=timezone.now(),
            exited_on=exited_on,
            exit_reason=values["exit_reason"],
            exit_panel_date=panel_date,
            exit_decided_by=acting_user,
        )
        if updated != 1:
            raise ValidationError({"exited_on": "Someone has already recorded this member's exit."})
        membership.refresh_from_db()
    return membership
