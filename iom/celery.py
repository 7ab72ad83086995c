"""The Celery application.

With ``CELERY_BROKER_URL`` unset, tasks run eagerly in the calling process
(see ``CELERY_TASK_ALWAYS_EAGER`` in settings), so development needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iom.settings")

app = Celery("iom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
if not app.conf.broker_url:
    # Eager mode never touches a broker; naming the in-memory one stops kombu warning about a missing host.
    app.conf["broker_url"] = "memory://"  # as an item: the type stubs make the attribute read-only
