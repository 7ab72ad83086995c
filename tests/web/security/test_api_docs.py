"""The API's documentation (/api/docs/ and /api/redoc/, web/apidocs/): Swagger UI and ReDoc from the service's own
static files, for every signed-in user, with nothing from another site and no inline code; and the menu's API link
for the roles whose work goes through the API (the ``work_through_api`` rule, docs/security.md)."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from iom.policy import WORK_THROUGH_API
from tests.web.security.inline_code import inline_code_in
from tests.web.security.policy import assert_strict_policy, policy_of

pytestmark = pytest.mark.django_db

ROLES = ("officer", "probation", "manager", "partner", "coordinator", "employer", "analyst", "admin")
SHOWN_THE_LINK = {"manager", "coordinator", "analyst", "admin"}


class Assets(HTMLParser):
    """The addresses of every script, style sheet and icon the page loads, and its JSON settings block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.settings_text = ""
        self._in_settings = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.addresses.append(values["src"])
        elif tag == "link" and values.get("href"):
            self.addresses.append(values["href"])
        self._in_settings = tag == "script" and values.get("id") in {"swagger-ui-settings", "redoc-settings"}

    def handle_data(self, data):
        if self._in_settings:
            self.settings_text += data


def assets_of(response) -> Assets:
    parser = Assets()
    parser.feed(response.content.decode())
    return parser


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/api/docs/"


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_user_may_read_the_docs(all_roles, role):
    response = signed_in(all_roles[role]).get("/api/docs/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert "no-store" in response["Cache-Control"]


def test_the_docs_load_only_the_services_own_static_files(manager):
    response = signed_in(manager).get("/api/docs/")
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE), "an address on another site"
    assert inline_code_in(html) == []
    addresses = assets_of(response).addresses
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in addresses
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in addresses
    assert "/static/web/swagger-ui.js" in addresses
    for address in addresses:
        assert address.startswith("/static/"), address
        assert finders.find(address.removeprefix("/static/")), f"{address} is not among the static files"


def test_swagger_ui_is_started_with_the_schema_and_without_the_validator_badge(manager):
    settings = json.loads(assets_of(signed_in(manager).get("/api/docs/")).settings_text)
    assert settings["url"] == "/api/schema/"
    assert settings["validatorUrl"] is None  # the badge would ask validator.swagger.io about the schema
    assert settings["deepLinking"] is True


def test_redoc_is_served_to_signed_in_users_from_the_services_own_files(manager):
    assert Client().get("/api/redoc/")["Location"] == "/sign-in/?next=/api/redoc/"
    response = signed_in(manager).get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE), "an address on another site"
    assert inline_code_in(html) == []
    addresses = assets_of(response).addresses
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in addresses
    assert "/static/web/redoc.js" in addresses
    for address in addresses:
        assert address.startswith("/static/"), address
        assert finders.find(address.removeprefix("/static/")), f"{address} is not among the static files"


def test_redocs_styles_are_allowed_by_this_responses_nonce_alone(manager):
    response = signed_in(manager).get("/api/redoc/")
    assert_strict_policy(response, style_nonce=True)
    nonces = [source for source in policy_of(response)["style-src"] if source.startswith("'nonce-")]
    settings = json.loads(assets_of(response).settings_text)
    assert f"'nonce-{settings['nonce']}'" == nonces[0]
    assert settings["disableSearch"] is True  # search runs in a worker from a blob: address
    again = json.loads(assets_of(signed_in(manager).get("/api/redoc/")).settings_text)
    assert again["nonce"] != settings["nonce"]


def test_the_docs_pages_are_not_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/docs/" not in schema["paths"] and "/api/redoc/" not in schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_shows_the_api_to_the_roles_that_work_through_it(all_roles, role):
    user = all_roles[role]
    response = signed_in(user).get("/notifications/")
    has_link = '<a class="govuk-service-navigation__link" href="/api/docs/">API</a>' in response.content.decode()
    assert has_link == (role in SHOWN_THE_LINK) == WORK_THROUGH_API.allows(user)
