"""The admin site and the second factor: its own login page sends people to the service's sign-in (so no one
skips the code there), and administrators reset a user's second factor from the user list."""

import pytest
from django.test import Client
from knox.models import AuthToken

from iom.models import AuditAction, AuditEvent
from iom.services import api_token_issue, two_factor
from tests.iom.two_factor import code_for, enrolled
from tests.web.two_factor.steps import code_step, is_signed_in, password_step, signed_in_with_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def test_the_admin_login_page_sends_to_the_service_sign_in_with_next():
    response = Client().get("/django-admin/login/?next=/django-admin/iom/user/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fdjango-admin%2Fiom%2Fuser%2F"


def test_an_admin_page_reached_anonymously_ends_at_the_service_sign_in():
    client = Client()
    admin_login = client.get("/django-admin/")["Location"]
    assert admin_login.startswith("/django-admin/login/")
    assert client.get(admin_login)["Location"] == "/sign-in/?next=%2Fdjango-admin%2F"


def test_posting_a_password_to_the_admin_login_signs_no_one_in(admin_user):
    client = Client()
    response = client.post("/django-admin/login/", {"username": "admin", "password": "correct-horse-battery-staple"})
    assert response["Location"].startswith("/sign-in/")
    assert not is_signed_in(client)


def test_an_administrator_signs_in_with_both_steps_and_comes_back_to_the_admin(admin_user):
    device, _ = enrolled(admin_user)
    client = Client()
    first = password_step(client, admin_user, next_url="/django-admin/iom/user/")
    response = code_step(client, code_for(device), next_url="/django-admin/iom/user/")
    assert response["Location"] == "/django-admin/iom/user/"
    assert client.get("/django-admin/iom/user/").status_code == 200
    assert client.get("/django-admin/login/")["Location"] == "/django-admin/"  # signed in already
    assert first.status_code == 302


def test_a_signed_in_user_the_admin_refuses_gets_a_403_not_a_loop(officer):
    device, _ = enrolled(officer)
    client = signed_in_with_code(officer, device)
    assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403


def test_the_otp_device_admin_pages_are_not_offered(admin_user):
    device, _ = enrolled(admin_user)
    client = signed_in_with_code(admin_user, device)
    assert client.get("/django-admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/django-admin/otp_static/staticdevice/").status_code == 404


def test_an_administrator_resets_a_user_s_second_factor_from_the_user_list(admin_user, officer):
    admin_device, _ = enrolled(admin_user)
    officer_device, _ = enrolled(officer)
    administrator = signed_in_with_code(admin_user, admin_device)
    officer_session = signed_in_with_code(officer, officer_device)
    api_token_issue(user=officer)
    listed = administrator.get("/django-admin/iom/user/").content.decode()
    assert "Reset second factor" in listed and "Second factor" in listed

    response = administrator.post(
        "/django-admin/iom/user/", {"action": "reset_second_factor", "_selected_action": [officer.pk]}
    )

    assert response.status_code == 302
    assert "Second factor reset for officer" in administrator.get("/django-admin/iom/user/").content.decode()
    assert two_factor.two_factor_device(user=officer) is None
    assert not AuthToken.objects.filter(user=officer).exists()
    assert officer_session.get("/people/")["Location"] == "/sign-in/?next=/people/"  # their session has ended
    reset = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert (reset.user, reset.object_id, reset.details["user"]) == (admin_user, str(officer.pk), "officer")
    # The next sign-in sets up an app again.
    fresh = Client()
    assert password_step(fresh, officer)["Location"] == "/sign-in/set-up/"
    assert not is_signed_in(fresh)
    assert is_signed_in(administrator)  # the administrator's own session goes on
