from django.urls import path

from web.gateway import views

urlpatterns = [
    path("gateway/", views.dashboard, name="gateway"),
    path("gateway/figures.csv", views.dashboard_csv, name="gateway-csv"),
    path("gateway/employers/", views.employers, name="gateway-employers"),
    path("gateway/employers/new/", views.employer_new, name="gateway-employer-new"),
    path("gateway/employers/<int:pk>/", views.employer_detail, name="gateway-employer"),
    path("gateway/employers/<int:pk>/pledge/", views.pledge_new, name="gateway-pledge-new"),
    path("gateway/opportunities/", views.opportunities, name="gateway-opportunities"),
    path("gateway/opportunities/new/", views.opportunity_new, name="gateway-opportunity-new"),
    path("gateway/referrals/<int:pk>/match/", views.match, name="gateway-match"),
]
