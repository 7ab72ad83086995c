"""The pages' half of the access policy: the ``@page`` decorator, the start-up check, and the ``can_`` flags."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from api.permissions import RulePermission
from iom.models import AuditEvent, AuditOutcome
from iom.policy import CASEWORK, READ_AUDIT
from web.access import ensure_every_page_has_a_rule, page, public_page
from web.context_processors import navigation

pytestmark = pytest.mark.django_db


@page(CASEWORK, methods=("POST",))
def _casework_form(request, pk):
    return HttpResponse("done")


def _undeclared(request):
    return HttpResponse("open")


def _call(user, method: str = "POST"):
    request = getattr(RequestFactory(), method.lower())("/cases/1/thing/")
    request.user = user
    return _casework_form(request, pk=1)


def test_a_page_without_a_rule_stops_the_urlconf_from_loading():
    patterns = [path("fine/", _casework_form), path("open/", include([path("door/", _undeclared)]))]
    with pytest.raises(ImproperlyConfigured, match="open/door/"):
        ensure_every_page_has_a_rule(patterns)


def test_public_pages_and_pages_with_a_rule_pass_the_check():
    ensure_every_page_has_a_rule([path("fine/", _casework_form), path("open/", public_page(_undeclared))])


def test_anonymous_visitors_are_sent_to_sign_in_whatever_the_method():
    response = _call(AnonymousUser(), "GET")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_a_role_the_rule_refuses_gets_403_before_the_method_is_checked_and_its_write_is_audited(partner):
    with pytest.raises(PermissionDenied, match=CASEWORK.refusal):
        _call(partner, "POST")
    event = AuditEvent.objects.get(user=partner)
    assert event.outcome == AuditOutcome.REFUSED
    assert event.details == {"attempted": "POST /cases/1/thing/", "rule": "casework"}
    with pytest.raises(PermissionDenied):
        _call(partner, "GET")
    assert AuditEvent.objects.count() == 1  # a refused read is a 403, not a write to audit


def test_an_allowed_role_gets_405_for_a_method_the_page_does_not_take(officer):
    assert _call(officer, "GET").status_code == 405
    assert _call(officer, "POST").content == b"done"


def test_templates_get_a_can_flag_per_rule_from_the_same_rules(manager, officer, rf):
    for user, reads_audit in ((manager, True), (officer, False)):
        request = rf.get("/")
        request.user = user
        context = navigation(request)
        assert context["can_read_audit"]() is reads_audit is READ_AUDIT.allows(user)
        assert context["can_casework"]() is True


class _Unmapped(APIView):
    permission_classes = (RulePermission,)
    action_rules = {"get": CASEWORK}

    def get(self, request):
        return HttpResponse("ok")

    def post(self, request):
        return HttpResponse("posted")


def test_an_api_view_that_names_no_rule_for_a_method_fails_loudly(officer):
    factory = APIRequestFactory()
    request = factory.post("/x/", {}, format="json")
    force_authenticate(request, user=officer)
    with pytest.raises(ImproperlyConfigured, match="does not say which rule guards 'post'"):
        _Unmapped.as_view()(request)
