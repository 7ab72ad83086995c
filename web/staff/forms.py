"""Forms of the staff pages: parse and label; iom/services/staff.py decides who may do what."""

from django import forms

from iom.models import Organisation, Role, Team
from web.forms import SpecificErrors, choice_field, model_choice_field


class StaffSearchForm(forms.Form):
    """The staff list's search: a name or username, no longer than a username may be."""

    q = forms.CharField(required=False, max_length=150, error_messages={"max_length": "Enter at most 150 characters"})


class InviteForm(SpecificErrors, forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address", help_text="The invitation link is sent here.")
    role = forms.ChoiceField(choices=())
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Officers, offender managers and IOM managers see the cases of their teams.",
    )

    def __init__(self, *args, roles, organisations, teams, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "role").choices = [("", "Choose"), *((r, Role(r).label) for r in Role.values if r in roles)]
        model_choice_field(self, "organisation").queryset = organisations
        model_choice_field(self, "teams").queryset = teams


class ReasonForm(SpecificErrors, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AccessForm(SpecificErrors, forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="A change that could widen their access waits until a second person approves it.",
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "teams").queryset = teams


class JoinForm(SpecificErrors, forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only. You sign in with it.")
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text="At least 12 characters, not a common password, not only numbers and not like your name.",
    )
    password_again = forms.CharField(label="Confirm password", widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        return cleaned
