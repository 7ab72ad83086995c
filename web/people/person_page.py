"""Everything the person page shows, read in a fixed number of queries however long the history.

The page is a face over every domain app: referrals, consent, interventions and offences come from their apps'
own selectors, so the same visibility rules apply here as in the API.
"""

from collections import defaultdict
from typing import Any

from iom import access, selectors
from iom.models import Pathway, Person, User
from iom.services._validation import today
from outcomes import selectors as outcome_selectors
from outcomes.selectors.corrections import person_correction_events, person_corrections
from outcomes.selectors.offences import offence_list_visible_to
from referrals import selectors as referral_selectors

# The person page shows the newest corrections; the rest are a link away (people/person_corrections.html).
CORRECTIONS_SHOWN = 5


def person_page_context(*, user: User, person: Person) -> dict[str, Any]:
    cases = list(
        selectors.case_list(user=user).filter(person=person).order_by(selectors.CASE_STATUS_ORDER, "-opened_on", "pk")
    )
    case_ids = [case.pk for case in cases]
    changeable = set(access.case_list_changeable_by(user=user).filter(pk__in=case_ids).values_list("pk", flat=True))
    history: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for assessment in selectors.assessment_list(user=user).filter(case_id__in=case_ids).order_by("-assessed_on", "-pk"):
        history[assessment.case_id][assessment.pathway].append(assessment)
    actions = defaultdict(list)
    open_first = selectors.action_list(user=user).order_by(selectors.ACTION_STATUS_ORDER, "due_on", "pk")
    for action in open_first.filter(case_id__in=case_ids):
        actions[action.case_id].append(action)
    notes = defaultdict(list)
    for note in selectors.note_list(user=user).filter(case_id__in=case_ids).order_by("-occurred_on", "-pk"):
        notes[note.case_id].append(note)
    grants = selectors.grant_list_for_cases(case_ids=case_ids)
    referrals = defaultdict(list)
    for referral in referral_selectors.referral_list_visible_to(user=user).filter(case_id__in=case_ids):
        referrals[referral.case_id].append(referral)
    consents = list(referral_selectors.consent_list_visible_to(user=user).filter(person=person))
    interventions = defaultdict(list)
    for intervention in outcome_selectors.intervention_list_visible_to(user=user).filter(case_id__in=case_ids):
        interventions[intervention.case_id].append(intervention)
    offences = list(offence_list_visible_to(user=user).filter(person=person).order_by("-offence_date", "-pk"))
    case_sections = []
    for case in cases:
        pathways = []
        for value, label in Pathway.choices:
            entries = history[case.pk][value]
            pathways.append(
                {"value": value, "label": label, "current": entries[0] if entries else None, "history": entries}
            )
        case_sections.append(
            {
                "case": case,
                "can_change": case.pk in changeable,
                "pathways": pathways,
                "actions": actions[case.pk],
                "notes": notes[case.pk],
                "grants": grants[case.pk],
                "referrals": referrals[case.pk],
                "interventions": interventions[case.pk],
            }
        )
    memberships = list(selectors.membership_list(user=user).filter(person=person).order_by("-adopted_on", "pk"))
    correction_events = list(person_correction_events(person=person)[: CORRECTIONS_SHOWN + 1])
    return {
        "today": today(),
        "person": person,
        "case_sections": case_sections,
        "memberships": memberships,
        "offences": offences,
        "consents": consents,
        "corrections": person_corrections(events=correction_events[:CORRECTIONS_SHOWN]),
        "more_corrections": len(correction_events) > CORRECTIONS_SHOWN,
        "can_edit_person": access.person_list_changeable_by(user=user).filter(pk=person.pk).exists(),
        "can_open_case": selectors.team_list_for_new_case(user=user, person=person).exists(),
    }
