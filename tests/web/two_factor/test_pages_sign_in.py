"""Signing in in two steps (web/two_factor/): the password, then a code from the app or a backup code.

Codes are real TOTP codes computed from the enrolled secret; clocks are moved by writing the session's own
times, never by mocking. ``TWO_FACTOR_REQUIRED`` is on here, as in production (the suite runs with DEBUG on).
"""

import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from iom import session_limits
from iom.models import AuditAction, AuditEvent
from tests.iom.two_factor import code_for, enrolled
from tests.web.security.inline_code import inline_code_in
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed
from tests.web.two_factor.steps import code_step, is_signed_in, password_step, signed_in_with_code
from web.two_factor import pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def wrong_code(device) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def failures(username: str) -> int:
    return sum(AccessAttempt.objects.filter(username=username).values_list("failures_since_start", flat=True))


def audited(user) -> list[str]:
    by_name = AuditEvent.objects.filter(username=user.username).order_by("pk")
    return list(by_name.values_list("action", flat=True))


def test_the_password_alone_signs_no_enrolled_user_in(officer):
    enrolled(officer)
    client = Client()
    response = password_step(client, officer)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/code/"
    assert not is_signed_in(client)
    assert client.get("/people/")["Location"] == "/sign-in/?next=/people/"
    assert AuditAction.LOGIN not in audited(officer)


def test_a_real_code_computed_from_the_enrolled_secret_signs_in(officer):
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    page = client.get("/sign-in/code/")
    assert page.status_code == 200
    assert "Enter your sign-in code" in page.content.decode()

    # The app's code for the next 30-second step (this step's set the app up, and a code works once), computed
    # from the enrolled secret as the app computes it.
    device.refresh_from_db()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0 - device.step, digits=device.digits):06d}"
    response = code_step(client, code)

    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(client)
    session = client.session
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert time.time() - session[session_limits.SIGNED_IN_AT] < 5  # the session clocks started with the login
    assert pending.PENDING not in session
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="demo-banner"' not in home.content.decode()
    assert AuditAction.LOGIN in audited(officer)


def test_a_wrong_code_is_refused_audited_and_counted_as_a_failed_sign_in(officer):
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)

    response = code_step(client, wrong_code(device))

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert_error_summary_links_to_fields(response)
    assert not is_signed_in(client)
    assert failures("officer") == 1
    assert set(audited(officer)[-2:]) == {AuditAction.LOGIN_FAILED, AuditAction.TWO_FACTOR_FAILED}


def test_an_empty_code_asks_for_one_and_is_not_counted(officer):
    enrolled(officer)
    client = Client()
    password_step(client, officer)
    response = code_step(client, "")
    assert "Enter the code from your authenticator app" in response.content.decode()
    assert_error_summary_links_to_fields(response)
    assert failures("officer") == 0


def test_a_code_sent_during_the_app_s_pause_says_to_wait_and_is_not_counted(settings, officer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after one wrong code, so the test cannot outrun it
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    code_step(client, wrong_code(device))
    response = code_step(client, code_for(device))
    assert "seconds, then enter the code again" in response.content.decode()
    assert not is_signed_in(client)
    assert failures("officer") == 1


def test_wrong_codes_lock_sign_in_like_wrong_passwords(settings, officer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after each wrong code, so this needs no sleep
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, wrong_code(device)).status_code == 200

    locked = code_step(client, wrong_code(device))

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert AuditAction.LOCKED_OUT in audited(officer)
    # Locked now: the right password (and so any code) is refused too, from this address.
    assert password_step(client, officer).status_code == 429
    assert not is_signed_in(client)


def test_the_code_page_answers_like_the_locked_sign_in_once_the_account_is_locked(settings, officer):
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):  # guessed elsewhere meanwhile
        Client().post("/sign-in/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}")

    assert code_step(client, code_for(device)).status_code == 429
    assert not is_signed_in(client)
    assert client.get("/sign-in/code/")["Location"] == "/sign-in/"  # the pending sign-in was dropped


def test_a_backup_code_signs_in_once(officer):
    _, codes = enrolled(officer)
    client = Client()
    password_step(client, officer)
    response = code_step(client, codes[0])
    assert response.status_code == 302 and is_signed_in(client)
    assert "You used a backup code. You have 9 left." in client.get("/").content.decode()

    client.post("/sign-out/")
    again = Client()
    password_step(again, officer)
    refused = code_step(again, codes[0])
    assert refused.status_code == 200 and not is_signed_in(again)
    assert "The code is not right" in refused.content.decode()


def test_the_pending_sign_in_lapses_after_five_minutes(officer):
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    session = client.session
    session[pending.PENDING]["until"] = time.time() - 1
    session.save()

    response = code_step(client, code_for(device))

    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    assert not is_signed_in(client)
    assert "You took more than 5 minutes" in client.get("/sign-in/").content.decode()
    assert client.get("/sign-in/code/")["Location"] == "/sign-in/"  # forgotten, not only refused


def test_the_code_page_without_a_pending_sign_in_sends_to_the_password_step(officer):
    assert Client().get("/sign-in/code/?next=/people/")["Location"] == "/sign-in/?next=%2Fpeople%2F"


def test_a_password_change_meanwhile_ends_the_pending_sign_in(officer):
    device, _ = enrolled(officer)
    client = Client()
    password_step(client, officer)
    officer.set_password("another-long-passphrase-2026")
    officer.save()
    assert code_step(client, code_for(device))["Location"] == "/sign-in/"
    assert not is_signed_in(client)


def test_next_is_kept_through_both_steps(officer):
    device, _ = enrolled(officer)
    client = Client()
    first = password_step(client, officer, next_url="/people/?q=smith")
    assert first["Location"] == "/sign-in/code/?next=%2Fpeople%2F%3Fq%3Dsmith"
    page = client.get(first["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/people/?q=smith">' in page
    response = code_step(client, code_for(device), next_url="/people/?q=smith")
    assert response["Location"] == "/people/?q=smith"


@pytest.mark.parametrize("unsafe", ["https://attacker.example/", "//attacker.example/x", "javascript:alert(1)"])
def test_a_next_on_another_site_is_not_followed_at_either_step(officer, unsafe):
    device, _ = enrolled(officer)
    client = Client()
    assert password_step(client, officer, next_url=unsafe)["Location"] == "/sign-in/code/"
    page = client.get(f"/sign-in/code/?next={unsafe}").content.decode()
    assert "attacker" not in page and "javascript" not in page
    assert code_step(client, code_for(device), next_url=unsafe)["Location"] == "/"


def test_the_code_page_is_well_formed_and_has_no_inline_code(officer):
    enrolled(officer)
    client = Client()
    password_step(client, officer)
    page = client.get("/sign-in/code/")
    assert_well_formed(page)
    assert inline_code_in(page.content.decode()) == []
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_a_session_without_a_second_factor_is_ended_where_one_is_required(officer):
    client = Client()
    client.force_login(officer)  # not through the sign-in pages: no second factor
    response = client.get("/people/")
    assert response["Location"] == "/sign-in/?next=/people/"
    assert not is_signed_in(client)
    ended = AuditEvent.objects.get(action=AuditAction.SESSION_ENDED)
    assert ended.details == {"reason": "no_second_factor"}


def test_a_verified_session_goes_on(officer):
    device, _ = enrolled(officer)
    client = signed_in_with_code(officer, device)
    assert client.get("/people/").status_code == 200
    assert client.get("/account/").status_code == 200


# --- The demo: TWO_FACTOR_REQUIRED off ---------------------------------------------------------------------------


def test_in_the_demo_a_user_without_an_app_is_signed_in_by_the_password_and_every_page_says_so(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    client = Client()
    response = password_step(client, officer, next_url="/people/")
    assert response["Location"] == "/people/"
    assert is_signed_in(client)
    for path in ("/", "/people/", "/account/", "/notifications/"):
        page = client.get(path).content.decode()
        assert 'id="demo-banner"' in page, path
        assert "Signed in without a second factor" in page, path


def test_in_the_demo_a_user_with_an_app_is_still_asked_for_its_code(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    device, _ = enrolled(officer)
    client = Client()
    assert password_step(client, officer)["Location"] == "/sign-in/code/"
    assert not is_signed_in(client)
    code_step(client, code_for(device))
    assert 'id="demo-banner"' not in client.get("/").content.decode()


def test_the_banner_is_not_shown_to_anonymous_visitors(settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert 'id="demo-banner"' not in Client().get("/sign-in/").content.decode()
