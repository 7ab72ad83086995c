"""The retention review's forms. They parse input; the service checks the date against the person's group."""

from django import forms

from web.forms import date_field


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why the records are still needed",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The policing purpose they still serve, for example the risk the person is still assessed to pose.",
        error_messages={"required": "Enter why the records are still needed"},
    )
    next_review_on = date_field("Next review date", help_text="No later than the date shown above.")
