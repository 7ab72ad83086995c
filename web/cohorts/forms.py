"""Forms of the cohort pages: panel decisions and the member list. They parse input; the services validate and write."""

from django import forms
from django.db.models import QuerySet

from iom.models import District, Person
from iom.pnc import PNC_PATTERN
from web.forms import date_field

NO_SUCH_PERSON = "No person you can see has that PNC ID"


class AdoptForm(forms.Form):
    """The panel's adoption decision. The PNC ID is resolved only among people the user can see."""

    pnc_id = forms.CharField(
        label="PNC ID of the person",
        max_length=13,
        help_text="For example, 2013/0012345Q",
        error_messages={"required": "Enter the PNC ID of the person"},
    )
    adopted_on = date_field("Adoption date")
    panel_date = date_field("Panel date", required=False, help_text="The panel that decided the adoption, if known")

    def __init__(self, *args, people: QuerySet[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people

    def clean_pnc_id(self) -> str:
        pnc_id = self.cleaned_data["pnc_id"].strip().upper()
        if not PNC_PATTERN.match(pnc_id):
            raise forms.ValidationError("Enter a PNC ID as YYYY/NNNNNNNL, for example 2013/0012345Q")
        # Unknown and invisible look the same, so the form never reveals who exists.
        person = self.people.filter(pnc_id=pnc_id).first()
        if person is None:
            raise forms.ValidationError(NO_SUCH_PERSON)
        self.cleaned_data["person"] = person
        return pnc_id


class ExitForm(forms.Form):
    exited_on = date_field("Exit date", help_text="The member's last day in the cohort")
    # Optional here: the service owns the rule, so a missing reason and a bad date are reported together.
    exit_reason = forms.CharField(
        label="Reason the panel gave for the exit", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    panel_date = date_field("Panel date", required=False, help_text="The panel that decided the exit, if known")


MEMBER_STATUS_CHOICES = [("current", "Current members"), ("exited", "Exited members"), ("all", "All members")]


class MemberFilterForm(forms.Form):
    """The cohort page's GET filters; blank values mean "any"."""

    status = forms.ChoiceField(label="Membership", choices=MEMBER_STATUS_CHOICES, required=False, initial="current")
    district = forms.ChoiceField(
        label="Home district", choices=[("", "Any district"), *District.choices], required=False
    )
    q = forms.CharField(label="Name or PNC ID", max_length=100, required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"status": data.get("status") or "current", "district": data.get("district"), "q": data.get("q", "")}
