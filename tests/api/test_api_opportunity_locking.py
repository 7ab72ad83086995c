import pytest

from partners.models import Opportunity
from tests.partners.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_two_coordinators_never_silently_overwrite_an_opportunity(api_as, coordinator):
    opportunity = OpportunityFactory()
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    first = api_as(coordinator).patch(url, {"status": "filled", "version": 1}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    stale = api_as(coordinator).patch(url, {"title": "Renamed", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"] == {"title": opportunity.title}
    missing = api_as(coordinator).patch(url, {"title": "Renamed"}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()["errors"]
    saved = Opportunity.objects.get(pk=opportunity.pk)
    assert (saved.status, saved.title) == ("filled", opportunity.title)
