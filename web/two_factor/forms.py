"""The one field of the second-factor pages: a code from the app, or a backup code."""

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    def __init__(self, *args, label: str, hint: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = hint
