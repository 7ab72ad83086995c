"""The account lifecycle (iom/services/staff.py): who may invite whom, single-use expiring links, deactivation,
and changes of access that need a second person."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from knox.models import AuthToken

from iom.access import audit_list_visible_to
from iom.models import AccessChangeStatus, AuditAction, AuditEvent, Invitation, Role, User
from iom.services import staff
from tests.iom import factories

pytestmark = pytest.mark.django_db

SITE = "https://iom.example.org"
GOOD_PASSWORD = "seven blue herons at dusk"


def invite(by, *, role=Role.IOM_OFFICER, organisation, teams=(), email="new.officer@norfolk.police.invalid"):
    return staff.invitation_send(
        acting_user=by,
        email=email,
        first_name="Nell",
        last_name="Hurst",
        role=role,
        organisation=organisation,
        teams=teams,
        site=SITE,
    )


def link_token() -> str:
    return re.search(r"/join/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_a_manager_invites_an_officer_to_their_team_by_email(
    manager, police, norwich, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(manager, organisation=police, teams=[norwich])
    (message,) = mail.outbox
    assert message.to == ["new.officer@norfolk.police.invalid"]
    token = link_token()
    assert f"{SITE}/join/{token}/" in message.body
    assert token not in invitation.token_digest  # only a digest is stored
    assert invitation.expires_at - timezone.now() > datetime.timedelta(hours=71, minutes=59)
    assert AuditEvent.objects.get(action=AuditAction.INVITED).user == manager


@pytest.mark.parametrize(
    ("role", "says"),
    [(Role.IOM_MANAGER, "role"), (Role.ANALYST, "role"), (Role.EMPLOYER, "role")],
)
def test_a_manager_cannot_invite_roles_beyond_their_staff(manager, police, norwich, role, says):
    with pytest.raises(ValidationError) as refused:
        invite(manager, role=role, organisation=police, teams=[norwich])
    assert says in refused.value.message_dict
    assert not Invitation.objects.exists()


def test_a_manager_cannot_put_someone_in_another_schemes_team(manager, police, suffolk_team):
    with pytest.raises(ValidationError) as refused:
        invite(manager, organisation=police, teams=[suffolk_team])
    assert "teams" in refused.value.message_dict


def test_case_workers_need_a_team_and_a_fitting_organisation(manager, police, partner, norwich):
    with pytest.raises(ValidationError, match="at least one team"):
        invite(manager, organisation=police)
    with pytest.raises(ValidationError):
        invite(manager, organisation=partner.organisation, teams=[norwich])  # an officer must be police


def test_a_coordinator_invites_an_employers_users_and_no_one_else(coordinator, employer, police, norwich):
    invitation = invite(coordinator, role=Role.EMPLOYER, organisation=employer.organisation, email="hr@care.invalid")
    assert invitation.role == Role.EMPLOYER
    with pytest.raises(ValidationError):
        invite(coordinator, organisation=police, teams=[norwich], email="x@police.invalid")


def test_roles_without_the_rule_cannot_invite(officer, police, norwich):
    with pytest.raises(PermissionDenied):
        invite(officer, organisation=police, teams=[norwich])


def test_accepting_makes_the_account_the_invitation_describes_and_uses_up_the_link(
    manager, police, norwich, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, organisation=police, teams=[norwich])
    token = link_token()
    user = staff.invitation_accept(token=token, username="nhurst", password=GOOD_PASSWORD)
    assert (user.role, user.organisation, list(user.teams.all()), user.email) == (
        Role.IOM_OFFICER,
        police,
        [norwich],
        "new.officer@norfolk.police.invalid",
    )
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.get(action=AuditAction.JOINED).user == user
    with pytest.raises(ValidationError, match="does not work"):
        staff.invitation_accept(token=token, username="again", password=GOOD_PASSWORD)


def test_an_expired_revoked_or_replaced_link_does_not_work(
    manager, police, norwich, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(manager, organisation=police, teams=[norwich])
    first = link_token()
    with django_capture_on_commit_callbacks(execute=True):
        staff.invitation_resend(acting_user=manager, invitation=invitation, site=SITE)
    second = link_token()
    assert staff.invitation_for_token(first) is None
    assert staff.invitation_for_token(second) == invitation
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert staff.invitation_for_token(second) is None
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + datetime.timedelta(hours=1))
    staff.invitation_revoke(acting_user=manager, invitation=invitation)
    assert staff.invitation_for_token(second) is None
    assert not User.objects.filter(email=invitation.email).exists()


def test_joining_needs_a_good_password_and_a_free_username(
    manager, officer, police, norwich, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, organisation=police, teams=[norwich])
    token = link_token()
    with pytest.raises(ValidationError) as weak:
        staff.invitation_accept(token=token, username="nhurst", password="short")
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError) as taken:
        staff.invitation_accept(token=token, username="OFFICER", password=GOOD_PASSWORD)
    assert "username" in taken.value.message_dict
    assert staff.invitation_for_token(token) is not None  # still usable after a refusal


def test_a_manager_deactivates_their_own_staff_ending_every_session_and_token(manager, officer):
    AuthToken.objects.create(user=officer)
    staff.user_deactivate(acting_user=manager, user=officer, reason="Left the force")
    officer.refresh_from_db()
    assert not officer.is_active
    assert officer.sessions_valid_after is not None
    assert not AuthToken.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action=AuditAction.DEACTIVATED)
    assert (event.user, event.object_id, event.details["reason"]) == (manager, str(officer.pk), "Left the force")
    staff.user_reactivate(acting_user=manager, user=officer, reason="Came back")
    officer.refresh_from_db()
    assert officer.is_active


def test_no_one_deactivates_another_schemes_staff_or_themselves(outsider_manager, manager, officer):
    for actor, target in ((outsider_manager, officer), (manager, manager)):
        with pytest.raises(PermissionDenied):
            staff.user_deactivate(acting_user=actor, user=target, reason="Because")
    officer.refresh_from_db()
    assert officer.is_active


def test_dropping_a_team_takes_effect_at_once(manager, police, norwich, yarmouth):
    officer = factories.UserFactory(role=Role.IOM_OFFICER, organisation=police, teams=[norwich, yarmouth])
    assert (
        staff.access_change_request(
            acting_user=manager, user=officer, role=Role.IOM_OFFICER, teams=[norwich], reason="Moved to Norwich only"
        )
        is None
    )
    assert list(officer.teams.all()) == [norwich]


@pytest.fixture
def second_manager(police, norwich):
    return factories.UserFactory(username="manager2", role=Role.IOM_MANAGER, organisation=police, teams=[norwich])


def test_widening_access_waits_for_a_second_person(manager, second_manager, officer, norwich, admin_user):
    change = staff.access_change_request(
        acting_user=manager, user=officer, role=Role.IOM_MANAGER, teams=[norwich], reason="Promoted"
    )
    officer.refresh_from_db()
    assert officer.get_role_display() == "IOM officer"  # nothing yet
    with pytest.raises(PermissionDenied):
        staff.access_change_decide(acting_user=manager, change=change, approve=True)  # who asked
    with pytest.raises(PermissionDenied):
        staff.access_change_decide(acting_user=officer, change=change, approve=True)  # who it is about
    staff.access_change_decide(acting_user=second_manager, change=change, approve=True)
    officer.refresh_from_db()
    assert officer.get_role_display() == "IOM manager"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (AccessChangeStatus.APPROVED, second_manager)
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_CHANGE_APPROVED, outcome="done")
    assert event.details == {"requested_by": "manager", "decided_by": "manager2"}
    assert event.changes["role"] == ["iom_officer", "iom_manager"]


def test_an_administrator_cannot_give_themselves_access_alone(admin_user, police, norwich):
    admin2 = factories.UserFactory(
        username="admin2", role=Role.ADMINISTRATOR, organisation=admin_user.organisation, is_staff=True
    )
    with pytest.raises(PermissionDenied):  # nobody manages their own account
        staff.access_change_request(
            acting_user=admin_user, user=admin_user, role=Role.IOM_MANAGER, teams=[norwich], reason="Need to look"
        )
    police_admin = factories.UserFactory(role=Role.ADMINISTRATOR, organisation=police, is_staff=True)
    change = staff.access_change_request(
        acting_user=admin_user, user=police_admin, role=Role.IOM_MANAGER, teams=[norwich], reason="Covering"
    )
    with pytest.raises(PermissionDenied):
        staff.access_change_decide(acting_user=police_admin, change=change, approve=True)
    staff.access_change_decide(acting_user=admin2, change=change, approve=False)
    police_admin.refresh_from_db()
    assert police_admin.get_role_display() == "Administrator"


def test_one_waiting_change_per_account(manager, officer, norwich, yarmouth):
    staff.access_change_request(
        acting_user=manager, user=officer, role=Role.IOM_OFFICER, teams=[norwich, yarmouth], reason="Cover"
    )
    with pytest.raises(ValidationError, match="already waiting"):
        staff.access_change_request(
            acting_user=manager, user=officer, role=Role.IOM_MANAGER, teams=[norwich], reason="x"
        )


def test_a_manager_of_another_scheme_cannot_approve(manager, outsider_manager, officer, norwich, yarmouth):
    change = staff.access_change_request(
        acting_user=manager, user=officer, role=Role.IOM_OFFICER, teams=[norwich, yarmouth], reason="Cover"
    )
    with pytest.raises(PermissionDenied):
        staff.access_change_decide(acting_user=outsider_manager, change=change, approve=True)


def test_managers_see_their_staffs_failed_sign_ins_in_the_audit(client, manager, officer, outsider_manager):
    client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    client.post("/sign-in/", {"username": "suffolkmanager", "password": "wrong"})
    failed = audit_list_visible_to(user=manager).filter(action=AuditAction.LOGIN_FAILED)
    assert [event.username for event in failed] == ["officer"]


def test_invitable_roles_follow_the_rules(manager, coordinator, admin_user, officer):
    assert staff.invitable_roles(manager) == {Role.IOM_OFFICER, Role.OFFENDER_MANAGER, Role.PARTNER_CASEWORKER}
    assert staff.invitable_roles(coordinator) == {Role.EMPLOYER}
    assert staff.invitable_roles(admin_user) == set(Role.values)
    assert staff.invitable_roles(officer) == set()
