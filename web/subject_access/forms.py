"""The form that asks for a subject access bundle."""

from django import forms

from outcomes.services.subject_access import MAX_REASON_LENGTH
from web.forms import SpecificErrors


class SubjectAccessRequestForm(SpecificErrors, forms.Form):
    reason = forms.CharField(
        label="Reference or how the request arrived",
        help_text="For example the request's reference number, or \u201cletter received 3 March\u201d. It is kept with "
        "the bundle and in the audit log.",
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages.update(
            required="Enter the request's reference or how it arrived.",
            max_length=f"Enter the reference in {MAX_REASON_LENGTH} characters or fewer.",
        )
