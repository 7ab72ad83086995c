"""people files: ``pnc_id`` (key), ``crn``, names, ``date_of_birth`` and the equality codes."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

from iom.models import District, Ethnicity, Gender, Person
from iom.models.people import crn_validator
from iom.pnc import validate_pnc_id
from iom.services._validation import today
from outcomes.services.imports.plan import Change, ImportPlan
from outcomes.services.imports.reader import Columns, CsvFile, changed_fields, repeated_keys

COLUMNS = Columns(
    required=("pnc_id", "first_name", "last_name", "date_of_birth"),
    optional=("crn", "gender", "ethnicity", "district"),
)
MODEL = Person
CODES = {"gender": tuple(Gender.values), "ethnicity": tuple(Ethnicity.values), "district": tuple(District.values)}


def _valid(validator: Callable[[str], None], value: str) -> str | None:
    try:
        validator(value)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def plan(csv: CsvFile) -> ImportPlan:
    on = today()
    parsed = []
    for row in csv.tracked():
        pnc_id = row.text("pnc_id", required=True)
        if pnc_id is not None and (problem := _valid(validate_pnc_id, pnc_id)):
            row.error("pnc_id", problem)
            pnc_id = None
        first_name = row.text("first_name", required=True, max_length=100)
        last_name = row.text("last_name", required=True, max_length=100)
        date_of_birth = row.date("date_of_birth", required=True)
        values: dict[str, object] = {"first_name": first_name, "last_name": last_name, "date_of_birth": date_of_birth}
        if date_of_birth is not None and date_of_birth > on:
            row.error("date_of_birth", "a date of birth in the past")
        if row.has("crn"):
            crn = row.text("crn")
            if crn is not None and (problem := _valid(crn_validator, crn)):
                row.error("crn", problem)
            values["crn"] = crn
        for column, codes in CODES.items():
            if row.has(column):
                values[column] = row.code(column, codes)
        parsed.append((row, pnc_id, values))
    repeated_keys(csv.rows, lambda row: row.cells.get("pnc_id"), "pnc_id")

    fields = ("pk", "pnc_id", "crn", "first_name", "last_name", "date_of_birth", "gender", "ethnicity", "district")
    stored = {person["pnc_id"]: person for person in Person.objects.values(*fields).iterator(chunk_size=5000)}
    if "crn" in csv.header:
        _check_crns_unique(parsed, stored)

    update_fields = tuple(name for name in fields[2:] if name in csv.header)
    result = ImportPlan(update_fields=update_fields)
    for _row, pnc_id, values in parsed:
        if pnc_id is None:
            continue
        current = stored.get(pnc_id)
        if current is None:
            result.creates.append({"pnc_id": pnc_id, **dict.fromkeys(("crn", *CODES)), **values})
            continue
        changes = changed_fields(current, values)
        if changes:
            result.updates.append(Change(pk=current["pk"], values=values, changes=changes, person_id=current["pk"]))
        else:
            result.unchanged += 1
    return result


def _check_crns_unique(parsed: list, stored: dict[str, dict]) -> None:
    """A CRN belongs to one person once the file is applied (so two people may swap CRNs in one file)."""
    final = {pnc_id: person["crn"] for pnc_id, person in stored.items() if person["crn"]}
    for _row, pnc_id, values in parsed:
        if pnc_id is not None:
            final[pnc_id] = values.get("crn")
    owners: dict[str, list[str]] = {}
    for pnc_id, crn in final.items():
        if crn:
            owners.setdefault(crn, []).append(pnc_id)
    for row, pnc_id, values in parsed:
        crn = values.get("crn")
        others = [owner for owner in owners.get(crn, ()) if owner != pnc_id] if crn else []
        if others and pnc_id is not None:
            row.error("crn", f"a CRN no other person holds ({crn} is also {others[0]}'s)")
