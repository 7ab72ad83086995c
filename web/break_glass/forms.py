"""Forms of the break-glass pages: open a record outside one's teams, and a manager's review of one."""

from typing import Any

from django import forms

from iom.models import BreakGlassReview
from web.forms import SpecificErrors


class OpenForm(SpecificErrors, forms.Form):
    identifier = forms.CharField(
        label="PNC ID or CRN",
        max_length=20,
        help_text="Exactly as recorded, for example 2013/0012345Q or X123456. This page does not search.",
    )
    reason = forms.CharField(
        label="Why you need this record now",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A sentence an IOM manager can judge later. It is recorded with everything you read.",
    )


# One choice says both what the manager found and what happens to the access now.
DECISIONS = {
    "appropriate": (BreakGlassReview.APPROPRIATE, False),
    "inappropriate_end": (BreakGlassReview.INAPPROPRIATE, True),
    "inappropriate_keep": (BreakGlassReview.INAPPROPRIATE, False),
}


class ReviewForm(SpecificErrors, forms.Form):
    decision = forms.ChoiceField(
        label="Was opening this record appropriate?",
        widget=forms.RadioSelect,
        choices=[
            ("appropriate", "Appropriate"),
            ("inappropriate_end", "Not appropriate: end the access now"),
            ("inappropriate_keep", "Not appropriate: let the access run until it closes"),
        ],
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when it was not appropriate. The officer is told it was found not appropriate.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages["required"] = "Choose whether opening the record was appropriate."

    def service_data(self) -> dict[str, Any]:
        review, end_now = DECISIONS[self.cleaned_data["decision"]]
        return {"review": review, "end_now": end_now, "note": self.cleaned_data["note"]}
