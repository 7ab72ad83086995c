"""Who acts for the organisation receiving a referral: the one home of that rule in referrals.

It sits below both the services and the selectors of referrals (it needs only the models), so each can ask it
without importing the other: the selectors use it to decide what a partner sees, the services what a partner
may do, and the Gateway services read placements through the selectors.
"""

from iom.models import User
from referrals.models import Referral
from referrals.rules import RECEIVE_REFERRALS


def is_partner_of(user: User, referral: Referral) -> bool:
    """Staff of the organisation whose service received the referral, in a role that works referrals."""
    return (
        RECEIVE_REFERRALS.allows(user)
        and user.organisation_id is not None
        and user.organisation_id == referral.service.organisation_id
    )
