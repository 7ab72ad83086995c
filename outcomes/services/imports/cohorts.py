"""cohorts files: ``slug`` (key), ``name``, ``description`` (docs/data-formats.md "cohorts")."""

import re

from iom.models import Cohort
from outcomes.services.imports.plan import Change, ImportPlan
from outcomes.services.imports.reader import Columns, CsvFile, changed_fields, repeated_keys

COLUMNS = Columns(required=("slug", "name"), optional=("description",))
MODEL = Cohort
SLUG_PATTERN = re.compile(r"^[a-z0-9-]+$")


def plan(csv: CsvFile) -> ImportPlan:
    """Imported cohorts belong to no scheme: IOM managers of every scheme see them (docs/data-formats.md)."""
    parsed = []
    for row in csv.tracked():
        slug = row.text("slug", required=True, max_length=50)
        if slug is not None and not SLUG_PATTERN.match(slug):
            row.error("slug", f"lowercase letters, digits and hyphens only (found {slug!r})")
            slug = None
        values = {"name": row.text("name", required=True, max_length=200)}
        if row.has("description"):
            values["description"] = row.text("description") or ""
        parsed.append((row, slug, values))
    repeated_keys(csv.rows, lambda row: row.cells.get("slug"), "slug")
    stored = {
        cohort["slug"]: cohort for cohort in Cohort.objects.values("pk", "slug", "name", "description").iterator()
    }
    result = ImportPlan(update_fields=tuple(name for name in ("name", "description") if name in csv.header))
    for _row, slug, values in parsed:
        if slug is None:
            continue
        current = stored.get(slug)
        if current is None:
            result.creates.append({"slug": slug, "description": "", **values})
            continue
        changes = changed_fields(current, values)
        if changes:
            result.updates.append(Change(pk=current["pk"], values=values, changes=changes))
        else:
            result.unchanged += 1
    return result
