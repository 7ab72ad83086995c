"""Who may do what with referrals, consent and the Gateway figures (rules of iom/policy.py)."""

from iom.models import Role
from iom.policy import CASEWORK_ROLES, define
from partners.rules import COORDINATE_GATEWAY, READ_GATEWAY

RECEIVE_REFERRALS = define(
    "receive_referrals",
    roles={Role.PARTNER_CASEWORKER, Role.SCHEME_COORDINATOR},
    description="Works the referrals sent to their organisation's services (accept, decline, progress, complete).",
)
WORK_REFERRALS = define(
    "work_referrals",
    roles=CASEWORK_ROLES | RECEIVE_REFERRALS.roles,
    description="Reads referrals: the referring case workers, and the partners who receive them.",
    refusal="Your role does not include referrals.",
)
MATCH_REFERRALS = COORDINATE_GATEWAY
READ_GATEWAY_FIGURES = define(
    "read_gateway_figures",
    roles={Role.SCHEME_COORDINATOR, Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR},
    description="The Gateway to Employment figures and funnel (aggregates, no names), on the pages and the API.",
    refusal="Only scheme coordinators, IOM managers, analysts and administrators use the Gateway figures.",
)
FOLLOW_PLACEMENTS = define(
    "follow_placements",
    roles=READ_GATEWAY.roles | CASEWORK_ROLES,
    description=(
        "Reads Gateway placements and records their events where the placement service allows it "
        "(employers only their own candidates; case workers their cases')."
    ),
)
