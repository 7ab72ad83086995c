"""An illegal referral move is a 409 whoever asks and whatever the reason (docs/product.md "Referrals").

``POST /api/v1/referrals/{id}/transition/`` checks, in order: that the user may see the referral (404), that
the transition table allows the move from the state the referral is in now (409 "not allowed from this state",
audited as a refusal), that the user's side may make it (403) and that a closing move has a reason (400). So an
officer moving a draft to completed is told the move is impossible, not that it is the partner's to make, and a
partner closing a referral that was never accepted is not asked for a reason first.

The world: the Norwich ``case`` (led by ``officer``) has referrals to Broadland Housing (``partner``'s
organisation), which needs the consent recorded here; Flagship Housing's ``flagship`` is a partner of another
organisation.
"""

import pytest

from iom.models import AuditAction, AuditEvent, AuditOutcome, OrganisationType, Role
from partners.models import ServiceType
from referrals import services
from referrals.models import Referral, ReferralState, ReferralTransition
from referrals.services import TRANSITIONS
from referrals.services.referrals import REFERRER_MOVES, IllegalTransition
from tests.iom import factories
from tests.partners.factories import ServiceFactory
from tests.referrals.factories import ConsentFactory

pytestmark = pytest.mark.django_db

S = ReferralState
PATH_TO = {
    S.DRAFT: (),
    S.SUBMITTED: (S.SUBMITTED,),
    S.ACCEPTED: (S.SUBMITTED, S.ACCEPTED),
    S.DECLINED: (S.SUBMITTED, S.DECLINED),
    S.IN_PROGRESS: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS),
    S.COMPLETED: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED),
    S.NOT_ENGAGED: (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.NOT_ENGAGED),
    S.WITHDRAWN: (S.WITHDRAWN,),
}
ILLEGAL = sorted((source, target) for source in S.values for target in S.values if target not in TRANSITIONS[source])


@pytest.fixture
def referral_in(officer, partner, case):
    housing = ServiceFactory(organisation=partner.organisation, service_type=ServiceType.HOUSING)
    ConsentFactory(
        person=case.person, scope_organisation=partner.organisation, scope_service_type="", recorded_by=officer
    )

    def _in(state: str) -> Referral:
        referral = services.referral_create(
            acting_user=officer,
            case=case,
            service=housing,
            reason="At risk of losing his tenancy",
            shared_information="Name, date of birth and the arrears",
        )
        for step in PATH_TO[state]:
            actor = officer if step in REFERRER_MOVES else partner
            referral = services.referral_transition(
                acting_user=actor, referral=referral, to_state=step, reason="Recorded in the test"
            )
        return referral

    return _in


@pytest.fixture
def flagship(db):
    organisation = factories.OrganisationFactory(name="Flagship Housing", type=OrganisationType.HOUSING)
    return factories.UserFactory(username="flagship", role=Role.PARTNER_CASEWORKER, organisation=organisation)


def _move(api_as, user, referral: Referral, to_state: str, reason: str | None = None):
    body = {"to_state": to_state} if reason is None else {"to_state": to_state, "reason": reason}
    return api_as(user).post(f"/api/v1/referrals/{referral.pk}/transition/", body, format="json")


def _history(referral: Referral) -> tuple:
    row = Referral.objects.get(pk=referral.pk)
    done = AuditEvent.objects.filter(
        object_type="referral", object_id=str(referral.pk), action=AuditAction.CHANGE, outcome=AuditOutcome.DONE
    )
    return row.state, row.version, ReferralTransition.objects.filter(referral=referral).count(), done.count()


def _refusals(referral: Referral):
    return AuditEvent.objects.filter(
        object_type="referral", object_id=str(referral.pk), outcome=AuditOutcome.REFUSED, action=AuditAction.CHANGE
    )


def test_an_officer_moving_a_draft_to_completed_is_told_it_is_not_allowed_from_this_state(referral_in, api_as, officer):
    referral = referral_in(S.DRAFT)
    before = _history(referral)

    response = _move(api_as, officer, referral, S.COMPLETED, reason="All done")

    assert response.status_code == 409, response.content
    assert response.json() == {
        "detail": "A draft referral cannot become completed (allowed next: submitted, withdrawn).",
        "current_version": referral.version,
        "current": {"state": "draft"},
    }
    assert _history(referral) == before
    refusal = _refusals(referral).get()
    assert (refusal.user, refusal.person_id) == (officer, referral.case.person_id)
    assert refusal.details == {"attempted": "referral completed", "from_state": "draft"}


def test_a_partner_closing_a_submitted_referral_without_a_reason_is_a_409_not_a_400(referral_in, api_as, partner):
    referral = referral_in(S.SUBMITTED)
    before = _history(referral)

    response = _move(api_as, partner, referral, S.COMPLETED)

    assert response.status_code == 409, response.content
    assert response.json()["detail"] == (
        "A submitted referral cannot become completed (allowed next: accepted, declined, withdrawn)."
    )
    assert response.json()["current"] == {"state": "submitted"}
    assert _history(referral) == before
    assert _refusals(referral).get().user == partner


@pytest.mark.parametrize("actor", ["officer", "partner"])
@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_every_illegal_move_is_a_409_whichever_side_asks_and_without_a_reason(
    referral_in, api_as, all_roles, actor, source, target
):
    referral = referral_in(source)
    before = _history(referral)

    response = _move(api_as, all_roles[actor], referral, target)

    if actor == "partner" and source == S.DRAFT:
        assert response.status_code == 404, response.content  # a partner never sees a draft
        assert not _refusals(referral).exists()
    else:
        assert response.status_code == 409, response.content
        assert response.json()["current"] == {"state": source}
        assert _refusals(referral).get().details == {"attempted": f"referral {target}", "from_state": source}
    assert _history(referral) == before


@pytest.mark.parametrize("who", ["officer2", "flagship"])
def test_an_illegal_move_on_a_referral_the_user_cannot_see_is_still_a_404(referral_in, api_as, officer2, flagship, who):
    referral = referral_in(S.SUBMITTED)
    before = _history(referral)
    user = {"officer2": officer2, "flagship": flagship}[who]

    response = _move(api_as, user, referral, S.COMPLETED)

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found."}
    assert _history(referral) == before
    assert not _refusals(referral).exists()


def test_a_role_without_referrals_is_still_a_403_and_anonymous_a_401(referral_in, api, api_as, employer):
    referral = referral_in(S.DRAFT)
    assert api.post(f"/api/v1/referrals/{referral.pk}/transition/", {"to_state": S.COMPLETED}).status_code == 401
    assert _move(api_as, employer, referral, S.COMPLETED).status_code == 403


def test_a_legal_move_by_the_wrong_side_is_still_a_403(referral_in, api_as, officer):
    referral = referral_in(S.SUBMITTED)
    before = _history(referral)
    response = _move(api_as, officer, referral, S.ACCEPTED)
    assert response.status_code == 403, response.content
    assert _history(referral) == before


def test_a_legal_closing_move_without_a_reason_is_still_a_400(referral_in, api_as, partner):
    referral = referral_in(S.SUBMITTED)
    before = _history(referral)
    response = _move(api_as, partner, referral, S.DECLINED)
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {"reason"}
    assert _history(referral) == before
    assert not _refusals(referral).exists()


def test_the_service_judges_the_state_the_referral_is_in_now_not_the_callers_copy(referral_in, officer, partner):
    referral = referral_in(S.SUBMITTED)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_transition(acting_user=partner, referral=referral, to_state=S.ACCEPTED)

    # Declining is the partner's move from the stale copy's state; from the real one it is not a move at all.
    with pytest.raises(IllegalTransition) as refused:
        services.referral_transition(acting_user=officer, referral=stale, to_state=S.DECLINED)

    assert refused.value.current == {"state": S.ACCEPTED}
    assert Referral.objects.get(pk=referral.pk).state == S.ACCEPTED
