"""The production settings: ``manage.py check --deploy`` passes, and the site refuses to start without a secret.

(Run as ``manage.py`` subprocesses with DEBUG off, so the settings are read as production reads them.)
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-deploy-check-0123456789",
        "AUDIT_CHAIN_KEY": "z" * 20 + "production-like-audit-chain-key",
        "ALLOWED_HOSTS": "iom.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update({"DEBUG": "false", "ALLOWED_HOSTS": "iom.example.org"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


COOKIE_CHECK = (
    "from django.conf import settings as s; print([s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
    " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE])"
)


def test_production_cookies_are_secure_host_only_and_same_site():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-deploy-check-0123456789",
        "AUDIT_CHAIN_KEY": "z" * 20 + "production-like-audit-chain-key",
        "ALLOWED_HOSTS": "iom.example.org",
    }
    result = subprocess.run(  # noqa: S603 (a fixed command and script)
        [sys.executable, "manage.py", "shell", "-c", COOKIE_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        ["__Host-sessionid", "__Host-csrftoken", True, True, True, "Lax", "Lax"]
    )
