"""Partner organisations' services, employers, pledges and opportunities (built with the partners issue)."""
