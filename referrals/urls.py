from django.urls import path

from referrals.pages import gateway, portal, referrals

urlpatterns = [
    # Consent and referrals (officers on a person; partners on their organisation's referrals)
    path("people/<int:pk>/consents/new/", referrals.consent_new, name="consent-new"),
    path("consents/<int:pk>/withdraw/", referrals.consent_withdraw, name="consent-withdraw"),
    path("cases/<int:pk>/referrals/new/", referrals.referral_new, name="referral-new"),
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral"),
    path("referrals/<int:pk>/move/", referrals.referral_move, name="referral-move"),
    path("referrals/<int:pk>/update/", referrals.referral_update, name="referral-update"),
    path("referrals/<int:pk>/disclosure/", referrals.referral_disclosure, name="referral-disclosure"),
    # Employer portal
    path("portal/", portal.candidates, name="portal"),
    path("portal/candidates/<int:pk>/", portal.candidate, name="portal-candidate"),
    path("portal/candidates/<int:pk>/record/", portal.record_event, name="portal-record"),
    path("portal/opportunities/", portal.opportunities, name="portal-opportunities"),
    path("portal/pledge/", portal.pledge, name="portal-pledge"),
    # Coordinators
    path("gateway/", gateway.dashboard, name="gateway"),
    path("gateway/figures.csv", gateway.dashboard_csv, name="gateway-csv"),
    path("gateway/employers/", gateway.employers, name="gateway-employers"),
    path("gateway/employers/new/", gateway.employer_new, name="gateway-employer-new"),
    path("gateway/employers/<int:pk>/", gateway.employer_detail, name="gateway-employer"),
    path("gateway/employers/<int:pk>/pledge/", gateway.pledge_new, name="gateway-pledge-new"),
    path("gateway/opportunities/", gateway.opportunities, name="gateway-opportunities"),
    path("gateway/opportunities/new/", gateway.opportunity_new, name="gateway-opportunity-new"),
    path("gateway/referrals/<int:pk>/match/", gateway.match, name="gateway-match"),
]
