"""The second factor's service (iom/services/two_factor.py): setting up an app, codes, backup codes, resets."""

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from iom.models import AuditAction, AuditEvent, AuditOutcome
from iom.services import api_token_issue, two_factor
from tests.iom.two_factor import code_for, enrolled

pytestmark = pytest.mark.django_db


def actions(**match) -> list[str]:
    return list(AuditEvent.objects.filter(**match).order_by("pk").values_list("action", flat=True))


def test_setting_up_confirms_the_app_with_a_code_from_its_secret_and_issues_ten_backup_codes(officer):
    device = two_factor.two_factor_enrolment_start(user=officer)
    assert not device.confirmed
    assert two_factor.two_factor_enrolment_start(user=officer) == device  # a reload shows the same QR code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    codes = two_factor.two_factor_enrol(user=officer, device=device, code=code)

    device.refresh_from_db()
    assert device.confirmed
    assert two_factor.two_factor_device(user=officer) == device
    assert len(codes) == len(set(codes)) == two_factor.BACKUP_CODE_COUNT
    status = two_factor.two_factor_status(user=officer)
    assert status.enrolled and status.backup_codes_left == 10
    assert actions(user=officer) == [AuditAction.TWO_FACTOR_ENROLLED, AuditAction.BACKUP_CODES_ISSUED]


def test_a_wrong_set_up_code_confirms_nothing_and_is_audited(officer):
    device = two_factor.two_factor_enrolment_start(user=officer)
    with pytest.raises(ValidationError) as refused:
        two_factor.two_factor_enrol(user=officer, device=device, code="000000" if code_for(device) != "000000" else "1")
    assert "code" in refused.value.message_dict
    device.refresh_from_db()
    assert not device.confirmed
    assert two_factor.two_factor_device(user=officer) is None
    failure = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_FAILED)
    assert (failure.username, failure.outcome, failure.details["stage"]) == ("officer", AuditOutcome.REFUSED, "set_up")


def test_an_app_already_set_up_cannot_be_replaced_by_starting_again(officer):
    enrolled(officer)
    with pytest.raises(ValidationError):
        two_factor.two_factor_enrolment_start(user=officer)


def test_a_code_from_the_app_verifies_once(officer):
    device, _ = enrolled(officer)
    code = code_for(device)
    assert two_factor.two_factor_verify(user=officer, code=code, via="page") == device
    assert two_factor.two_factor_verify(user=officer, code=code, via="page") is None  # replayed


def test_a_backup_code_works_once_however_it_is_typed(officer):
    _, codes = enrolled(officer)
    typed = codes[0].upper().replace(" ", "-")
    assert two_factor.two_factor_verify(user=officer, code=typed, via="page") is not None
    assert two_factor.two_factor_status(user=officer).backup_codes_left == 9
    assert two_factor.two_factor_wait_seconds(user=officer) == 0
    assert two_factor.two_factor_verify(user=officer, code=codes[0], via="page") is None
    assert actions(action=AuditAction.TWO_FACTOR_FAILED) == [AuditAction.TWO_FACTOR_FAILED]


def test_backup_codes_are_stored_only_as_digests(officer):
    _, codes = enrolled(officer)
    stored = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    plain = {code.replace(" ", "") for code in codes}
    assert stored.isdisjoint(plain)
    assert stored == {two_factor.backup_code_digest(user=officer, code=code) for code in plain}


def test_new_backup_codes_end_the_old_ones(officer):
    _, old = enrolled(officer)
    new = two_factor.two_factor_backup_codes_issue(user=officer)
    assert set(new).isdisjoint(old)
    assert two_factor.two_factor_verify(user=officer, code=new[1], via="page") is not None
    assert two_factor.two_factor_verify(user=officer, code=old[1], via="page") is None
    issued = AuditEvent.objects.filter(action=AuditAction.BACKUP_CODES_ISSUED).order_by("pk").last()
    assert issued.details == {"count": 10, "replaced_unused": 10}


def test_backup_codes_need_an_app_first(officer):
    with pytest.raises(ValidationError):
        two_factor.two_factor_backup_codes_issue(user=officer)


def test_after_a_wrong_code_the_device_makes_the_next_one_wait(settings, officer):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute, so the test cannot outrun the pause
    device, _ = enrolled(officer)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    assert two_factor.two_factor_verify(user=officer, code=wrong, via="page") is None
    assert 1 <= two_factor.two_factor_wait_seconds(user=officer) <= 60
    assert two_factor.two_factor_verify(user=officer, code=code_for(device), via="page") is None  # not checked


def test_an_administrator_reset_removes_the_devices_and_ends_sessions_and_tokens(admin_user, officer):
    enrolled(officer)
    api_token_issue(user=officer)

    assert two_factor.two_factor_reset(acting_user=admin_user, user=officer) == 2  # the app and the backup codes

    officer.refresh_from_db()
    assert two_factor.two_factor_device(user=officer) is None
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert officer.sessions_valid_after is not None
    assert not AuthToken.objects.filter(user=officer).exists()
    reset = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert (reset.user, reset.object_id, reset.outcome) == (admin_user, str(officer.pk), AuditOutcome.DONE)
    assert reset.details == {"user": "officer", "devices_removed": 2, "tokens_ended": 1}


@pytest.mark.parametrize("role", ["officer", "probation", "coordinator", "analyst"])
def test_other_roles_may_not_reset_someone_s_second_factor(all_roles, officer, role):
    device, _ = enrolled(officer)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(acting_user=all_roles[role], user=officer)
    assert two_factor.two_factor_device(user=officer) == device
    refused = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert (refused.user, refused.outcome) == (all_roles[role], AuditOutcome.REFUSED)


def test_a_manager_resets_their_own_schemes_staff_only(manager, outsider_manager, officer):
    enrolled(officer)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(acting_user=outsider_manager, user=officer)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(acting_user=manager, user=manager)  # not their own
    assert two_factor.two_factor_reset(acting_user=manager, user=officer) == 2
    assert two_factor.two_factor_device(user=officer) is None


def test_the_secret_is_the_one_in_the_app_s_set_up_address(officer):
    device = two_factor.two_factor_enrolment_start(user=officer)
    secret = base64.b32encode(device.bin_key).decode()
    assert f"secret={secret}" in device.config_url
    assert "issuer=IOM%20Partnership%20Tracker" in device.config_url
