"""The audit page's filters."""

import datetime

from django import forms
from django.db import connection

from iom.models import AuditAction, Person
from web.forms import date_field


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="Username", max_length=150, required=False, help_text="Exactly as they sign in")
    person = forms.IntegerField(
        label="Person ID",
        required=False,
        min_value=1,
        # No larger than the column holds: a larger number reaches the database as one it cannot compare (a 500).
        max_value=connection.ops.integer_field_range(Person._meta.pk.get_internal_type())[1],
        error_messages={
            "invalid": "Enter the person ID as a whole number, for example 42",
            "max_value": "Enter a person ID that exists, for example 42",
        },
    )
    date_from = date_field("From date", required=False)
    date_to = date_field("To date", required=False)
    action = forms.ChoiceField(label="Action", choices=[("", "Any action"), *AuditAction.choices], required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        date_from: datetime.date | None = data.get("date_from")
        date_to: datetime.date | None = data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data

    def query(self) -> dict[str, str]:
        """The filters used, as text, for the audit row that records this consultation."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "")}
