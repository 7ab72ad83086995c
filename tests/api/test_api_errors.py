"""The API's one error shape, ``{"detail": "...", "errors": {"field": ["..."]}}`` (api/errors.py), everywhere:

- a path under /api/ that no route matches is a JSON 404, not the HTML page;
- nested validation errors are flat, named by their dotted path, never ``{"0": [...]}``;
- with the database unreachable (a real connection failure, tests/faults.py) every endpoint answers 503 in the
  shape, without a traceback.
"""

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.errors import exception_handler, flat_errors
from tests.faults import database_unavailable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v1/no-such-thing/", "/api/v1/people/abc/", "/api/v2/people/", "/api/v1/cases/1/nope/"]
)
def test_an_unmatched_api_path_is_a_json_404(api_as, officer, path):
    response = api_as(officer).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unmatched_api_path_is_a_json_404_when_signed_out_too(client):
    response = client.get("/api/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("detail", "errors"),
    [
        ({"convictions": {"0": {"spent": ["No."]}}}, {"convictions.0.spent": ["No."]}),
        ({"flags": {"0": ["Bad."], "2": ["Worse."]}}, {"flags.0": ["Bad."], "flags.2": ["Worse."]}),
        ([{}, {"name": ["Required."]}], {"1.name": ["Required."]}),
        (["Not a dictionary."], {"non_field_errors": ["Not a dictionary."]}),
        ({"items": [{}, {"non_field_errors": ["Clash."]}]}, {"items.1.non_field_errors": ["Clash."]}),
        ({"field": ["One.", "Two."]}, {"field": ["One.", "Two."]}),
    ],
)
def test_nested_validation_errors_are_flattened_to_dotted_paths(detail, errors):
    response = exception_handler(ValidationError(detail), {})
    assert response.data == {"detail": "The request has errors; nothing was saved.", "errors": errors}
    assert flat_errors(detail) == errors


def test_a_list_body_is_refused_in_the_documented_shape(api_as, officer):
    response = api_as(officer).post("/api/v1/people/", [{"first_name": "A"}], format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body["errors"].values())


def test_a_list_field_error_names_the_item(api_as, officer):
    class Tags(serializers.Serializer):
        tags = serializers.ListField(child=serializers.IntegerField())

    serializer = Tags(data={"tags": [1, "x"]})
    assert not serializer.is_valid()
    assert flat_errors(serializer.errors) == {"tags.1": ["A valid integer is required."]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/people/"),
        ("get", "/api/v1/cases/1/"),
        ("post", "/api/v1/notes/"),
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/plan/?format=csv"),
    ],
)
def test_with_the_database_unreachable_the_api_answers_503_in_the_error_shape(api_as, manager, method, path):
    client = api_as(manager)
    client.raise_request_exception = False
    with database_unavailable():
        response = getattr(client, method)(path, {"case": 1, "text": "Seen at home."} if method == "post" else None)

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"} and "unavailable" in body["detail"]
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content


def test_with_the_database_unreachable_a_token_request_is_a_503_in_the_error_shape(api):
    api.raise_request_exception = False
    with database_unavailable():
        response = api.get("/api/v1/people/", HTTP_AUTHORIZATION="Token " + "a" * 64)

    assert response.status_code == 503, response.content
    assert "unavailable" in response.json()["detail"]
