"""The apps' static files less ReDoc: drf-spectacular-sidecar ships ReDoc beside Swagger UI, but the service
serves only Swagger UI (ReDoc would need the Content-Security-Policy loosened, docs/security.md), so ReDoc's
files are neither served nor collected. ``STATICFILES_FINDERS`` names this instead of Django's finder."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.staticfiles.finders import AppDirectoriesFinder

LEFT_OUT = "drf_spectacular_sidecar/redoc/"


class AppDirectoriesWithoutRedocFinder(AppDirectoriesFinder):
    def find_in_app(self, app: str, path: str) -> str | None:
        return None if path.startswith(LEFT_OUT) else super().find_in_app(app, path)

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[Any]:
        return ((path, storage) for path, storage in super().list(ignore_patterns) if not path.startswith(LEFT_OUT))
