"""/healthz (web/health.py): the database and the Celery broker, eager or real."""

import contextlib
import os

import pytest

from iom.celery import app
from tests.faults import database_unavailable

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_and_eager_celery(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "not_configured", "mode": "eager"}


@contextlib.contextmanager
def broker(settings, url: str):
    """Point both Django's setting and the already-configured Celery app at ``url``."""

    settings.CELERY_BROKER_URL = url
    original = app.conf.broker_url
    app.conf.broker_url = url
    try:
        yield
    finally:
        app.conf.broker_url = original


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    with broker(settings, "redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL names the real Redis (CI sets it)")
def test_healthz_checks_a_real_redis_broker(client, settings):
    with broker(settings, os.environ["TEST_REDIS_URL"]):
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"]["status"] == "ok"


def test_healthz_is_503_with_a_small_body_when_the_database_is_unreachable(client, settings):
    """A real connection failure (tests/faults.py): the check reports it by name, without a traceback."""
    settings.CELERY_BROKER_URL = ""
    with database_unavailable():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": {"status": "error", "error": "OperationalError"},
            "broker": {"status": "not_configured", "mode": "eager"},
        },
    }
