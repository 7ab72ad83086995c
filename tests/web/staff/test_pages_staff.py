"""The staff pages: a manager invites, the invited person joins through the link, and accounts are managed."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.models import AccessChange, Invitation, Role, User
from tests.iom import factories
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "seven blue herons at dusk"


def test_a_manager_invites_and_the_invited_officer_joins(
    client, manager, police, norwich, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    form = client.get("/staff/invitations/new/").content.decode()
    assert "Offender manager" in form and "IOM manager</option>" not in form
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/staff/invitations/new/",
            {
                "first_name": "Nell",
                "last_name": "Hurst",
                "email": "nell.hurst@norfolk.police.invalid",
                "role": Role.IOM_OFFICER,
                "organisation": police.pk,
                "teams": [norwich.pk],
            },
        )
    assert sent.status_code == 302
    assert "nell.hurst@norfolk.police.invalid" in client.get("/staff/invitations/").content.decode()
    link = re.search(r"https?://testserver(/join/\S+/)", mail.outbox[0].body).group(1)
    client.logout()

    page = client.get(link).content.decode()
    assert "invited you, Nell, as iom officer at Norfolk Constabulary" in page
    mismatch = client.post(link, {"username": "nhurst", "password": GOOD_PASSWORD, "password_again": "other"})
    assert "The two passwords are not the same" in mismatch.content.decode()
    joined = client.post(link, {"username": "nhurst", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert joined["Location"] == "/sign-in/"
    user = User.objects.get(username="nhurst")
    assert list(user.teams.all()) == [norwich]
    assert client.get(link).status_code == 404  # used once


def test_a_bad_invitation_is_refused_with_the_reason_beside_the_field(client, manager, police, suffolk_team):
    client.force_login(manager)
    response = client.post(
        "/staff/invitations/new/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.invalid",
            "role": Role.IOM_OFFICER,
            "organisation": police.pk,
        },
    )
    assert response.status_code == 200
    assert "Choose at least one team" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_staff_list_shows_only_the_managers_scheme(client, manager, officer, officer2, outsider_manager):
    client.force_login(manager)
    page = client.get("/staff/").content.decode()
    assert "officer2" in page and ">officer<" in page
    assert "suffolkmanager" not in page
    assert client.get(f"/staff/{outsider_manager.pk}/").status_code == 404


def test_deactivating_from_the_page_says_what_happened(client, manager, officer):
    client.force_login(manager)
    response = client.post(f"/staff/{officer.pk}/active/", {"reason": "Left the force"}, follow=True)
    assert "was deactivated: every session and API token of theirs has ended" in response.content.decode()
    officer.refresh_from_db()
    assert not officer.is_active
    assert "Deactivated" in client.get(f"/staff/{officer.pk}/").content.decode()


def test_the_account_history_shows_failed_sign_ins(client, manager, officer):
    client.post("/sign-in/", {"username": "officer", "password": "wrong"})
    client.force_login(manager)
    page = client.get(f"/staff/{officer.pk}/").content.decode()
    assert "Login failed" in page


def test_a_change_of_access_is_approved_by_a_second_manager(client, manager, officer, police, norwich, yarmouth):
    second = factories.UserFactory(username="manager2", role=Role.IOM_MANAGER, organisation=police, teams=[norwich])
    client.force_login(manager)
    asked = client.post(
        f"/staff/{officer.pk}/access/",
        {"role": Role.IOM_OFFICER, "teams": [norwich.pk, yarmouth.pk], "reason": "Covering Yarmouth"},
        follow=True,
    )
    assert "waiting for a second person" in asked.content.decode()
    change = AccessChange.objects.get()
    assert "Waiting for a second person" in client.get("/staff/").content.decode()
    assert client.post(f"/staff/access-changes/{change.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert officer.teams.count() == 1  # who asked cannot approve
    client.force_login(second)
    client.post(f"/staff/access-changes/{change.pk}/decide/", {"decision": "approve"})
    assert officer.teams.count() == 2


def test_a_manager_signs_a_member_of_staff_out_everywhere(client, manager, officer):
    theirs = Client()
    theirs.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert theirs.get("/").status_code == 200
    client.force_login(manager)
    response = client.post(f"/staff/{officer.pk}/sign-out/", follow=True)
    assert "was signed out everywhere" in response.content.decode()
    assert theirs.get("/").status_code == 302


def test_a_manager_resets_a_staff_members_second_factor_from_their_page(client, manager, officer):
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client.force_login(manager)
    response = client.post(f"/staff/{officer.pk}/second-factor/reset/", follow=True)
    assert "second factor was reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
