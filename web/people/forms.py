"""Forms of the people pages: search, create and edit a person."""

from django import forms

from iom.models import Flag, Person, Team, User
from web.forms import DATE_INPUT, SpecificErrors

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


class PersonForm(SpecificErrors, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    flags = forms.ModelMultipleChoiceField(
        queryset=Flag.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
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


class PersonCreateForm(PersonForm):
    version = None
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Managing team")

    class Meta(PersonForm.Meta):
        fields = ["pnc_id", *PERSON_FIELDS]
        labels = {"crn": "Probation CRN (optional)", "pnc_id": "PNC ID"}
        help_texts = {"pnc_id": "For example 2013/0012345Q: year, slash, seven digits and the check letter."}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = user.teams.all()
        self.fields["team"].queryset = teams
        self.fields["team"].help_text = "The person's case opens in this team."
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "flags"}


class SearchForm(SpecificErrors, forms.Form):
    q = forms.CharField(
        label="Name, alias, PNC ID or CRN",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
