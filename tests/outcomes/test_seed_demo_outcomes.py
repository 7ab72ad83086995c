"""``seed_demo`` ends by running ``seed_demo_outcomes``: a programme catalogue and about 40 interventions."""

from io import StringIO

import pytest
from django.core.management import call_command

from iom.models import AuditAction, AuditEvent
from outcomes.models import Intervention, InterventionOutcome, Programme

pytestmark = pytest.mark.django_db(transaction=False)


def test_seed_demo_records_interventions_through_the_service_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Outcomes demo data ready" in out.getvalue()
    assert Programme.objects.count() >= 8
    assert Intervention.objects.count() == 40
    assert set(Intervention.objects.values_list("outcome", flat=True)) == set(InterventionOutcome.values)
    audited = AuditEvent.objects.filter(object_type="intervention", action=AuditAction.CREATE).count()
    assert audited == 40

    call_command("seed_demo_outcomes", stdout=StringIO())
    assert Intervention.objects.count() == 40
    assert AuditEvent.objects.filter(object_type="intervention").count() == audited
