"""Two ways to compute the metrics over what is in the test database: the implementation under test
(``outcomes.metrics``) and the plain-Python reference (``tests.outcomes.reference_metrics``).

The hand-computed tests run against both, so a wrong expectation shows up as the reference failing too and
the reference itself is checked by the hand fixtures before it is trusted on random data.
"""

import datetime
from typing import Any

from iom.models import Cohort, Membership, Person
from outcomes import metrics
from outcomes.models import CrimeUnitCost, OffenceRecord
from tests.outcomes import reference_metrics as reference


def world_from_database() -> reference.World:
    """Everything the metrics read, as the reference's plain rows."""
    people = {
        row["id"]: reference.Person(**row)
        for row in Person.objects.values("id", "date_of_birth", "gender", "ethnicity", "district")
    }
    records = [
        reference.Record(
            record_id=row["record_id"],
            person_id=row["person_id"],
            offence_date=row["offence_date"],
            offence_category=row["offence_category"],
            outcome=row["outcome"],
            outcome_date=row["outcome_date"],
            disposal=row["disposal"],
            release_date=row["release_date"],
        )
        for row in OffenceRecord.objects.values(
            "record_id",
            "person_id",
            "offence_date",
            "offence_category",
            "outcome",
            "outcome_date",
            "disposal",
            "release_date",
        )
    ]
    memberships = [
        reference.Membership(
            person_id=row["person_id"],
            cohort=row["cohort__slug"],
            adopted_on=row["adopted_on"],
            exited_on=row["exited_on"],
        )
        for row in Membership.objects.values("person_id", "cohort__slug", "adopted_on", "exited_on")
    ]
    unit_costs = {cost.category: cost.unit_cost for cost in CrimeUnitCost.objects.all()}
    return reference.World(people=people, records=records, memberships=memberships, unit_costs=unit_costs)


class Implementation:
    name = "implementation"

    def reoffending(self, **kwargs: Any) -> dict[str, Any]:
        return metrics.reoffending(**kwargs)

    def reoffending_quarterly(self, **kwargs: Any) -> dict[str, Any]:
        return metrics.reoffending_quarterly(**kwargs)

    def pre_post(self, *, cohort: Cohort, as_of: datetime.date) -> dict[str, Any]:
        return metrics.pre_post(cohort=cohort, as_of=as_of)


class Reference:
    name = "reference"

    def reoffending(self, *, cohort: Cohort | None = None, **kwargs: Any) -> dict[str, Any]:
        return reference.reoffending(world_from_database(), cohort=cohort.slug if cohort else None, **kwargs)

    def reoffending_quarterly(self, *, cohort: Cohort | None = None, **kwargs: Any) -> dict[str, Any]:
        return reference.reoffending_quarterly(world_from_database(), cohort=cohort.slug if cohort else None, **kwargs)

    def pre_post(self, *, cohort: Cohort, as_of: datetime.date) -> dict[str, Any]:
        return reference.pre_post(world_from_database(), cohort=cohort.slug, as_of=as_of)


ENGINES = {"reference": Reference(), "implementation": Implementation()}
