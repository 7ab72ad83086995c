"""Settings for IOM Partnership Tracker, read from the environment.

Development (``DEBUG=true``) needs nothing set: SQLite, eager Celery, console
email. Production (``DEBUG`` unset or false) refuses to start without a real
``SECRET_KEY`` and ``ALLOWED_HOSTS`` and turns every transport-security
setting on, so ``manage.py check --deploy`` is clean.
"""

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from iom.environment import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")
# The key of the audit log's hash chain (iom/audit_chain.py; docs/deployment.md, "The audit trail"). A secret of
# its own, so SECRET_KEY can be rotated; kept for as long as the log is, since rows hashed with a lost key cannot
# be verified again. Development and the tests derive one from SECRET_KEY when it is not set.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", default="" if DEBUG else None)
if not DEBUG and (len(AUDIT_CHAIN_KEY) < 32 or AUDIT_CHAIN_KEY == SECRET_KEY):
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be a random string of at least 32 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the service answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "iom",
    "partners",
    "referrals",
    "outcomes",
    "web",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The security headers, on every response Django makes (WhiteNoise has answered static files above).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "iom.middleware.NoStoreMiddleware",
    "iom.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "iom.session_limits.SessionLimitsMiddleware",
    # Which second factor (if any) this session was verified with, then the end of a session without one where
    # one is required (iom/second_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "iom.second_factor.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iom.urls"
WSGI_APPLICATION = "iom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each transaction takes SQLite's write lock when it begins, so a second writer waits (up to the timeout)
    # instead of failing with "database is locked" when both read before writing, as the audit chain does.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "iom.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection for the sign-in page and the token endpoint (iom/sign_in_limits.py): for 15 minutes
# after 5 failures for one username from one address, 10 for one username from anywhere, or 20 from one address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", default=10)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "iom.sign_in_limits.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "iom.client_address.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# Never keep a typed one-time code in the failure log (axes masks the password itself).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
# A second factor (TOTP, with one-time backup codes) at every sign-in, for every role (iom/services/two_factor.py,
# docs/sign-in.md). Off only for the demo (DEBUG): a user without a device is then signed in after the password,
# and every page says so; a user who has one is still asked for its code.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "IOM Partnership Tracker"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A reset link works once (Django's token changes with the password) and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
# A record opened outside one's teams (break-glass, iom/services/break_glass.py) can be read for this long: a shift.
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", default=12)

# Guardian: no anonymous user row, and no object-permission shortcuts that
# would silently widen access; visibility is decided in iom/access.py.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve from the finders while developing (no collectstatic needed), from STATIC_ROOT in production.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Files the service writes (subject access bundles): outside the static tree and never served by URL; a page
# that checks who asks streams each one. Web and worker processes must share this directory (docker-compose.yml).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# --- Security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): the service's own files and nothing else, and no inline script or style
# on any page (page scripts are files in web/static/web/ reading json_script blocks and data- attributes; styles
# are classes in frontend/app.scss). Images may also be data: URIs: the empty favicon and the icons inside
# GOV.UK Frontend's and Swagger UI's CSS. docs/security.md says why each header is there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # A nonce is added only to responses that use one: ReDoc's (web/apidocs/), for the styles it writes.
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Permissions-Policy (django-permissions-policy): no page uses any of these browser features, so none may.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer",
        "microphone", "midi", "otp-credentials", "payment", "picture-in-picture", "publickey-credentials-create",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "window-management", "xr-spatial-tracking",
    )
}  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
# Sessions end after 30 minutes without activity and 10 hours after sign-in (iom/session_limits.py decides; the
# cookie and the session row outlive the idle limit by a little, as a backstop).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", default=10) * 60 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + 5 * 60
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# In production the cookies are bound to this exact host and HTTPS by the __Host- prefix (ASVS 5.0 3.3.3): a
# browser refuses them from a sibling subdomain or plain HTTP. (Over http:// in development it would refuse them.)
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed (iom/client_address.py); with
# none, the connection's own address is the client's, whatever the headers say.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=[])
if env_bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="IOM Partnership Tracker <no-reply@iom.invalid>")

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Work that must not be lost (Celery's advice; README "Background work"): a task is acknowledged only once it has
# run, so a worker that dies mid-task leaves it to be delivered again (every task is idempotent); a worker takes
# one task at a time, so a long import does not hold others back; JSON only, and tasks take ids only.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Redis hands an unacknowledged task to another worker after visibility_timeout (default 1 hour). It must be
# longer than the longest task (a 200 MB import, tens of minutes) or a task still running would be started a
# second time; six hours leaves a wide margin. A worker that died is dealt with sooner by the import reaper.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
# Publishing happens after the web request's commit: with the broker down, fail fast and leave the task in the
# outbox (iom/background.py) for iom.tasks.dispatch_outbox instead of keeping the user waiting.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An import whose worker has shown no progress for this long is taken to have died (outcomes.tasks.reap_imports).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", default=15)
# Likewise for a subject access bundle (outcomes.tasks.reap_subject_access).
SUBJECT_ACCESS_STALE_MINUTES = env_int("SUBJECT_ACCESS_STALE_MINUTES", default=15)


def _daily(task: str, *, at: tuple[int, int], expires_hours: int) -> dict:
    """A beat entry run once a day at ``at`` (hour, minute, London time); dropped if no worker takes it in time."""
    hour, minute = at
    return {
        "task": task,
        "schedule": crontab(hour=hour, minute=minute),
        "options": {"expires": 60 * 60 * expires_hours},
    }


def _every(task: str, *, minutes: int) -> dict:
    """A beat entry run every ``minutes``; dropped if no worker takes it before the next one is due."""
    return {"task": task, "schedule": datetime.timedelta(minutes=minutes), "options": {"expires": 60 * minutes}}


CELERY_BEAT_SCHEDULE = {
    # Tasks a broker outage kept in the outbox go out within a minute of its return.
    "dispatch-outbox": _every("iom.tasks.dispatch_outbox", minutes=1),
    # Imports whose worker died are re-queued once, then marked failed.
    "reap-imports": _every("outcomes.tasks.reap_imports", minutes=5),
    # Subject access bundles whose worker died likewise.
    "reap-subject-access": _every("outcomes.tasks.reap_subject_access", minutes=5),
    # Reminders every morning from 07:00, before the day's work starts.
    "remind-overdue-actions": _daily("iom.tasks.remind_overdue_actions", at=(7, 0), expires_hours=6),
    "chase-overdue-referrals": _daily("referrals.tasks.chase_overdue_referrals", at=(7, 10), expires_hours=6),
    "remind-sustainment-due": _daily("referrals.tasks.remind_sustainment_due", at=(7, 20), expires_hours=6),
    # After midnight, when the day's imports and case work are in.
    "take-metric-snapshots": _daily("outcomes.tasks.take_metric_snapshots", at=(2, 30), expires_hours=12),
    # Retention review dates (docs/retention.md): people whose review period ran out yesterday join the queue.
    "refresh-retention-schedules": _daily("outcomes.tasks.refresh_retention_schedules", at=(3, 0), expires_hours=12),
    # The audit trail's hash chain checked end to end in the quietest hour; a break alerts the administrators.
    "verify-audit-chain": _daily("iom.tasks.verify_audit_chain", at=(3, 30), expires_hours=12),
}

# --- REST framework ---------------------------------------------------------
# API tokens (django-rest-knox): stored as SHA-512 digests, so a leaked row is no usable token; each lasts
# API_TOKEN_HOURS (8) from sign-in and ends earlier at the client's sign-out, sign-out everywhere and a
# password change or reset (iom/services/tokens.py).
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env_int("API_TOKEN_HOURS", default=8)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.RulePermission"],
    # JSON only (the exports add CSV): no browsable HTML API, which would echo records and input as pages with
    # inline scripts the Content-Security-Policy forbids. A client asking for HTML alone gets a 406 in JSON.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter's and DRF's, refusing what they would ignore: a bad filter or ordering is 400 (api/filters.py).
        "api.filters.StrictFilterBackend",
        "api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",  # documents the 400 of every strict GET
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IOM Partnership Tracker API",
    "DESCRIPTION": (
        "People, cohorts and cases managed under Integrated Offender Management in Norfolk. "
        "Authenticate with `POST /api/v1/auth/token/` and send `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's copy among the static files (no CDN), started by the service's own
    # script (web/apidocs/); no validator badge, which would ask validator.swagger.io.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # ReDoc from the sidecar too; no search (a worker from a blob: address), no "loading" spinner flash.
    "REDOC_DIST": "SIDECAR",
    "REDOC_UI_SETTINGS": {"disableSearch": True, "hideLoading": True, "hideDownloadButton": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "iom.models.choices.CaseStatus",
        "ActionStatusEnum": "iom.models.choices.ActionStatus",
        "PathwayEnum": "iom.models.choices.Pathway",
        "ReferralStateEnum": "referrals.models.ReferralState",
        "InterventionOutcomeEnum": "outcomes.models.InterventionOutcome",
        "ImportKindEnum": "outcomes.models.ImportKind",
        "PlanMeasureKindEnum": "outcomes.models.MeasureKind",
        "PlanValueSourceEnum": "outcomes.selectors.plan.VALUE_SOURCES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}
