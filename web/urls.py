"""Every page of the service: sign-in, health, then one URLconf per area (names are what templates and tests use)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from web import health
from web.access import ensure_every_page_has_a_rule, public_page
from web.two_factor.views import SignInView

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
    # The password step; the second factor follows (web/two_factor/).
    path("sign-in/", public_page(SignInView.as_view()), name="login"),
    path("sign-out/", public_page(auth_views.LogoutView.as_view()), name="logout"),
    path("", include("web.two_factor.urls")),
    path("", include("web.home.urls")),
    path("", include("web.account.urls")),
    path("", include("web.staff.urls")),
    path("", include("web.people.urls")),
    path("", include("web.cases.urls")),
    path("", include("web.break_glass.urls")),
    path("", include("web.cohorts.urls")),
    path("", include("web.audit.urls")),
    path("", include("web.referrals.urls")),
    path("", include("web.portal.urls")),
    path("", include("web.gateway.urls")),
    path("", include("web.dashboard.urls")),
    path("", include("web.plan.urls")),
    path("", include("web.imports.urls")),
    path("", include("web.retention.urls")),
    path("", include("web.subject_access.urls")),
    path("", include("web.apidocs.urls")),
]

ensure_every_page_has_a_rule(urlpatterns)
