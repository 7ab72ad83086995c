"""The OpenAPI description documents every answer an operation can give (api/schema.py), in the one error shape.

The schema fuzz (test_fuzz_schema.py) holds the API to these; here each rule of the description is stated once.
"""

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from tests.partners.factories import EmployerFactory
from tests.referrals.factories import PlacementFactory

pytestmark = pytest.mark.django_db

ERROR = {"$ref": "#/components/schemas/Error"}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def operations() -> dict[tuple[str, str], dict]:
    """The operations of the description ``/api/schema/`` serves, by method and path (made once: it is slow)."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return {
        (method.upper(), path): op for path, ops in paths.items() for method, op in ops.items() if method in METHODS
    }


def _error_codes(operation: dict) -> dict[str, dict]:
    return {
        code: response["content"]["application/json"]["schema"]
        for code, response in operation["responses"].items()
        if code.startswith(("4", "5")) and code != "409"
    }


def test_every_operation_documents_the_database_being_unreachable(operations):
    assert len(operations) > 80
    for key, operation in operations.items():
        assert _error_codes(operation)["503"] == ERROR, key


def test_every_guarded_operation_documents_not_signed_in_and_refused(operations):
    open_to_all = {("POST", "/api/v1/auth/token/")}
    for key, operation in operations.items():
        codes = _error_codes(operation)
        assert ("401" in codes and "403" in codes) or key in open_to_all, key
    assert "403" not in operations["POST", "/api/v1/auth/token/"]["responses"]


def test_every_write_documents_a_refused_body_and_an_unread_media_type(operations):
    for (method, path), operation in operations.items():
        if method in ("POST", "PUT", "PATCH"):
            codes = _error_codes(operation)
            assert codes["400"] == codes["415"] == ERROR, (method, path)


def test_an_object_named_in_the_path_and_a_page_past_the_last_are_documented_404s(operations):
    for (method, path), operation in operations.items():
        if "{" in path:
            assert "404" in operation["responses"], (method, path)
    assert "404" in operations["GET", "/api/v1/people/"]["responses"]  # ?page=99
    assert "404" not in operations["GET", "/api/v1/me/"]["responses"]


def test_the_throttled_token_endpoint_documents_429(operations):
    assert "429" in operations["POST", "/api/v1/auth/token/"]["responses"]


def test_recording_a_placement_event_is_documented_as_the_201_it_answers(operations, api_as, employer):
    listing = operations["GET", "/api/v1/placements/{id}/events/"]["responses"]
    recording = operations["POST", "/api/v1/placements/{id}/events/"]["responses"]
    assert listing["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "201" not in listing
    assert "200" not in recording
    assert recording["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PlacementEvent"}

    placement = PlacementFactory(opportunity__employer=EmployerFactory(organisation=employer.organisation))
    response = api_as(employer).post(
        f"/api/v1/placements/{placement.pk}/events/",
        {"kind": "interview", "occurred_on": str(timezone.localdate()), "outcome": "successful"},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_an_id_too_large_for_any_column_is_a_400_naming_it_not_a_500(api_as, officer):
    response = api_as(officer).post("/api/v1/notifications/mark-read/", {"ids": [99999999999999999999]}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ids.0"]
