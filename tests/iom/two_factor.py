"""Second factors for tests, made as a user makes them: an app set up with a code computed from its secret.

No clock is faked: a code is the real TOTP (RFC 6238) of the device's key for the current time step, or for the
next step when the current one has been used (a code is accepted once, within a step either side).
"""

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.models import User
from iom.services import two_factor


def code_for(device: TOTPDevice) -> str:
    """A 6-digit code ``device`` accepts now, computed from its secret as an authenticator app would."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step) + device.drift
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "no unused code left in this time step"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    """``user`` with their app set up (through the service, with a real code) and their backup codes."""
    device = two_factor.two_factor_enrolment_start(user=user)
    codes = two_factor.two_factor_enrol(user=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes
