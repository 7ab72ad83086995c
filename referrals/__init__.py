"""Consent, referrals to partner services and the Gateway to Employment flow (built with the partners issue)."""
