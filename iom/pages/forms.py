"""Page forms. They only parse and label input; the services validate and write."""

from django import forms
from django.forms.utils import pretty_name

from iom.models import (
    CaseStatus,
    Flag,
    NeedLevel,
    NoteType,
    Pathway,
    Person,
    Rag,
    Sensitivity,
    Team,
    User,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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


class SpecificErrors:
    """GOV.UK-style messages ("Enter the first name", not "This field is required") and no "------" options."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = field.label or pretty_name(name)
            # Keep acronyms (PNC ID, RAG status, CRN) as written; lower-case ordinary words.
            if not label.split(" ", 1)[0].isupper():
                label = label[:1].lower() + label[1:]
            choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            field.error_messages["required"] = f"{'Choose' if choosing else 'Enter'} {label}."
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"Enter {label} as a real date, for example 27 3 2024."
            choices = getattr(field, "choices", None)
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = "Not chosen" if field.required else "None"
            elif choices:
                first, *rest = list(choices)
                if first[0] == "":
                    field.choices = [("", "Not recorded" if not field.required else "Choose"), *rest]


class VersionedForm(SpecificErrors, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


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
        self.fields["owner"].queryset = owners


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
        self.fields["lead_officer"].queryset = lead_officers
        self.fields["offender_manager"].queryset = offender_managers


class OpenCaseForm(SpecificErrors, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class GrantForm(SpecificErrors, forms.Form):
    username = forms.CharField(label="Username of the police or probation colleague", max_length=150)
    permission = forms.ChoiceField(
        label="Access", choices=[("view_case", "View the case"), ("change_case", "View and change the case")]
    )
    reason = forms.CharField(label="Why they need access", widget=forms.Textarea(attrs={"rows": 3}))
