"""API tokens (iom/services/tokens.py): they expire, are stored hashed, end at sign-out, and can be listed and
revoked by their owner and by administrators (ASVS 5.0 V7.2, V7.4)."""

import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from iom.models import AuditAction, AuditEvent
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_lasts_8_hours_and_only_its_digest_is_stored(officer):
    before = timezone.now()
    response = APIClient().post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    body = response.json()
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert datetime.timedelta(hours=8) <= expires_at - before <= datetime.timedelta(hours=8, seconds=10)
    stored = AuthToken.objects.get(user=officer)
    assert body["token"] not in (stored.digest, stored.token_key)
    assert body["token"].startswith(stored.token_key)
    assert client_with(body["token"]).get("/api/v1/me/").json()["username"] == "officer"


def test_every_sign_in_gets_a_new_token(officer):
    assert token_for(officer) != token_for(officer)
    assert AuthToken.objects.filter(user=officer).count() == 2


def test_the_lifetime_is_a_setting(officer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=1)}
    token_for(officer)
    expiry = AuthToken.objects.get(user=officer).expiry
    assert expiry - timezone.now() <= datetime.timedelta(hours=1)


def test_an_expired_token_is_refused(officer):
    token = token_for(officer)
    AuthToken.objects.filter(user=officer).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert client_with(token).get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=officer).exists()


def test_signing_out_ends_the_token_used_and_no_other(officer):
    first, second = token_for(officer), token_for(officer)
    assert client_with(first).post("/api/v1/auth/sign-out/").status_code == 204
    assert client_with(first).get("/api/v1/me/").status_code == 401
    assert client_with(second).get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(user=officer, action=AuditAction.TOKEN_REVOKED).count() == 1


def test_issuing_is_audited_without_the_token(officer):
    token = token_for(officer)
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert event.user == officer
    assert event.details["token"] == token[:8]
    assert token not in str(event.details)


def test_owners_list_their_own_tokens_and_see_which_is_in_use(officer, probation):
    current, other = token_for(officer), token_for(officer)
    token_for(probation)
    listed = client_with(current).get("/api/v1/auth/tokens/").json()
    assert [row["user"] for row in listed] == ["officer", "officer"]
    by_label = {row["starts_with"]: row["current"] for row in listed}
    assert by_label == {current[:8]: True, other[:8]: False}
    assert all(current not in str(row) for row in listed if not row["current"])


def test_owners_revoke_their_own_tokens_but_not_others(officer, probation):
    mine, theirs = token_for(officer), token_for(probation)
    api = client_with(mine)
    their_id = AuthToken.objects.get(user=probation).token_key
    assert api.delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert client_with(theirs).get("/api/v1/me/").status_code == 200
    second = token_for(officer)
    second_id = next(row["id"] for row in api.get("/api/v1/auth/tokens/").json() if not row["current"])
    assert api.delete(f"/api/v1/auth/tokens/{second_id}/").status_code == 204
    assert client_with(second).get("/api/v1/me/").status_code == 401


def test_administrators_list_and_revoke_anyones_tokens(officer, admin_user):
    theirs = token_for(officer)
    admin = client_with(token_for(admin_user))
    rows = admin.get("/api/v1/auth/tokens/").json()
    assert {row["user"] for row in rows} == {"officer", admin_user.username}
    officer_id = next(row["id"] for row in rows if row["user"] == "officer")
    assert admin.delete(f"/api/v1/auth/tokens/{officer_id}/").status_code == 204
    assert client_with(theirs).get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (event.user, event.object_id) == (admin_user, str(officer.pk))


def test_expired_tokens_are_not_listed(officer):
    token = token_for(officer)
    token_for(officer)
    AuthToken.objects.filter(token_key=token[:15]).update(expiry=timezone.now() - datetime.timedelta(minutes=1))
    api = client_with(token_for(officer))
    assert len(api.get("/api/v1/auth/tokens/").json()) == 2


def test_a_browser_session_signs_out_through_the_same_endpoint(client, officer):
    client.force_login(officer)
    assert client.post("/api/v1/auth/sign-out/").status_code == 204
    assert client.get("/").status_code == 302
