"""Form pieces every page shares: GOV.UK-style error messages, the date input and the hidden version.

Page forms only parse and label input; the services validate and write.
"""

from typing import Any, cast

from django import forms
from django.forms.utils import pretty_name
from django.http import QueryDict

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d"]


class SpecificErrors:
    """GOV.UK-style messages ("Enter the first name", not "This field is required") and no "------" options."""

    fields: dict[str, forms.Field]  # the form this is mixed into provides them

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
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = "Not chosen" if field.required else "None"
            elif isinstance(field, forms.ChoiceField) and field.choices:  # only choice fields have choices
                # Django keeps choices normalised to a list (or a lazy iterator); the stubs type the getter as
                # everything the setter accepts, a callable or a Choices class included.
                first, *rest = list(field.choices)  # type: ignore[arg-type]
                if first[0] == "":
                    field.choices = [("", "Not recorded" if not field.required else "Choose"), *rest]


class VersionedForm(SpecificErrors, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def with_version(form: forms.BaseForm, version: int) -> None:
    """Re-render ``form`` with what the user typed but the latest ``version``, so saving again replaces it."""
    data: QueryDict | dict[str, Any] = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data["version"] = str(version)
    form.data = data


# ``form.fields`` is typed as plain Fields; these give a declared field back as what it is.
def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


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
