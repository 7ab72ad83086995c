"""The second factor: an authenticator app (TOTP, django-otp) and ten one-time backup codes, for every role.

ASVS 5.0 V6 asks for multi-factor sign-in on a service like this one (law-enforcement personal data opened to
outside organisations). A user sets up their app at their first sign-in (``two_factor_enrolment_start``, then
``two_factor_enrol`` with a code the app shows), and from then on every sign-in, on the pages and at the API's
token endpoint, needs a code from it or one of the backup codes (``two_factor_verify``). An administrator who
resets a user's second factor (``two_factor_reset``) ends their sessions and tokens too, and they set it up
again at their next sign-in.

What is stored:

- the app's secret, as django-otp keeps it (``TOTPDevice.key``): it has to be readable to check a code. A code
  is accepted once (``last_t``), within one 30-second step either side;
- of each backup code only a keyed digest (``backup_code_digest``, in ``StaticToken.token``), so a copy of the
  database holds no usable backup code. A used code is deleted; making new ones deletes the old.

Both kinds of device throttle themselves after a wrong code (1, 2, 4… seconds): ``two_factor_wait_seconds``
says how long, and a code sent before then is not checked. The lockout after failed sign-ins
(iom/sign_in_limits.py) counts wrong codes as failed sign-ins; the faces send that signal, as it needs the
request (iom/second_factor.py).

The few reads the faces need (``two_factor_status``, ``two_factor_device``) live here beside the writes: they
are about the same two django-otp tables and nothing else reads them.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.audit import audit_record
from iom.models import AuditAction, AuditOutcome, User
from iom.services.accounts import end_sessions_and_tokens
from iom.services.staff import may_manage

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
_TOTP_CODE = re.compile(r"\d{6}")
_BACKUP_DIGEST_SALT = "iom.services.two_factor.backup_code"

WRONG_CODE = "The code is not right. Enter the 6-digit code your app shows now, or one of your backup codes."
WRONG_SETUP_CODE = "The code is not right. Enter the 6-digit code your app shows now for this account."
RESET_REFUSAL = "Only an administrator, or an IOM manager for their scheme's staff, can reset a second factor."


@dataclass(frozen=True)
class TwoFactorStatus:
    """What a user (and their account page) may know of their second factor: never the secret."""

    enrolled: bool
    enrolled_at: datetime.datetime | None
    backup_codes_left: int


def normalise_code(code: str) -> str:
    """A code as typed, without the spaces and hyphens people add, in lower case (backup codes are shown so)."""
    return re.sub(r"[\s-]", "", code or "").lower()


def backup_code_digest(*, user: User, code: str) -> str:
    """What is stored of a backup code: an HMAC keyed by ``SECRET_KEY`` and salted with the user, 64 bits of it.

    (``StaticToken.token`` holds 16 characters.) Rotating ``SECRET_KEY`` makes existing backup codes useless;
    users then make new ones from their account page.
    """
    return salted_hmac(_BACKUP_DIGEST_SALT, f"{user.pk}:{code}", algorithm="sha256").hexdigest()[:16]


def _format_backup_code(code: str) -> str:
    """Shown in two halves (``abcd efgh``), easier to copy down; typed either way."""
    return f"{code[:4]} {code[4:]}"


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, or None if they have not set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_status(*, user: User) -> TwoFactorStatus:
    device = two_factor_device(user=user)
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if device else 0
    return TwoFactorStatus(
        enrolled=device is not None, enrolled_at=device.created_at if device else None, backup_codes_left=left
    )


def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """The not yet confirmed app for ``user`` to scan: the same one until confirmed, so a reload keeps the QR code.

    Nothing is audited yet: an unconfirmed device signs no one in.
    """
    if two_factor_device(user=user) is not None:
        raise ValidationError("Two-factor sign-in is already set up for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_enrol(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with a code it shows now, and issue the first backup codes (returned, shown once).

    A wrong code is audited but is not a failed sign-in: whoever is here has already given the password of an
    account with no second factor, and could set up an app of their own anyway.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": "Start setting up two-factor sign-in again."})
    with transaction.atomic():
        verified = _totp_verify(device, normalise_code(code))
    if not verified:
        two_factor_failure_record(user=user, stage="set_up")
        raise ValidationError({"code": WRONG_SETUP_CODE})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(user=user, action=AuditAction.TWO_FACTOR_ENROLLED, obj=user, details={"device": device.name})
        return _issue_backup_codes(user=user)


def two_factor_backup_codes_issue(*, user: User) -> list[str]:
    """New backup codes for ``user`` (their own choice, from their account page); the old ones stop working."""
    if two_factor_device(user=user) is None:
        raise ValidationError("Set up two-factor sign-in before making backup codes.")
    with transaction.atomic():
        return _issue_backup_codes(user=user)


def _issue_backup_codes(*, user: User) -> list[str]:
    replaced = StaticToken.objects.filter(device__user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_digest(user=user, code=code)) for code in codes
    )
    audit_record(
        user=user,
        action=AuditAction.BACKUP_CODES_ISSUED,
        obj=user,
        details={"count": len(codes), "replaced_unused": replaced},
    )
    return [_format_backup_code(code) for code in codes]


def two_factor_wait_seconds(*, user: User) -> int:
    """How long ``user`` must wait before a code is checked, after wrong ones (django-otp's throttle); 0 for none."""
    now = timezone.now()
    waits = [0]
    for device in _devices(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(max(1, int((data["locked_until"] - now).total_seconds() + 0.999)))
    return max(waits)


def two_factor_verify(*, user: User, code: str, via: str) -> Device | None:
    """The device that accepts ``code`` for ``user`` (their app for 6 digits, else a backup code), or None.

    A backup code works once. A refusal is audited (``via`` says where: ``page`` or ``api``); counting it towards
    the lockout is the caller's, with the request. Call :func:`two_factor_wait_seconds` first.
    """
    typed = normalise_code(code)
    with transaction.atomic():
        device = _verify(user=user, typed=typed)
    if device is None:
        two_factor_failure_record(user=user, stage=via, kind="app" if _TOTP_CODE.fullmatch(typed) else "backup_code")
    return device


def _verify(*, user: User, typed: str) -> Device | None:
    if not typed:
        return None
    if _TOTP_CODE.fullmatch(typed):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        return device if device is not None and _totp_verify(device, typed) else None
    backup = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if backup is not None and backup.verify_token(backup_code_digest(user=user, code=typed)):
        return backup
    return None


def _totp_verify(device: TOTPDevice, typed: str) -> bool:
    return bool(_TOTP_CODE.fullmatch(typed)) and bool(device.verify_token(typed))


def _devices(user: User) -> list[Device]:
    return [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]


def two_factor_failure_record(*, user: User, stage: str, kind: str = "app") -> None:
    """Audit a wrong (or missing) second factor of ``user``, who is not signed in: where (``stage``), and which kind."""
    audit_record(
        user=None,
        action=AuditAction.TWO_FACTOR_FAILED,
        outcome=AuditOutcome.REFUSED,
        obj=user,
        username=user.get_username(),
        details={"stage": stage, "code": kind},
    )


def two_factor_reset(*, acting_user: User, user: User) -> int:
    """Remove ``user``'s app and backup codes (a lost phone), end their sessions and API tokens; how many devices.

    They set up an app again at their next sign-in. Administrators may reset anyone's, IOM managers their own
    scheme's staff (``staff.may_manage``); nobody their own. A refusal is audited like any refused write.
    """
    if not may_manage(acting_user, user):
        audit_record(
            user=acting_user,
            action=AuditAction.TWO_FACTOR_RESET,
            obj=user,
            outcome=AuditOutcome.REFUSED,
            details={"user": user.get_username()},
        )
        raise PermissionDenied(RESET_REFUSAL)
    with transaction.atomic():
        devices = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        devices += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        tokens = end_sessions_and_tokens(user)
        audit_record(
            user=acting_user,
            action=AuditAction.TWO_FACTOR_RESET,
            obj=user,
            details={"user": user.get_username(), "devices_removed": devices, "tokens_ended": tokens},
        )
    return devices
