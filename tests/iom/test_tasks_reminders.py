import datetime

import pytest
from django.core import mail

from iom import tasks
from iom.models import Notification
from tests.iom import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def overdue_action(case, officer):
    return factories.ActionFactory(case=case, owner=officer, due_on=TODAY - datetime.timedelta(days=3))


def test_the_daily_reminder_notifies_and_emails_each_owner_once(
    overdue_action, officer, case, django_capture_on_commit_callbacks
):
    factories.ActionFactory(case=case, owner=officer, due_on=TODAY + datetime.timedelta(days=3))  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_overdue_actions.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_overdue_actions.delay().get() == 0
    notification = Notification.objects.get()
    assert notification.user == officer
    assert notification.title == "Action overdue by 3 days"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert notification.emailed_at is not None


def test_the_next_day_reminds_again(overdue_action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_overdue_actions.delay(TODAY.isoformat())
        tasks.remind_overdue_actions.delay((TODAY + datetime.timedelta(days=1)).isoformat())
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_done_and_cancelled_actions_are_not_chased(case, officer):
    factories.ActionFactory(case=case, owner=officer, due_on=TODAY - datetime.timedelta(days=3), status="cancelled")
    assert tasks.remind_overdue_actions.delay().get() == 0


def test_the_email_task_never_sends_twice_for_one_notification(overdue_action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_overdue_actions.delay()
    notification = Notification.objects.get()
    assert tasks.send_notification_email.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1


def test_the_beat_schedule_runs_the_reminder_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-overdue-actions"]
    assert entry["task"] == "iom.tasks.remind_overdue_actions"
    assert entry["schedule"].hour == {7}
