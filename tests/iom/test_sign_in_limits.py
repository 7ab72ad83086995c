"""Lockout per account, per address and per pair (iom/sign_in_limits.py), keyed on an address a client cannot
forge (iom/client_address.py); the API token endpoint locks with the pages and says so with a 429."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from iom.client_address import client_ip
from iom.models import AuditAction, AuditEvent
from tests.iom import factories
from tests.iom.factories import PASSWORD

pytestmark = pytest.mark.django_db


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client made up the first address; the proxies appended what they saw.
    assert ip_of("10.0.0.2", "1.2.3.4, 198.51.100.9, 10.0.0.1") == "198.51.100.9"
    assert ip_of("10.0.0.2") == "10.0.0.2"
    assert ip_of("10.0.0.2", "not-an-address") == "10.0.0.2"
    assert ip_of("203.0.113.7", "198.51.100.9") == "203.0.113.7"  # not from the proxy: header ignored


def fail(client, username: str, **extra) -> None:
    client.post("/sign-in/", {"username": username, "password": "wrong"}, **extra)


def test_a_made_up_forwarded_address_on_every_attempt_does_not_escape_the_lockout(client, officer):
    for n in range(5):
        fail(client, "officer", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429


def test_ten_failures_for_one_account_from_many_addresses_lock_that_account(client, officer, probation):
    for n in range(10):
        fail(client, "officer", REMOTE_ADDR=f"198.51.100.{n}")
    fresh = client.post("/sign-in/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
    assert fresh.status_code == 429
    other = client.post("/sign-in/", {"username": "probation", "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
    assert other.status_code == 302


def test_twenty_failures_from_one_address_across_accounts_lock_that_address(client, officer):
    for n in range(20):
        fail(client, f"guess{n}", REMOTE_ADDR="198.51.100.66")
    here = client.post("/sign-in/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="198.51.100.66")
    assert here.status_code == 429
    elsewhere = client.post("/sign-in/", {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 302


def test_behind_the_proxy_two_clients_are_told_apart(client, settings, officer):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for _ in range(5):
        fail(client, "officer", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = client.post(
        "/sign-in/",
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert locked.status_code == 429
    other = client.post(
        "/sign-in/",
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert other.status_code == 302


def test_a_lockout_is_audited_with_the_username(client, officer):
    for _ in range(5):
        fail(client, "officer")
    event = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert (event.username, event.outcome) == ("officer", "refused")


def test_a_locked_api_client_gets_a_429_that_says_so(officer):
    api = APIClient()
    for _ in range(5):
        assert api.post("/api/v1/auth/token/", {"username": "officer", "password": "wrong"}).status_code in (400, 429)
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.json()["detail"]
    assert response["Retry-After"] == "900"


def test_the_token_throttle_is_not_reset_by_a_made_up_forwarded_address(db):
    factories.UserFactory(username="someone")
    api = APIClient()
    answers = [
        api.post(
            "/api/v1/auth/token/", {"username": f"user{n}", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(11)
    ]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429
