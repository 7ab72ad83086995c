"""``seed_demo`` now ends by running ``seed_demo_partners``: the demo shows every referral state, every placement
stage and believable Gateway figures, a second run adds nothing, and each demo employer sees only its own
candidates.

Seeding takes a few seconds, so everything is checked in one test that seeds once and then runs again.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Model

from iom.models import AuditEvent, Notification, Organisation, User
from partners.models import Employer, Opportunity, OpportunityType, Pledge, Service
from referrals.models import (
    Consent,
    DisclosedConviction,
    InterviewOutcome,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    Referral,
    ReferralState,
    ReferralTransition,
    ReferralUpdate,
)
from referrals.selectors import gateway_figures, placement_list_visible_to
from referrals.services.reminders import overdue_referrals

pytestmark = pytest.mark.django_db

K = PlacementEventKind
COUNTED_MODELS: tuple[type[Model], ...] = (
    Organisation,
    User,
    Service,
    Employer,
    Pledge,
    Opportunity,
    Consent,
    Referral,
    ReferralTransition,
    ReferralUpdate,
    DisclosedConviction,
    Placement,
    PlacementEvent,
    Notification,
    AuditEvent,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _placements_with(kind: str, **event_filters) -> set[int]:
    return set(
        PlacementEvent.objects.filter(kind=kind, **event_filters).values_list("placement_id", flat=True).distinct()
    )


def _assert_every_placement_stage() -> None:
    interviewed_ok = _placements_with(K.INTERVIEW, outcome=InterviewOutcome.SUCCESSFUL)
    interviewed_not = _placements_with(K.INTERVIEW, outcome=InterviewOutcome.UNSUCCESSFUL)
    offered, started = _placements_with(K.OFFER), _placements_with(K.STARTED)
    weeks_13, weeks_26, ended = (
        _placements_with(K.SUSTAINED_13),
        _placements_with(K.SUSTAINED_26),
        _placements_with(K.ENDED),
    )
    all_events = set(PlacementEvent.objects.values_list("placement_id", flat=True))

    assert Placement.objects.exclude(pk__in=all_events).exists(), "a placement that is matched only"
    assert interviewed_not, "an unsuccessful interview"
    assert interviewed_ok - offered - started, "a successful interview with no offer yet"
    assert offered - started, "an offer not yet started"
    assert started - weeks_13 - ended, "a recent start"
    assert weeks_13 - weeks_26, "sustained 13 weeks but not yet 26"
    assert weeks_26, "sustained 26 weeks"
    assert ended and Placement.objects.filter(pk__in=ended, ended_on__isnull=False).exists(), "an ended placement"
    assert not PlacementEvent.objects.filter(kind=K.ENDED, reason="").exists(), "every end has a reason"
    # The denormalised dates agree with the events they come from.
    assert set(Placement.objects.filter(started_on__isnull=False).values_list("pk", flat=True)) == started
    assert set(Placement.objects.filter(sustained_26_on__isnull=False).values_list("pk", flat=True)) == weeks_26


def _assert_employers_see_only_their_own() -> None:
    for username, organisation, at_least in (
        ("employer", "Anglia Care Homes Ltd", 3),
        ("employer2", "Yare Valley Construction", 2),
    ):
        user = User.objects.get(username=username)
        visible = placement_list_visible_to(user=user)
        assert visible.count() >= at_least, username
        assert {p.opportunity.employer.organisation.name for p in visible} == {organisation}, username
        # Candidates matched to them without an approved disclosure, or whose consent was withdrawn, stay hidden.
        everyone_matched = Placement.objects.filter(opportunity__employer__organisation__name=organisation)
        hidden = everyone_matched.exclude(pk__in=visible.values("pk"))
        assert all(
            p.referral.disclosure_approved_at is None or p.referral.state == ReferralState.WITHDRAWN for p in hidden
        )
    anglia_hidden = Placement.objects.filter(
        opportunity__employer__organisation__name="Anglia Care Homes Ltd", referral__disclosure_approved_at__isnull=True
    )
    assert anglia_hidden.exists(), "the demo shows a match the employer cannot see until the disclosure is approved"


def test_seed_demo_seeds_partners_in_every_state_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True

    output = _seed()
    assert "Partner demo data ready" in output
    first = _counts()

    # Every referral state, each moved by the services (so each non-draft referral has its transitions).
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    assert not Referral.objects.exclude(state=ReferralState.DRAFT).filter(transitions__isnull=True).exists()
    assert len(overdue_referrals()) >= 1, "a submitted referral not answered in 10 working days"
    assert Consent.objects.filter(withdrawn_on__isnull=False).count() >= 2
    assert Referral.objects.filter(transitions__reason__startswith="Consent withdrawn").exists()

    _assert_every_placement_stage()

    figures = gateway_figures()
    assert 10 <= figures["employers_pledged"] <= 12
    assert 6 <= figures["employers_with_placement_started"] <= 8
    assert figures["target"] == 100
    assert 8 <= figures["placements_started"] <= 12
    assert 4 <= figures["sustained_13_weeks"] <= 6
    assert 2 <= figures["sustained_26_weeks"] <= 4
    assert Employer.objects.count() >= 15
    # Volunteering is tracked but does not count an employer as having taken someone on.
    assert Placement.objects.filter(
        opportunity__opportunity_type=OpportunityType.VOLUNTEERING, started_on__isnull=False
    ).exists()

    _assert_employers_see_only_their_own()

    output = _seed()
    assert "already exists" in output
    assert _counts() == first
