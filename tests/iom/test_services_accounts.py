"""Ending a user's sessions is theirs to do (iom/services/accounts.py)."""

import pytest
from django.core.exceptions import PermissionDenied

from iom import services
from iom.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_no_one_signs_out_someone_else_everywhere_here(officer, probation):
    with pytest.raises(PermissionDenied):
        services.user_sign_out_everywhere(acting_user=officer, user=probation)
    probation.refresh_from_db()
    assert probation.sessions_valid_after is None
    assert not AuditEvent.objects.filter(action=AuditAction.SESSION_ENDED).exists()


def test_signing_out_everywhere_marks_the_moment_and_is_audited(officer):
    services.user_sign_out_everywhere(acting_user=officer, user=officer)
    officer.refresh_from_db()
    assert officer.sessions_valid_after is not None
    event = AuditEvent.objects.get(action=AuditAction.SESSION_ENDED)
    assert (event.user, event.details["reason"], event.object_id) == (officer, "signed_out_everywhere", str(officer.pk))
