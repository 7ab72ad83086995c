import pytest
from django.test import Client
from django.urls import path

from iom.urls import urlpatterns as real_urlpatterns


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
