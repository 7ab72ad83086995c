"""Forms of the case pages: allocation, pathway assessments, actions, notes, access grants and interventions."""

from django import forms
from django.db.models import QuerySet

from iom import selectors
from iom.models import CaseStatus, NeedLevel, NoteType, Pathway, Rag, Sensitivity, Team, User
from outcomes.models import InterventionOutcome, Programme
from referrals.models import Referral
from web.forms import DATE_INPUT, SpecificErrors, VersionedForm, model_choice_field


class AssessForm(SpecificErrors, forms.Form):
    pathway = forms.ChoiceField(choices=Pathway.choices)
    need_level = forms.ChoiceField(choices=NeedLevel.choices, widget=forms.RadioSelect(attrs={"inline": True}))
    rag = forms.ChoiceField(label="RAG status", choices=Rag.choices, widget=forms.RadioSelect(attrs={"inline": True}))
    assessed_on = forms.DateField(label="Date of assessment", widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(SpecificErrors, forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    pathway = forms.ChoiceField(choices=[("", "No particular pathway"), *Pathway.choices], required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), empty_label=None)
    due_on = forms.DateField(label="Due date", widget=DATE_INPUT)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = owners


class ActionEditForm(ActionForm, VersionedForm):
    pass


class CompleteForm(VersionedForm):
    done_on = forms.DateField(label="Date done", widget=DATE_INPUT, required=False)


class NoteForm(SpecificErrors, forms.Form):
    note_type = forms.ChoiceField(label="Type", choices=NoteType.choices)
    occurred_on = forms.DateField(label="Date", widget=DATE_INPUT)
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 6}))
    sensitivity = forms.ChoiceField(
        choices=Sensitivity.choices,
        widget=forms.RadioSelect,
        initial=Sensitivity.NORMAL,
        help_text="Restricted notes are shown only to police and probation staff on the case.",
    )


class AllocateForm(VersionedForm):
    lead_officer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Not allocated")
    offender_manager = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Not allocated")
    status = forms.ChoiceField(choices=CaseStatus.choices)

    def __init__(self, *args, lead_officers, offender_managers, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "lead_officer").queryset = lead_officers
        model_choice_field(self, "offender_manager").queryset = offender_managers


class OpenCaseForm(SpecificErrors, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "team").queryset = teams


class GrantForm(SpecificErrors, forms.Form):
    username = forms.CharField(label="Username of the police or probation colleague", max_length=150)
    permission = forms.ChoiceField(
        label="Access", choices=[("view_case", "View the case"), ("change_case", "View and change the case")]
    )
    reason = forms.CharField(label="Why they need access", widget=forms.Textarea(attrs={"rows": 3}))


class _ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Referral) -> str:
        return f"{obj.service.name} ({obj.get_state_display().lower()})"


class InterventionForm(SpecificErrors, forms.Form):
    programme = forms.ModelChoiceField(label="Programme or service", queryset=Programme.objects.none())
    provider = forms.ModelChoiceField(
        label="Provider (if not the programme's own)", queryset=selectors.organisation_list(), required=False
    )
    referral = _ReferralChoiceField(label="Referral it came from (if any)", queryset=None, required=False)
    started_on = forms.DateField(label="Start date", widget=DATE_INPUT)
    ended_on = forms.DateField(
        label="End date", widget=DATE_INPUT, required=False, help_text="Leave empty while it is ongoing."
    )
    sessions_planned = forms.IntegerField(label="Sessions planned", min_value=0, max_value=32767, required=False)
    sessions_attended = forms.IntegerField(label="Sessions attended", min_value=0, max_value=32767, required=False)
    outcome = forms.ChoiceField(
        choices=InterventionOutcome.choices, widget=forms.RadioSelect, initial=InterventionOutcome.ONGOING
    )

    def __init__(self, *args, programmes: QuerySet, referrals: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes
        model_choice_field(self, "referral").queryset = referrals
        model_choice_field(self, "provider").empty_label = "The programme's provider"
        model_choice_field(self, "referral").empty_label = "None"
