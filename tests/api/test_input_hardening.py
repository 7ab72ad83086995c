"""Malformed input on every API route: a 400 naming the parameter, a JSON 404 for a path id, never a 500, never a
silent 200 that ignores the value, and never an HTML answer (README "API"; issue 12 §5 "Bad input").

The cases are generated, so a new route or parameter cannot slip past:

- every GET route of the URLconf (``tests/test_access_matrix.py`` ``ROUTES``), asked by a role its rule admits,
  with each query parameter its view takes (``allowed_query_params``) set in turn to values that parameter cannot
  use. What a parameter can use follows from the filter or field that reads it (``kind_of``): a date, an id, a
  true/false, a code, a slug, a username, free text, a page, an ordering, a format. A parameter no rule here sorts
  fails, so a new kind of parameter must say what is malformed for it;
- every route with an id or slug in its path, by every method it answers, with a malformed one in its place;
- every API route asked for HTML (``Accept: text/html``, ``?format=api``): JSON, never a page that echoes input;
- an import upload one byte over the limit, of another type, not UTF-8 or holding a NUL, and a request over Django's
  own limits: a 400 in the error shape naming the file or the limit, and no run recorded.

The filters' strictness lives in ``api/filters.py`` and ``api/pagination.py``, ``format`` in ``api/base.py``.
"""

from typing import Any
from urllib.parse import quote

import django_filters  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_slug
from django.db import models
from django.urls import resolve
from django_filters.utils import get_model_field  # type: ignore[import-untyped]
from rest_framework import serializers
from rest_framework.test import APIClient

from api.filters import StrictFilterBackend
from iom.models import Person
from iom.policy import RULES
from outcomes.models import ImportRun
from tests.hostile_input import HUGE, LONG, NUL, SCRIPT, build_cast, module_transaction
from tests.iom import factories
from tests.test_access_matrix import API, ROLES, ROUTES, Route

pytestmark = pytest.mark.django_db

NOT_A_NUMBER = ["abc", "1.5", "-1", "0", HUGE, "1e9", SCRIPT, LONG, NUL]
# What each kind of parameter cannot use. Free text can use almost anything: only what no column could hold.
MALFORMED: dict[str, list[str]] = {
    "date": ["2026-13-45", "yesterday", "0000-00-00", "2026-02-30", "abc", "1.5", "-1", HUGE, "1e9", SCRIPT, LONG, NUL],
    "id": NOT_A_NUMBER,
    "boolean": ["maybe", "yes-ish", "2", "-1", "1.5", "yesterday", SCRIPT, LONG, NUL],
    "code": ["nonsense", "abc", "1.5", "-1", HUGE, SCRIPT, LONG, NUL],
    "cohort": ["no-such-cohort", SCRIPT, LONG, NUL],
    "slug": ["a b", "1.5", SCRIPT, LONG, NUL],
    "username": ["a b", SCRIPT, LONG, NUL],
    "quarter": ["2018Q5", "2018", "yesterday", "abc", SCRIPT, LONG, NUL],
    "text": [LONG, NUL],
    "page": ["abc", "1.5", "-1", "0", "1e9", SCRIPT, LONG, NUL],
    "page_size": [*NOT_A_NUMBER, "201", "100000"],
    "ordering": ["password", "-password", "-", "1.5", SCRIPT, LONG, NUL],
    "format": ["abc", "api", "html", "xml", SCRIPT, LONG, NUL],
}
# Well-formed values of a free-text parameter that must be taken as searches (200), not refused.
WELL_FORMED_TEXT = ["abc", "2026-13-45", "1.5", SCRIPT, "O'Brien & Sons", "x" * 40]
# Parameters that mean the same on every list.
BY_NAME = {"page": "page", "page_size": "page_size", "ordering": "ordering", "format": "format"}
# Parameters a view reads itself rather than through a filter or a parameter serializer.
OWN_PARAMETERS = {("v1:metrics-gateway", "from"): "date", ("v1:metrics-gateway", "to"): "date"}
# Values a route needs besides the one under test, so a 400 is about that one (the metrics' required windows).
BASELINE: dict[str, dict[str, str]] = {
    "v1:metrics-reoffending": {"index_from": "2017-01-01", "index_to": "2017-12-31"},
    "v1:metrics-reoffending-quarterly": {"from_quarter": "2018Q1", "to_quarter": "2018Q4"},
    "v1:metrics-pre-post": {"cohort": "fixed"},
    "v1:metrics-snapshots": {"metric": "quarterly"},
}
# Placeholders ``ROUTES`` puts in paths (tests/test_access_matrix.py ``KWARGS``) for an id, a slug or a key.
PATH_PLACEHOLDERS = ("999999", "no-such-cohort", "no-such-measure", "no-such-token")
MALFORMED_PATH_VALUES = ["abc", "1.5", "-1", "0", HUGE, "1e9", SCRIPT, "x" * 300, "%00", "..", "%2e%2e"]


def _view(route: Route) -> Any:
    """An instance of the view behind ``route``, as DRF builds one for its GET action."""
    callback = resolve(route.path).func
    view_class = getattr(callback, "cls", None) or callback.view_class
    actions = getattr(callback, "actions", None) or {}
    view = view_class(**({"action": actions["get"]} if "get" in actions else {}))
    view.request = view.format_kwarg = None
    return view


def _filter_kind(filter_: Any, model: type[models.Model]) -> str:
    if isinstance(filter_, django_filters.BooleanFilter):
        return "boolean"
    if isinstance(filter_, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
        return "id"
    if isinstance(filter_, django_filters.DateFilter):
        return "date"
    if isinstance(filter_, django_filters.ChoiceFilter):
        return "code"
    assert type(filter_) is django_filters.CharFilter, f"No kind for {type(filter_).__name__}: add one here"
    field = get_model_field(model, filter_.field_name)
    checks = [*filter_.extra.get("validators", ()), *getattr(field, "validators", ())]
    if isinstance(field, models.SlugField) or validate_slug in checks:
        return "slug"
    if any(isinstance(check, UnicodeUsernameValidator) for check in checks):
        return "username"
    return "text"


def _serializer_kind(field: serializers.Field) -> str:
    if isinstance(field, serializers.DateField):
        return "date"
    if isinstance(field, serializers.ChoiceField):
        return "code"
    if type(field).__name__ == "_CohortField":
        return "cohort"
    if field.field_name.endswith("quarter"):
        return "quarter"
    raise AssertionError(f"No kind for the parameter {field.field_name} ({type(field).__name__}): add one here")


def kind_of(route: Route, view: Any, name: str) -> str:
    """What ``name`` on ``route`` reads its value into, from the filter or parameter serializer behind it."""
    if name in BY_NAME:
        return BY_NAME[name]
    if (route.name, name) in OWN_PARAMETERS:
        return OWN_PARAMETERS[(route.name, name)]
    params_class = getattr(view, "params_class", None)
    if params_class is not None and name in params_class().fields:
        return _serializer_kind(params_class().fields[name])
    model = view.model
    filterset_class = StrictFilterBackend().get_filterset_class(view, model._default_manager.none())
    assert filterset_class is not None and name in filterset_class.base_filters, f"No kind for {route.name} {name}"
    return _filter_kind(filterset_class.base_filters[name], model)


def _parameter_cases() -> list[tuple[Route, str, str]]:
    cases = []
    for route in ROUTES:
        if not route.is_api or route.method != "GET" or any(p in route.path for p in PATH_PLACEHOLDERS):
            continue
        view = _view(route)
        if not hasattr(view, "allowed_query_params"):
            continue  # the OpenAPI schema and the API root take no parameters and read none
        for name in sorted(view.allowed_query_params()):
            cases.append((route, name, kind_of(route, view, name)))
    return cases


PARAMETER_CASES = _parameter_cases()


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    """The cast, a case with an action, and the cohort ``fixed`` the pre/post metric is asked about."""
    with module_transaction(django_db_blocker):
        team = factories.TeamFactory(name="Norwich IOM", scheme=factories.SchemeFactory(name="Norfolk IOM"))
        users = build_cast(team)
        case = factories.CaseFactory(team=team, lead_officer=users["officer"])
        factories.ActionFactory(case=case, owner=users["officer"])
        factories.CohortFactory(slug="fixed", name="Fixed", scheme=team.scheme)
        yield users


@pytest.fixture
def signed_in(db, cast):
    """An API client signed in as the first role (in ``ROLES`` order) the route's rule admits for ``method``."""

    def _as(route: Route, method: str = "GET") -> APIClient:
        rule = RULES[API[route.name][method]]
        client = APIClient()
        client.force_authenticate(next(cast[role] for role in ROLES if rule.allows(cast[role])))
        return client

    return _as


def assert_json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert response["X-Content-Type-Options"] == "nosniff"
    return response.json()


@pytest.mark.parametrize(
    ("route", "name", "kind"),
    PARAMETER_CASES,
    ids=[f"{route.path}?{name} ({kind})" for route, name, kind in PARAMETER_CASES],
)
def test_a_malformed_query_parameter_is_a_400_naming_it(signed_in, route, name, kind):
    client = signed_in(route)
    baseline = BASELINE.get(route.name, {})
    assert client.get(route.path, baseline).status_code == 200, "the route's well-formed request is refused"
    for value in MALFORMED[kind]:
        response = client.get(route.path, {**baseline, name: value})
        body = assert_json(response)
        assert response.status_code == 400, f"{name}={value[:40]!r}: {response.status_code} {body}"
        assert set(body) == {"detail", "errors"}, body
        assert name in body["errors"], f"{name}={value[:40]!r} names {list(body['errors'])}"
        assert all(isinstance(message, str) for message in body["errors"][name])


TEXT_CASES = [case for case in PARAMETER_CASES if case[2] == "text"]


@pytest.mark.parametrize(("route", "name", "kind"), TEXT_CASES, ids=[f"{r.path}?{n}" for r, n, _ in TEXT_CASES])
def test_a_free_text_parameter_takes_any_text_a_column_could_hold(signed_in, route, name, kind):
    client = signed_in(route)
    for value in WELL_FORMED_TEXT:
        response = client.get(route.path, {**BASELINE.get(route.name, {}), name: value})
        assert response.status_code == 200, f"{name}={value!r}: {response.status_code} {response.content[:200]}"
        assert_json(response)


def test_every_kind_of_parameter_is_met_on_some_route():
    """The table of malformed values has no kind no route uses (so none is out of date)."""
    assert {kind for _route, _name, kind in PARAMETER_CASES} == set(MALFORMED)


def test_a_page_past_the_last_is_a_404_however_large_its_number(signed_in):
    route = next(route for route in ROUTES if route.name == "v1:action-list")
    response = signed_in(route).get(route.path, {"page": HUGE})
    assert response.status_code == 404
    assert assert_json(response) == {"detail": "Invalid page."}


# --- Ids, slugs and keys in the path -----------------------------------------------------------------------------

PATH_ROUTES = [route for route in ROUTES if route.is_api and any(p in route.path for p in PATH_PLACEHOLDERS)]


def _with(path: str, value: str) -> str:
    for placeholder in PATH_PLACEHOLDERS:
        path = path.replace(f"/{placeholder}/", f"/{quote(value, safe='%')}/")
    return path


@pytest.mark.parametrize("route", PATH_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_a_malformed_id_in_the_path_is_a_json_404(signed_in, route):
    client = signed_in(route, route.method)
    send = getattr(client, route.method.lower())
    for value in MALFORMED_PATH_VALUES:
        path = _with(route.path, value)
        response = send(path, {}, format="json") if route.method != "GET" else send(path)
        assert response.status_code == 404, f"{route.method} {path[:80]}: {response.status_code}"
        assert assert_json(response) == {"detail": "Not found."}, path[:80]


# --- JSON, never a page ------------------------------------------------------------------------------------------

GET_ROUTES = [route for route in ROUTES if route.is_api and route.method == "GET" and route.name != "schema"]


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route.path)
def test_the_api_never_answers_with_a_page(signed_in, route):
    """No browsable HTML API: a client asking for HTML alone gets a 406 in JSON, ``?format=api`` a 400, and a
    browser's usual Accept header JSON."""
    client = signed_in(route)
    baseline = BASELINE.get(route.name, {})
    only_html = client.get(route.path, baseline, HTTP_ACCEPT="text/html")
    assert only_html.status_code == 406, only_html.status_code
    assert set(assert_json(only_html)) == {"detail"}
    browser = client.get(route.path, baseline, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert_json(browser)
    assert browser.status_code in (200, 404), browser.status_code  # 404: the route's placeholder object
    if route.path.endswith("/api/v1/"):
        return  # the root takes no parameters but ``format`` is still refused by name below
    refused = client.get(route.path, {**baseline, "format": "api"})
    assert refused.status_code in (400, 404), refused.status_code
    assert_json(refused)


def test_a_hostile_value_comes_back_as_json_data_not_markup(db, cast):
    """A name that is markup is returned verbatim, as JSON with ``nosniff``: data for the client, never a page."""
    person = Person.objects.get(cases__lead_officer=cast["officer"])
    person.last_name = SCRIPT
    person.save()
    client = APIClient()
    client.force_authenticate(cast["officer"])
    for path in ("/api/v1/people/", f"/api/v1/people/{person.pk}/"):
        response = client.get(path, HTTP_ACCEPT="text/html,*/*;q=0.8")
        assert response.status_code == 200
        assert SCRIPT in response.content.decode()
        assert_json(response)


def test_an_unknown_parameter_named_in_markup_is_reported_as_json(signed_in):
    route = next(route for route in ROUTES if route.name == "v1:person-list")
    response = signed_in(route).get("/api/v1/people/", {SCRIPT: "1"}, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 400
    assert assert_json(response)["errors"] == {SCRIPT: ["Unknown query parameter."]}


# --- Uploads -----------------------------------------------------------------------------------------------------

COHORTS_CSV = b"slug,name\nfixed-2030,Fixed 2030\n"


def _upload(cast, content: bytes, content_type: str = "text/csv", **extra):
    client = APIClient()
    client.force_authenticate(cast["manager"])
    upload = SimpleUploadedFile("cohorts.csv", content, content_type=content_type)
    return client.post("/api/v1/imports/", {"kind": "cohorts", "file": upload, **extra}, format="multipart")


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (COHORTS_CSV, "image/png", "The file is image/png, not a CSV file"),
        (COHORTS_CSV, "application/zip", "The file is application/zip, not a CSV file"),
        ("slug,name\nfixed,Café\n".encode("latin-1"), "text/csv", "byte 20 is not UTF-8"),
        (bytes(range(256)), "application/octet-stream", "byte 129 is not UTF-8"),
        (b"slug,name\nfixed,Fi\x00xed\n", "text/csv", "byte 19 is a NUL character"),
    ],
    ids=["an-image", "a-zip", "latin-1", "binary", "a-nul"],
)
def test_an_upload_that_is_not_utf8_csv_is_a_400_naming_the_file(db, cast, content, content_type, message):
    response = _upload(cast, content, content_type)
    assert response.status_code == 400
    errors = assert_json(response)["errors"]
    assert list(errors) == ["file"] and message in errors["file"][0], errors
    assert not ImportRun.objects.exists()


def test_a_file_one_byte_over_the_limit_is_a_400_naming_it_and_one_at_the_limit_is_taken(db, cast, monkeypatch):
    monkeypatch.setattr("outcomes.services.imports.MAX_FILE_BYTES", len(COHORTS_CSV) - 1)
    refused = _upload(cast, COHORTS_CSV)
    assert refused.status_code == 400
    assert assert_json(refused)["errors"] == {
        "file": [f"The file is larger than {len(COHORTS_CSV) - 1} bytes, the most one import takes: split it and "
                 "import each part."]
    }  # fmt: skip
    assert not ImportRun.objects.exists()
    monkeypatch.setattr("outcomes.services.imports.MAX_FILE_BYTES", len(COHORTS_CSV))
    assert _upload(cast, COHORTS_CSV).status_code == 202
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"dry_run": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, "a form may send at most 2,621,440 bytes"),
        ({f"field{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}, "at most 1,000"),
    ],
    ids=["too-large", "too-many-fields"],
)
def test_a_request_over_djangos_limits_is_a_400_in_the_error_shape(db, cast, extra, message):
    response = _upload(cast, COHORTS_CSV, **extra)
    assert response.status_code == 400
    body = assert_json(response)
    assert set(body) == {"detail"} and message in body["detail"], body
    assert not ImportRun.objects.exists()


def test_a_json_body_over_the_limit_is_a_400_in_the_error_shape(db, cast):
    client = APIClient()
    client.force_authenticate(cast["officer"])
    body = '{"first_name": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    response = client.post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 400
    assert "The request was too large" in assert_json(response)["detail"]
    assert Person.objects.count() == 1
