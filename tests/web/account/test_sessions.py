"""Sessions end after 30 minutes idle, 10 hours after sign-in, and at once when their user signs out everywhere
(iom/session_limits.py, ASVS 5.0 V7.3). Clocks are moved by writing the session's own times, not by mocking."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from knox.models import AuthToken

from iom import session_limits
from iom.models import AuditAction, AuditEvent
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


def shift(client: Client, **ago: float) -> None:
    """Move the session's clocks back: ``signed_in_at=11 * HOUR`` means signed in eleven hours ago."""
    session = client.session
    for key, seconds in ago.items():
        session[key] = time.time() - seconds
    session.save()


def ended_reasons(user) -> list[str]:
    events = AuditEvent.objects.filter(user=user, action=AuditAction.SESSION_ENDED).order_by("pk")
    return [event.details["reason"] for event in events]


def test_signing_in_starts_both_clocks(officer):
    client = signed_in(officer)
    session = client.session
    assert time.time() - session[session_limits.SIGNED_IN_AT] < 5
    assert session[session_limits.LAST_SEEN] == session[session_limits.SIGNED_IN_AT]


def test_a_session_used_within_30_minutes_goes_on_and_its_idle_clock_restarts(officer):
    client = signed_in(officer)
    shift(client, last_seen=29 * MINUTE)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[session_limits.LAST_SEEN] < 5
    assert ended_reasons(officer) == []


def test_a_session_idle_for_30_minutes_ends_and_the_sign_in_page_says_why(officer):
    client = signed_in(officer)
    shift(client, last_seen=30 * MINUTE + 1)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/people/"
    sign_in = client.get(response["Location"])
    assert "You were signed out because you had not used the service for 30 minutes" in sign_in.content.decode()
    assert ended_reasons(officer) == ["idle"]
    # The session is gone for good, not only for that request.
    assert client.get("/").status_code == 302


def test_a_session_ends_10_hours_after_sign_in_however_busy(officer):
    client = signed_in(officer)
    shift(client, signed_in_at=10 * HOUR + 1, last_seen=10)
    response = client.get("/")
    assert response.status_code == 302
    assert "signed in 10 hours ago" in client.get(response["Location"]).content.decode()
    assert ended_reasons(officer) == ["absolute"]


def test_a_session_without_its_clocks_is_not_trusted(officer):
    client = signed_in(officer)
    session = client.session
    del session[session_limits.SIGNED_IN_AT]
    session.save()
    assert client.get("/").status_code == 302
    assert ended_reasons(officer) == ["untimed"]


def test_an_idle_session_is_anonymous_to_the_api_too(officer):
    client = signed_in(officer)
    assert client.get("/api/v1/me/").status_code == 200
    shift(client, last_seen=31 * MINUTE)
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert ended_reasons(officer) == ["idle"]


def test_busy_pages_write_the_session_at_most_once_a_minute(officer):
    client = signed_in(officer)
    shift(client, last_seen=30)
    before = client.session[session_limits.LAST_SEEN]
    client.get("/")
    assert client.session[session_limits.LAST_SEEN] == before


def test_stay_signed_in_restarts_the_idle_clock_and_says_how_long_is_left(officer):
    client = signed_in(officer)
    shift(client, last_seen=28 * MINUTE)
    response = client.post("/session/keep-alive/")
    assert response.status_code == 200
    assert 30 * MINUTE - 5 <= response.json()["seconds_left"] <= 30 * MINUTE
    assert time.time() - client.session[session_limits.LAST_SEEN] < 5


def test_time_left_is_the_sooner_of_the_idle_and_the_absolute_end(officer):
    client = signed_in(officer)
    shift(client, signed_in_at=10 * HOUR - 5 * MINUTE, last_seen=0)
    assert 5 * MINUTE - 5 <= client.post("/session/keep-alive/").json()["seconds_left"] <= 5 * MINUTE


def test_keep_alive_cannot_revive_an_ended_session(officer):
    client = signed_in(officer)
    shift(client, last_seen=31 * MINUTE)
    response = client.post("/session/keep-alive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_pages_carry_the_timeout_warning_with_the_time_left(officer):
    client = signed_in(officer)
    shift(client, last_seen=10 * MINUTE)
    page = client.get("/").content.decode()  # opening a page is activity: a full 30 minutes again
    assert 'id="session-timeout"' in page
    assert 30 * MINUTE - 5 <= int(page.split('data-seconds-left="')[1].split('"')[0]) <= 30 * MINUTE
    shift(client, signed_in_at=10 * HOUR - 20 * MINUTE)  # but never past 10 hours after sign-in
    page = client.get("/").content.decode()
    assert 20 * MINUTE - 5 <= int(page.split('data-seconds-left="')[1].split('"')[0]) <= 20 * MINUTE
    assert 'id="session-timeout"' not in Client().get("/sign-in/").content.decode()


def test_signing_out_everywhere_ends_every_session_and_token_of_that_user_only(officer, probation):
    here, elsewhere, colleague = signed_in(officer), signed_in(officer), signed_in(probation)
    AuthToken.objects.create(user=officer)
    AuthToken.objects.create(user=probation)
    response = here.post("/account/sign-out-everywhere/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert "signed out on every device" in here.get("/sign-in/").content.decode()
    assert elsewhere.get("/").status_code == 302
    assert ended_reasons(officer) == ["signed_out_everywhere", "signed_out_everywhere"]
    assert not AuthToken.objects.filter(user=officer).exists()
    assert colleague.get("/").status_code == 200
    assert AuthToken.objects.filter(user=probation).exists()


def test_signing_in_again_after_signing_out_everywhere_works(officer):
    here = signed_in(officer)
    here.post("/account/sign-out-everywhere/")
    assert signed_in(officer).get("/").status_code == 200


def test_signing_out_is_audited_and_ends_the_session(officer):
    client = signed_in(officer)
    assert client.post("/sign-out/").status_code in (200, 302)
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.LOGOUT).count() == 1
    assert client.get("/").status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()


def test_the_account_page_shows_who_you_are_and_the_session_limits(officer):
    page = signed_in(officer).get("/account/").content.decode()
    assert "officer" in page
    assert "30 minutes without using the service" in page
    assert "Sign out everywhere" in page


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_IDLE_SECONDS == 30 * MINUTE
    assert settings.SESSION_ABSOLUTE_SECONDS == 10 * HOUR
    assert settings.SESSION_COOKIE_AGE > settings.SESSION_IDLE_SECONDS


def test_the_account_page_lists_your_tokens_and_revokes_one(officer, probation):
    _, mine = AuthToken.objects.create(user=officer)
    _, theirs = AuthToken.objects.create(user=probation)
    client = signed_in(officer)
    page = client.get("/account/").content.decode()
    assert mine[:8] in page
    assert theirs[:8] not in page
    their_key = AuthToken.objects.get(user=probation).token_key
    assert client.post(f"/account/tokens/{their_key}/revoke/").status_code == 404
    my_key = AuthToken.objects.get(user=officer).token_key
    response = client.post(f"/account/tokens/{my_key}/revoke/")
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=officer).exists()
    assert AuthToken.objects.filter(user=probation).exists()
    assert f"The API token starting {mine[:8]} was revoked" in client.get("/account/").content.decode()
