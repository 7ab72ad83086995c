"""Form pieces every page shares: GOV.UK-style error messages, the date input and the hidden version.

Page forms only parse and label input; the services validate and write.
"""

from django import forms
from django.forms.utils import pretty_name

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d"]


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


def date_field(label: str, *, required: bool = True, missing: str = "", help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={
            "required": missing or f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 2024-03-27",
        },
    )
