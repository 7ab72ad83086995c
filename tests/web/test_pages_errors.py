import pytest
from django.test import Client
from django.urls import path

from iom.urls import handler404, handler500  # noqa: F401 (the service's handlers, for this URLconf too)
from iom.urls import urlpatterns as real_urlpatterns
from tests.faults import database_unavailable


def _boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", _boom), *real_urlpatterns]


@pytest.mark.django_db
@pytest.mark.urls("tests.web.test_pages_errors")
def test_the_500_page_is_in_the_service_design_and_leaks_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "deliberate failure" not in content
    assert "app-header__service-name" in content


@pytest.mark.django_db
def test_the_404_page_is_in_the_service_design(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert content.count("<h1") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/people/", "/sign-in/", "/no-such-page/"])
def test_with_the_database_unreachable_pages_get_the_error_page_as_a_503(officer, path):
    """A real connection failure (tests/faults.py), signed in: the service's 500 page, status 503, no traceback."""
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    with database_unavailable():
        response = client.get(path)
    assert response.status_code == 503
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "Traceback" not in content and "OperationalError" not in content


@pytest.mark.django_db
def test_the_404_for_an_api_path_is_json_and_for_a_page_is_the_page(client):
    assert client.get("/api/v1/nothing-here/").json() == {"detail": "Not found."}
    assert "Page not found" in client.get("/nothing-here/").content.decode()
