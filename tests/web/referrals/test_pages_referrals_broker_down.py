"""Submitting a referral with the broker down (a closed port): the referral is submitted and the page answers as
usual, and the partner's email waits in the outbox until the broker is back (issue 12, section 5)."""

import pytest
from django.core import mail
from django.urls import reverse

from iom import tasks
from iom.models import Notification, OutboxMessage
from referrals.models import ReferralState
from tests.iom.broker import BROKER_DOWN, REDIS_URL, broker_at, needs_redis, queued_task_ids, remove_task_messages
from tests.web.referrals.test_pages_referrals import banner, signed_in

pytestmark = pytest.mark.django_db


def submit(client, referral, capture):
    with capture(execute=True):
        return client.post(reverse("referral-move", args=[referral.pk]), {"to_state": ReferralState.SUBMITTED})


def test_a_referral_submitted_with_the_broker_down_is_saved_and_answered_normally(
    officer, partner, housing_referral, housing_consent, django_capture_on_commit_callbacks
):
    client = signed_in(officer)
    with broker_at(BROKER_DOWN):
        response = submit(client, housing_referral, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert "The referral is now submitted." in banner(client.get(response["Location"]))
    housing_referral.refresh_from_db()
    assert housing_referral.state == ReferralState.SUBMITTED
    emails = OutboxMessage.objects.filter(task_name="iom.tasks.send_notification_email", sent_at__isnull=True)
    partner_notification = Notification.objects.get(user=partner, kind="referral_submitted")
    assert [partner_notification.pk] in [message.args for message in emails]
    assert mail.outbox == []


@needs_redis
def test_the_partners_email_is_sent_once_the_broker_is_back(
    officer, housing_referral, housing_consent, django_capture_on_commit_callbacks
):
    with broker_at(BROKER_DOWN):
        submit(signed_in(officer), housing_referral, django_capture_on_commit_callbacks)
    task_ids = {str(task_id) for task_id in OutboxMessage.objects.values_list("task_id", flat=True)}
    assert task_ids
    try:
        with broker_at(REDIS_URL or ""):
            assert tasks.dispatch_outbox() == len(task_ids)
            assert tasks.dispatch_outbox() == 0
        assert sorted(queued_task_ids(task_ids)) == sorted(task_ids)
    finally:
        remove_task_messages(task_ids)
