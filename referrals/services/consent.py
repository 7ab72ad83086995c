"""Recording and withdrawing a person's consent to share.

Withdrawal takes effect at once: the live referrals it covered are withdrawn
(with the reason recorded on each transition), which ends the partner's and
the employer's sight of the person.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from iom import access
from iom.audit import audit_record
from iom.changes import create_audited
from iom.models import AuditAction, Organisation, Person, User
from iom.services._validation import not_in_future, today
from partners.models import ServiceType
from referrals.models import Consent, ConsentMethod, Referral, ReferralState
from referrals.services.referrals import withdraw_for_consent


def consent_record(
    *,
    acting_user: User,
    person: Person,
    shared_information: str,
    method: str,
    given_on: datetime.date,
    scope_organisation: Organisation | None = None,
    scope_service_type: str = "",
) -> Consent:
    access.ensure_can_change_person(user=acting_user, person=person, attempted="record consent")
    errors = {}
    if bool(scope_organisation) == bool(scope_service_type):
        errors["scope"] = "Choose either one organisation or one type of service the consent covers."
    if scope_service_type and scope_service_type not in ServiceType.values:
        errors["scope_service_type"] = "Choose a known type of service."
    if method not in ConsentMethod.values:
        errors["method"] = "Choose how the consent was obtained."
    if not (shared_information or "").strip():
        errors["shared_information"] = "Say what the person agreed may be shared."
    if errors:
        raise ValidationError(errors)
    not_in_future("given_on", given_on, "The date consent was given")
    consent = Consent(
        person=person,
        scope_organisation=scope_organisation,
        scope_service_type=scope_service_type,
        shared_information=shared_information.strip(),
        method=method,
        given_on=given_on,
        recorded_by=acting_user,
    )
    create_audited(
        acting_user=acting_user,
        instance=consent,
        person=person,
        details={"scope": consent.scope_label, "method": method},
    )
    return consent


def consent_withdraw(
    *, acting_user: User, consent: Consent, reason: str, withdrawn_on: datetime.date | None = None
) -> list[Referral]:
    """Withdraw consent and, in the same transaction, every open referral that relied on it.

    Returns the referrals withdrawn.
    """
    access.ensure_can_change_person(user=acting_user, person=consent.person, attempted="withdraw consent")
    withdrawn_on = withdrawn_on or today()
    errors = {}
    if consent.withdrawn_on is not None:
        errors["withdrawn_on"] = f"This consent was already withdrawn on {consent.withdrawn_on}."
    elif withdrawn_on < consent.given_on:
        errors["withdrawn_on"] = "Consent cannot be withdrawn before it was given."
    if not (reason or "").strip():
        errors["reason"] = "Say how and why the person withdrew consent."
    if errors:
        raise ValidationError(errors)
    not_in_future("withdrawn_on", withdrawn_on, "The withdrawal date")
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, withdrawn_on__isnull=True).update(
            withdrawn_on=withdrawn_on, withdrawal_reason=reason.strip(), withdrawn_by=acting_user
        )
        if updated != 1:
            raise ValidationError({"withdrawn_on": "Someone has just recorded this withdrawal."})
        consent.refresh_from_db()
        audit_record(
            user=acting_user,
            action=AuditAction.CHANGE,
            obj=consent,
            person=consent.person_id,
            changes={"withdrawn_on": [None, withdrawn_on.isoformat()]},
        )
        open_states = [ReferralState.DRAFT, ReferralState.SUBMITTED, ReferralState.ACCEPTED, ReferralState.IN_PROGRESS]
        affected = list(Referral.objects.filter(consent=consent, state__in=open_states).order_by("pk"))
        for referral in affected:
            withdraw_for_consent(
                acting_user=acting_user, referral=referral, reason=f"Consent withdrawn: {reason.strip()}"
            )
    return affected
