"""Page forms for interventions. They only parse and label input; the services validate and write."""

from django import forms
from django.db.models import QuerySet

from iom.models import Organisation
from iom.pages.forms import DATE_INPUT, SpecificErrors
from outcomes.models import InterventionOutcome, Programme


class InterventionForm(SpecificErrors, forms.Form):
    programme = forms.ModelChoiceField(label="Programme or service", queryset=Programme.objects.none())
    provider = forms.ModelChoiceField(
        label="Provider (if not the programme's own)", queryset=Organisation.objects.all(), required=False
    )
    referral = forms.ModelChoiceField(label="Referral it came from (if any)", queryset=None, required=False)
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
        self.fields["programme"].queryset = programmes
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = lambda referral: (
            f"{referral.service.name} ({referral.get_state_display().lower()})"
        )
        self.fields["provider"].empty_label = "The programme's provider"
        self.fields["referral"].empty_label = "None"
