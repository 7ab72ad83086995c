"""Setting up the app at a first sign-in, backup codes shown once, and both again from Your account.

The test reads the secret from the page as a person types it into their app, and computes the code from it.
"""

import base64
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.oath import totp

from iom.models import AuditAction, AuditEvent
from iom.services import two_factor
from tests.iom.two_factor import code_for, enrolled
from tests.web.security.inline_code import inline_code_in
from tests.web.test_pages_html import assert_error_summary_links_to_fields, assert_well_formed
from tests.web.two_factor.steps import code_step, is_signed_in, password_step, signed_in_with_code

pytestmark = pytest.mark.django_db

QR_CODE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="[^"]+">')


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def secret_on(html: str) -> bytes:
    """The key as the page shows it for typing in (groups of four), decoded as an authenticator app does."""
    shown = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', html).group(1)
    return base64.b32decode(shown.replace(" ", ""))


def app_code(secret: bytes) -> str:
    return f"{totp(secret):06d}"


def codes_on(html: str) -> list[str]:
    listed = re.search(r'<ol class="govuk-list govuk-list--number" id="backup-codes">(.*?)</ol>', html, re.S).group(1)
    return re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", listed)


def test_a_first_sign_in_sets_up_the_app_then_shows_the_backup_codes_once_and_signs_in(officer):
    client = Client()
    assert password_step(client, officer)["Location"] == "/sign-in/set-up/"
    assert not is_signed_in(client)

    page = client.get("/sign-in/set-up/")
    html = page.content.decode()
    assert page.status_code == 200
    assert_well_formed(page)
    assert inline_code_in(html) == []
    svg = base64.b64decode(QR_CODE.search(html).group(1)).decode()
    assert svg.startswith("<svg") and "style" not in svg and "<script" not in svg
    assert client.get("/sign-in/set-up/").content.decode().count(secret_on(html).hex()) == 0  # never as hex
    assert secret_on(client.get("/sign-in/set-up/").content.decode()) == secret_on(html)  # a reload: same key

    response = client.post("/sign-in/set-up/", {"code": app_code(secret_on(html))})

    assert response.status_code == 200
    shown = codes_on(response.content.decode())
    assert len(shown) == 10
    assert_well_formed(response)
    assert 'id="demo-banner"' not in response.content.decode()  # signed in with a second factor, in this request
    assert is_signed_in(client)
    assert client.get("/").status_code == 200
    account = client.get("/account/").content.decode()
    assert "10 unused" in account
    assert not any(code in account for code in shown)  # shown once, then only their count
    actions = set(AuditEvent.objects.filter(user=officer).values_list("action", flat=True))
    assert {AuditAction.TWO_FACTOR_ENROLLED, AuditAction.BACKUP_CODES_ISSUED, AuditAction.LOGIN} <= actions

    # The next sign-in asks for a code, and a backup code from the page works.
    client.post("/sign-out/")
    assert password_step(client, officer)["Location"] == "/sign-in/code/"
    assert code_step(client, shown[3])["Location"] == "/"


def test_a_wrong_set_up_code_shows_the_error_and_signs_no_one_in(officer):
    client = Client()
    password_step(client, officer)
    secret = secret_on(client.get("/sign-in/set-up/").content.decode())
    wrong = f"{(int(app_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/sign-in/set-up/", {"code": wrong})

    assert_error_summary_links_to_fields(response)
    assert "The code is not right" in response.content.decode()
    assert not is_signed_in(client)
    assert two_factor.two_factor_device(user=officer) is None
    assert not AccessAttempt.objects.exists()  # not a failed sign-in: the password was right, there is no app yet
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, username="officer").exists()


def test_next_survives_setting_up(officer):
    client = Client()
    first = password_step(client, officer, next_url="/people/")
    assert first["Location"] == "/sign-in/set-up/?next=%2Fpeople%2F"
    secret = secret_on(client.get(first["Location"]).content.decode())
    response = client.post("/sign-in/set-up/", {"code": app_code(secret), "next": "/people/"})
    assert 'href="/people/"' in response.content.decode()


def test_the_set_up_page_without_a_pending_sign_in_sends_to_the_password_step():
    assert Client().get("/sign-in/set-up/")["Location"] == "/sign-in/"


def test_a_user_who_has_an_app_is_not_shown_a_new_one(officer):
    enrolled(officer)
    client = Client()
    password_step(client, officer)
    assert client.get("/sign-in/set-up/")["Location"] == "/sign-in/code/"


def test_new_backup_codes_from_your_account_replace_the_old_ones(officer):
    device, old = enrolled(officer)
    client = signed_in_with_code(officer, device)
    assert "Make new backup codes" in client.get("/account/").content.decode()

    response = client.post("/account/two-factor/backup-codes/")

    assert response.status_code == 200
    new = codes_on(response.content.decode())
    assert len(new) == 10 and set(new).isdisjoint(old)
    assert two_factor.two_factor_verify(user=officer, code=new[0], via="page") is not None
    assert two_factor.two_factor_verify(user=officer, code=old[0], via="page") is None
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP_CODES_ISSUED, user=officer).count() == 2


# --- The demo: setting up from Your account ----------------------------------------------------------------------


def test_in_the_demo_a_user_can_set_up_the_app_from_their_account_and_the_banner_goes(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    client = Client()
    password_step(client, officer)
    account = client.get("/account/").content.decode()
    assert "this demo signs you in without it" in account
    assert 'href="/account/two-factor/set-up/"' in account

    page = client.get("/account/two-factor/set-up/")
    assert_well_formed(page)
    response = client.post("/account/two-factor/set-up/", {"code": app_code(secret_on(page.content.decode()))})

    assert len(codes_on(response.content.decode())) == 10
    assert 'id="demo-banner"' not in response.content.decode()
    assert 'id="demo-banner"' not in client.get("/").content.decode()
    assert client.get("/account/two-factor/set-up/")["Location"] == "/account/"
    settings.TWO_FACTOR_REQUIRED = True
    assert client.get("/people/").status_code == 200  # the session is verified now


def test_new_backup_codes_need_an_app(settings, officer):
    settings.TWO_FACTOR_REQUIRED = False
    client = Client()
    password_step(client, officer)
    response = client.post("/account/two-factor/backup-codes/")
    assert response["Location"] == "/account/"
    assert not AuditEvent.objects.filter(action=AuditAction.BACKUP_CODES_ISSUED).exists()


def test_code_for_matches_the_page_s_secret(officer):
    """The helper other tests use computes what an app given the page's key computes."""
    client = Client()
    password_step(client, officer)
    secret = secret_on(client.get("/sign-in/set-up/").content.decode())
    assert code_for(two_factor.two_factor_enrolment_start(user=officer)) == app_code(secret)
