"""The service with production settings, end to end: ``make check-production``.

1. ``collectstatic`` exactly as the Dockerfile runs it (DEBUG=false: whitenoise's manifest
   storage, which fails on any reference to a file that is not there, such as a source map);
2. ``migrate`` a throwaway SQLite database;
3. gunicorn serving ``iom.wsgi`` on a free loopback port with those settings and the collected
   files: the sign-in page, every static file it names (hashed names: the manifest is in use)
   and every source map those name must answer 200.

Everything goes into a temporary directory (STATIC_ROOT through a one-line settings overlay,
since iom/settings.py fixes it inside the tree); the server is stopped whatever happens.
Needs the page assets built first (``make assets``).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Settings trust X-Forwarded-Proto from the TLS proxy (SECURE_PROXY_SSL_HEADER) and redirect
# anything else to HTTPS (SECURE_SSL_REDIRECT): requests say they came through the proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
STATIC_REFERENCE = re.compile(r"""["'](/static/[^"'?#]+)""")
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")
SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=([^\s*'\"]+)")
START_TIMEOUT = 20
REQUEST_TIMEOUT = 10


def main() -> int:
    if not (ROOT / "static" / "build").is_dir():
        print("static/build/ is missing: build the page assets first (make assets).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="iom-check-production-") as tmp:
        env = _production_environment(Path(tmp))
        try:
            _step("collectstatic (DEBUG=false, manifest storage)", ["collectstatic", "--noinput", "-v", "0"], env)
            _step("migrate (temporary SQLite database)", ["migrate", "--noinput", "-v", "0"], env)
        except subprocess.CalledProcessError as exc:
            print(f"check-production: FAILED: manage.py {exc.cmd[2]} exited with {exc.returncode}", file=sys.stderr)
            return 1
        return _serve_and_request(env, Path(tmp))


def _production_environment(tmp: Path) -> dict[str, str]:
    """Production defaults: every variable settings.py reads is dropped, then the few it requires set."""
    settings_source = (ROOT / "iom" / "settings.py").read_text()
    read_by_settings = set(re.findall(r"""env_\w+\(\s*["']([A-Z0-9_]+)["']""", settings_source))
    env = {name: value for name, value in os.environ.items() if name not in read_by_settings}
    (tmp / "check_production_settings.py").write_text(
        f"from iom.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(tmp / 'staticfiles')!r}\n"
    )
    env.update(
        DEBUG="false",
        SECRET_KEY=f"check-production-{secrets.token_urlsafe(48)}",
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="check_production_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(tmp), str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _step(title: str, args: list[str], env: dict[str, str]) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603
    print(f"check-production: {title}: ok ({time.monotonic() - started:.1f} s)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _serve_and_request(env: dict[str, str], tmp: Path) -> int:
    port = _free_port()
    log_path = tmp / "gunicorn.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        # A stop signal that arrives while the server is starting waits until it can be stopped.
        global _deferred_signals
        _deferred_signals = []
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "gunicorn", "iom.wsgi:application",
                "--bind", f"{HOST}:{port}", "--workers", "1",
                "--forwarded-allow-ips", "127.0.0.1,::1", "--access-logfile", "-", "--timeout", "60",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deferred, _deferred_signals = _deferred_signals, None
            if deferred:
                raise SystemExit(128 + deferred[0])
            _wait_until_listening(server, port)
            failures, checked = _request_pages(port)
        except Exception as exc:
            failures, checked = [f"{type(exc).__name__}: {exc}"], []
        finally:
            _stop(server)
    if failures:
        print("check-production: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        print(f"--- gunicorn log ---\n{log_path.read_text(errors='replace')}", file=sys.stderr)
        return 1
    print(f"check-production: gunicorn: 200 for {', '.join(checked)} ({time.monotonic() - started:.1f} s)")
    return 0


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=PROXY_HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_until_listening(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"gunicorn not listening on {HOST}:{port} after {START_TIMEOUT} s")


def _request_pages(port: int) -> tuple[list[str], list[str]]:
    """Failures, and the paths that answered 200."""
    status, body = _get(port, "/sign-in/")
    if status != 200:
        return [f"GET /sign-in/: {status}, expected 200"], []
    checked = ["/sign-in/"]
    assets = sorted(set(STATIC_REFERENCE.findall(body.decode("utf-8", "replace"))))
    if not assets:
        return ["GET /sign-in/: names no /static/ file"], checked
    failures = []
    for path in assets:
        if not HASHED_NAME.search(path):
            failures.append(f"{path}: not a hashed name (manifest storage not in use?)")
        status, content = _get(port, path)
        if status != 200:
            failures.append(f"GET {path}: {status}, expected 200")
            continue
        checked.append(path)
        for reference in SOURCE_MAP.findall(content.decode("utf-8", "replace")):
            if reference.startswith("data:"):
                continue
            map_path = urljoin(path, reference)
            map_status, _ = _get(port, map_path)
            if map_status != 200:
                failures.append(f"GET {map_path} (source map named by {path}): {map_status}, expected 200")
            else:
                checked.append(map_path)
    return failures, checked


def _stop(server: subprocess.Popen) -> None:
    """The master stops its workers on SIGTERM; workers whose master is killed stop by themselves."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# None, or the stop signals received while the server was starting (see _serve_and_request).
_deferred_signals: list[int] | None = None


def _exit_on_signal(signum, frame):
    if _deferred_signals is not None:
        _deferred_signals.append(signum)
        return
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    # SIGTERM (a cancelled CI job) and Ctrl-C unwind through the finally that stops the server.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    sys.exit(main())
