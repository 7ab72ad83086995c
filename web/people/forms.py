"""Forms of the people pages: search, create and edit a person."""

from django import forms

from iom import selectors
from iom.models import Person, Team, User
from iom.services.people import MAX_REASON_LENGTH
from web.forms import DATE_INPUT, SpecificErrors, model_choice_field

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "crn",
    "gender",
    "ethnicity",
    "district",
    "risk_of_serious_harm",
    "flags",
]


class _PersonFields(SpecificErrors, forms.ModelForm):
    """What recording and editing a person share; only an edit carries the version it started from."""

    flags = forms.ModelMultipleChoiceField(
        queryset=selectors.flag_list_active(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"date_of_birth": DATE_INPUT, "aliases": forms.Textarea(attrs={"rows": 3})}
        labels = {"crn": "Probation CRN (optional)"}

    def _post_clean(self):
        # Model validation belongs to the service, which reports the same errors to pages and API.
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "flags"}


class PersonForm(_PersonFields):
    """An edit is a correction: it says why, and the reason is kept with the old and new values."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for the change",
        help_text="For example \u201cdate of birth corrected from the PNC record\u201d. Everyone who can see this "
        "person sees it with the change, under Corrections.",
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages.update(
            required="Enter the reason for the change.",
            max_length=f"Enter the reason in {MAX_REASON_LENGTH} characters or fewer.",
        )


class PersonCreateForm(_PersonFields):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Managing team")

    class Meta(_PersonFields.Meta):
        fields = ["pnc_id", *PERSON_FIELDS]
        labels = {"crn": "Probation CRN (optional)", "pnc_id": "PNC ID"}
        help_texts = {"pnc_id": "For example 2013/0012345Q: year, slash, seven digits and the check letter."}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = user.teams.all()
        team = model_choice_field(self, "team")
        team.queryset = teams
        team.help_text = "The person's case opens in this team."
        if len(teams) == 1:
            team.initial = teams[0].pk


class SearchForm(SpecificErrors, forms.Form):
    q = forms.CharField(
        label="Name, alias, PNC ID or CRN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
