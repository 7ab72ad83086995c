# syntax=docker/dockerfile:1
#
# Production-like image of IOM Partnership Tracker: one image for web (gunicorn),
# worker and beat (celery); docker-compose.yml shows how they are run together.
#
#   docker build -t iom-partnership-tracker .
#
# Settings come from the environment at run time (see iom/settings.py); nothing
# secret is baked into the image.

# --- Page assets: GOV.UK Frontend compiled with Sass into static/build/ ------
# (with the GOV.UK Frontend and Chart.js scripts, and the source maps they name).
FROM node:20-slim AS assets
WORKDIR /src
# The lock file first, so dependencies are only reinstalled when they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The build script reads frontend/ and node_modules/ only.
COPY frontend ./frontend
RUN npm run build

# --- The application ----------------------------------------------------------
FROM python:3.11-slim AS app

# FORWARDED_ALLOW_IPS: the reverse proxies whose X-Forwarded-* headers gunicorn trusts (set it to
# the proxy's address, or "*" only when nothing but the proxy can reach port 8000).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=iom.settings \
    FORWARDED_ALLOW_IPS="127.0.0.1,::1" \
    WEB_CONCURRENCY=3

WORKDIR /app

# Dependencies before the source, so a code change does not reinstall them. pyproject.toml
# declares no packages ([tool.setuptools] packages = []): `pip install .` installs only the
# pinned dependencies, and the service runs from the source in /app.
COPY pyproject.toml ./
RUN pip install .

# An unprivileged user; the code stays owned by root so the running service cannot change it.
# /var/lib/iom is its only writable directory (celery beat's schedule file; media/ for the files the service
# writes, such as subject access bundles, a volume shared by web and worker that takes this directory's owner).
RUN groupadd --system iom \
    && useradd --system --gid iom --home-dir /var/lib/iom --no-create-home --shell /usr/sbin/nologin iom \
    && install -d -o iom -g iom -m 0750 /var/lib/iom /var/lib/iom/media

COPY . .
COPY --from=assets /src/static/build ./static/build

# Settings refuse to load with DEBUG off unless SECRET_KEY, AUDIT_CHAIN_KEY and ALLOWED_HOSTS are set. These
# values exist only for this build step (collectstatic touches no database and no secrets);
# the real ones are given at run time. DEBUG=false selects whitenoise's manifest storage,
# the same storage the running service reads the manifest with. It fails on any file a CSS or JS
# file names that is not there; `make check-production` (run by CI) runs this step outside Docker.
RUN DEBUG=false \
    SECRET_KEY="collectstatic-only-build-time-key-not-used-at-run-time-0123456789" \
    AUDIT_CHAIN_KEY="collectstatic-only-build-time-key-not-used-at-run-time" \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput --verbosity 0

USER iom
EXPOSE 8000

# sh -c so FORWARDED_ALLOW_IPS and WEB_CONCURRENCY can be changed per deployment; exec so
# gunicorn is PID 1 and receives the container's stop signal.
CMD ["sh", "-c", "exec gunicorn iom.wsgi:application --bind 0.0.0.0:8000 --workers \"$WEB_CONCURRENCY\" --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\" --worker-tmp-dir /dev/shm --access-logfile - --timeout 60"]
