"""Every write to consent, referrals and Gateway placements; pages, API and tasks call these only."""

# The partner's read audits live with the reads (the selectors must not import the services); the faces find them
# here too, as they always have.
from referrals.selectors import referral_record_partner_view, referral_record_partner_views
from referrals.services.consent import consent_record, consent_withdraw
from referrals.services.gateway import (
    placement_match,
    placement_record_event,
    referral_approve_disclosure,
)
from referrals.services.referrals import (
    TRANSITIONS,
    referral_add_update,
    referral_create,
    referral_transition,
)
from referrals.services.reminders import chase_overdue_referrals, remind_sustainment_due

__all__ = [
    "TRANSITIONS",
    "chase_overdue_referrals",
    "consent_record",
    "consent_withdraw",
    "placement_match",
    "placement_record_event",
    "referral_add_update",
    "referral_approve_disclosure",
    "referral_create",
    "referral_record_partner_view",
    "referral_record_partner_views",
    "referral_transition",
    "remind_sustainment_due",
]
