"""The API's responses carry the same security headers as the pages (docs/security.md): the strict
Content-Security-Policy, no framing, and ``Cache-Control: no-store``, whether the caller signs in with a token or a
session, is refused, or is anonymous (the token endpoint's answer is a credential)."""

import pytest

from tests.web.security.policy import assert_strict_policy

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def assert_api_headers(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert_strict_policy(response)


def test_an_api_callers_answers_carry_the_headers(api_as, officer):
    api = api_as(officer)
    for path in ("/api/v1/me/", "/api/v1/people/", "/api/v1/"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert_api_headers(response)


def test_a_session_callers_answers_carry_the_headers(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/v1/cohorts/")
    assert response.status_code == 200
    assert_api_headers(response)


def test_csv_exports_are_not_stored(api_as, analyst):
    query = {"index_from": "2023-01-01", "index_to": "2023-12-31", "format": "csv"}
    response = api_as(analyst).get("/api/v1/metrics/reoffending/", query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_api_headers(response)


def test_refusals_and_anonymous_calls_carry_them_too(api_as, api, employer):
    refused = api_as(employer).get("/api/v1/people/")
    assert refused.status_code == 403
    assert_api_headers(refused)
    api.force_authenticate(None)
    anonymous = api.get("/api/v1/people/")
    assert anonymous.status_code == 401
    assert_api_headers(anonymous)


def test_the_token_endpoints_answer_is_never_stored(api, officer):
    officer.set_password(PASSWORD)
    officer.save()
    # Whatever sign-in asks for (issue 11 adds a second factor), the answer is a credential or a refusal: not kept.
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    assert response.status_code < 500
    assert_api_headers(response)


def test_the_openapi_schema_carries_them(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert_api_headers(response)
