"""Changing a password and resetting a forgotten one (web/account/passwords.py): the policy holds, the reset pages
disclose nothing, links expire and work once, and either way the user's other sessions and tokens end."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken

from iom.models import AuditAction, AuditEvent
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "correct horse battery staple"


def signed_in(user, password: str = PASSWORD) -> Client:
    client = Client()
    assert client.post("/sign-in/", {"username": user.username, "password": password}).status_code == 302
    return client


def change(client: Client, old: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": new if confirm is None else confirm},
    )


@pytest.mark.parametrize(
    ("new", "says"),
    [
        ("short pass", "at least 12 characters"),
        ("123456789012345", "entirely numeric"),
        ("officer12345", "too similar"),
    ],
)
def test_a_weak_new_password_is_refused_and_nothing_changes(officer, new, says):
    client = signed_in(officer)
    response = change(client, PASSWORD, new)
    assert response.status_code == 200
    assert says in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_old_password_must_be_right(officer):
    response = change(signed_in(officer), "not my password", NEW)
    assert "Your old password was entered incorrectly" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others_and_the_tokens(officer):
    here, elsewhere = signed_in(officer), signed_in(officer)
    AuthToken.objects.create(user=officer)
    response = change(here, PASSWORD, NEW)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert "Your password was changed" in here.get("/account/").content.decode()
    assert elsewhere.get("/").status_code == 302
    assert not AuthToken.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.user, event.details) == (officer, {"how": "changed", "tokens_ended": 1})
    assert signed_in(officer, NEW).get("/").status_code == 200


def test_the_change_page_is_for_signed_in_users(client):
    response = client.get("/account/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)


def test_asking_for_a_reset_sends_one_link_and_the_page_says_the_same_for_an_unknown_address(officer):
    officer.email = "officer@norfolk.police.invalid"
    officer.save()
    known = Client().post("/password-reset/", {"email": officer.email})
    unknown = Client().post("/password-reset/", {"email": "nobody@example.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert "If that address belongs to an account" in Client().get("/password-reset/sent/").content.decode()


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session_and_token(officer):
    officer.email = "officer@norfolk.police.invalid"
    officer.save()
    elsewhere = signed_in(officer)
    AuthToken.objects.create(user=officer)
    browser = Client()
    browser.post("/password-reset/", {"email": officer.email})
    link = reset_link()
    form_page = browser.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/password-reset/done/"
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert elsewhere.get("/").status_code == 302
    assert not AuthToken.objects.filter(user=officer).exists()
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED).details["how"] == "reset"
    # Used once: the same link no longer works.
    assert "This link does not work" in Client().get(link, follow=True).content.decode()


def test_a_reset_link_more_than_an_hour_old_is_refused(officer):
    class TwoHoursAgo(PasswordResetTokenGenerator):
        def _now(self):
            return datetime.datetime.now() - datetime.timedelta(hours=2)

    token = TwoHoursAgo().make_token(officer)
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    page = Client().get(f"/password-reset/{uid}/{token}/", follow=True).content.decode()
    assert "This link does not work" in page
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/password-reset/"' in client.get("/sign-in/").content.decode()
