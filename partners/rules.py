"""Who may do what with Gateway to Employment's employers, pledges and opportunities (rules of iom/policy.py)."""

from iom.models import Role
from iom.policy import CASEWORK_ROLES, define

COORDINATE_GATEWAY = define(
    "coordinate_gateway",
    roles={Role.SCHEME_COORDINATOR},
    description="Runs Gateway to Employment: registers employers, records pledges, publishes opportunities, matches.",
    refusal="Only scheme coordinators manage Gateway to Employment.",
)
USE_PORTAL = define(
    "use_portal",
    roles={Role.EMPLOYER},
    description="The employer portal: their own candidates, opportunities and pledge.",
    refusal="The partner portal is for employers taking part in Gateway to Employment.",
)
MANAGE_SERVICES = define(
    "manage_services",
    roles={Role.ADMINISTRATOR, Role.SCHEME_COORDINATOR},
    description="Creates and changes partner services (the directory officers refer to).",
    refusal="Only administrators and scheme coordinators manage partner services.",
)
READ_ALL_EMPLOYERS = define(
    "read_all_employers",
    roles={Role.SCHEME_COORDINATOR, Role.IOM_MANAGER, Role.ANALYST, Role.ADMINISTRATOR},
    description="Reads every employer and pledge (employers read only their own).",
)
READ_GATEWAY = define(
    "read_gateway",
    roles=READ_ALL_EMPLOYERS.roles | USE_PORTAL.roles,
    description="Reads employers, pledges and opportunities through the API (employers only their own).",
)
READ_ALL_OPPORTUNITIES = define(
    "read_all_opportunities",
    roles=READ_ALL_EMPLOYERS.roles | CASEWORK_ROLES,
    description="Reads every opportunity: coordinators, and IOM staff who refer people into them.",
)
READ_OPPORTUNITIES = define(
    "read_opportunities",
    roles=READ_ALL_OPPORTUNITIES.roles | USE_PORTAL.roles,
    description="Reads opportunities through the API (employers only their own).",
)
