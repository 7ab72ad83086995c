"""The security headers of the pages (docs/security.md): the Content-Security-Policy, framing, referrer,
Permissions-Policy, and ``Cache-Control: no-store`` on everything but static files; HSTS in production.

(The API's responses: tests/api/test_api_headers.py; the docs page: test_api_docs.py; no inline code on any page:
test_no_inline_code.py; in a real browser: test_browser.py.)
"""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.web.security.policy import assert_strict_policy, policy_of

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture")
SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist"
STATIC_FILES = ["/static/web/charts.js", f"{SIDECAR}/swagger-ui.css", f"{SIDECAR}/swagger-ui-bundle.js"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def permissions_policy(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def test_a_page_carries_the_strict_content_security_policy(manager):
    response = signed_in(manager).get("/")
    assert response.status_code == 200
    assert_strict_policy(response)
    policy = policy_of(response)
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == {"'none'"}
    for directive in ("script-src", "style-src", "default-src"):
        assert not any(source.startswith("'unsafe-") for source in policy[directive]), directive


def test_the_sign_in_page_and_the_error_pages_carry_it_too(officer):
    assert_strict_policy(Client().get("/sign-in/"))
    client = signed_in(officer)
    assert_strict_policy(client.get("/audit/"))  # 403 for an officer
    assert client.get("/audit/").status_code == 403


def test_pages_may_not_be_framed_and_send_the_referrer_only_to_this_site(officer):
    response = signed_in(officer).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_permissions_policy_denies_the_browser_features_no_page_uses(officer):
    policy = permissions_policy(signed_in(officer).get("/"))
    for feature in DENIED_FEATURES:
        assert policy[feature] == "()", feature
    assert set(policy.values()) == {"()"}  # nothing is allowed, even to this site


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("officer", "/"),
        ("officer", "/people/"),
        ("manager", "/outcomes/dashboard/"),
        ("coordinator", "/gateway/"),
        ("coordinator", "/gateway/figures.csv"),
        ("manager", "/api/docs/"),
        ("officer", "/people/999999/"),  # a 404 says no more, but is not kept either
    ],
)
def test_signed_in_pages_and_downloads_are_never_stored(all_roles, role, path):
    response = signed_in(all_roles[role]).get(path)
    assert response.status_code in (200, 404)
    assert "no-store" in response["Cache-Control"]


def test_pages_for_anonymous_visitors_are_not_stored_either(db):
    # The sign-in form carries a CSRF token; a redirect to sign in says where the visitor was going.
    assert "no-store" in Client().get("/sign-in/")["Cache-Control"]
    redirect = Client().get("/people/")
    assert redirect.status_code == 302
    assert "no-store" in redirect["Cache-Control"]


@pytest.mark.parametrize("path", STATIC_FILES)
def test_static_files_keep_their_cache_and_no_security_headers_are_added(settings, path):
    settings.WHITENOISE_USE_FINDERS = True  # as in development; production serves them from collectstatic's copy
    response = Client().get(path)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_production_settings_turn_hsts_on_for_a_year_with_the_same_policy(settings):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "y" * 20 + "production-like-secret-key-for-the-header-check-0123456789",
        "AUDIT_CHAIN_KEY": "z" * 20 + "production-like-audit-chain-key",
        "ALLOWED_HOSTS": "iom.example.org",
    }
    env.pop("SECURE_HSTS_SECONDS", None)
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'frames': s.X_FRAME_OPTIONS}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, this project's manage.py, the script above)
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["hsts"] >= 365 * 24 * 60 * 60
    assert production["subdomains"] is True
    assert production["frames"] == "DENY"
    assert production["csp"] == json.loads(json.dumps(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], default=str))
