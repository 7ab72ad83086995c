"""The token endpoint asks for the second factor (``otp``) of every user who has set one up, and refuses a token
to a user who has none where it is required: no token on a password alone (iom/services/two_factor.py)."""

import pytest
from axes.models import AccessAttempt
from knox.models import AuthToken
from rest_framework.test import APIClient

from iom.models import AuditAction, AuditEvent
from tests.iom.factories import PASSWORD
from tests.iom.two_factor import code_for, enrolled

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def ask(user, **otp):
    return APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD, **otp}, format="json")


def wrong_code(device) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def failures(username: str) -> int:
    return sum(AccessAttempt.objects.filter(username=username).values_list("failures_since_start", flat=True))


def test_a_real_code_from_the_app_gets_a_token_that_works(officer):
    device, _ = enrolled(officer)
    response = ask(officer, otp=code_for(device))
    assert response.status_code == 200, response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "officer"


def test_without_the_code_there_is_no_token_and_it_counts_as_a_failed_sign_in(officer):
    enrolled(officer)
    response = ask(officer)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["otp"]
    assert not AuthToken.objects.filter(user=officer).exists()
    assert failures("officer") == 1
    missing = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_FAILED)
    assert missing.details == {"stage": "api", "code": "missing"}


def test_a_wrong_code_is_a_400_on_otp_audited_and_counted(officer):
    device, _ = enrolled(officer)
    response = ask(officer, otp=wrong_code(device))
    assert response.status_code == 400
    assert "not right" in response.json()["errors"]["otp"][0]
    assert not AuthToken.objects.filter(user=officer).exists()
    assert failures("officer") == 1
    actions = set(AuditEvent.objects.filter(username="officer").values_list("action", flat=True))
    assert {AuditAction.TWO_FACTOR_FAILED, AuditAction.LOGIN_FAILED} <= actions


def test_a_wrong_password_is_refused_before_any_code_is_looked_at(officer):
    device, _ = enrolled(officer)
    response = APIClient().post(TOKEN, {"username": "officer", "password": "wrong", "otp": code_for(device)})
    assert response.status_code == 400
    assert response.json()["errors"] == {}
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).exists()


def test_a_backup_code_gets_one_token_once(officer):
    _, codes = enrolled(officer)
    assert ask(officer, otp=codes[0]).status_code == 200
    assert ask(officer, otp=codes[0]).status_code == 400


def test_missing_and_wrong_codes_lock_the_endpoint_like_wrong_passwords(settings, officer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after each wrong code, so this needs no sleep
    device, _ = enrolled(officer)
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask(officer, **({"otp": wrong_code(device)} if n % 2 else {})).status_code == 400
    locked = ask(officer, otp=wrong_code(device))
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert locked["Retry-After"] == "900"
    assert ask(officer, otp=code_for(device)).status_code == 429


def test_a_code_sent_during_the_app_s_pause_is_not_checked_and_says_to_wait(settings, officer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a pause of a minute after one wrong code, so the test cannot outrun it
    device, _ = enrolled(officer)
    assert ask(officer, otp=wrong_code(device)).status_code == 400
    response = ask(officer, otp=code_for(device))
    assert response.status_code == 429
    assert response.json()["errors"]["otp"][0].startswith("Wait ")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert failures("officer") == 1  # the wrong code, not the paused one


def test_a_user_without_an_app_is_told_to_set_it_up_on_the_web_first(officer):
    response = ask(officer)
    assert response.status_code == 400
    assert "Set up two-factor sign-in on the web first" in response.json()["detail"]
    assert "otp" in response.json()["errors"]
    assert not AuthToken.objects.filter(user=officer).exists()


def test_in_the_demo_a_user_without_an_app_still_gets_a_token_on_the_password(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    assert ask(officer).status_code == 200


def test_in_the_demo_a_user_with_an_app_still_needs_its_code(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    device, _ = enrolled(officer)
    assert ask(officer).status_code == 400
    assert ask(officer, otp=code_for(device)).status_code == 200


def test_the_openapi_description_documents_the_otp_field():
    schema = APIClient().get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert set(fields) == {"username", "password", "otp"}
    assert "backup codes" in fields["otp"]["description"]
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "otp" in operation["description"]
    assert {"200", "400", "429"} <= set(operation["responses"])
