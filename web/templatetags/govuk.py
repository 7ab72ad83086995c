"""Render Django form widgets with GOV.UK Frontend classes, so forms need no per-field markup."""

from django import forms, template
from django.forms.widgets import Input

register = template.Library()

_CLASSES = (
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (Input, "govuk-input"),
)


@register.filter
def govuk_widget(bound_field):
    """The field rendered with its GOV.UK class, error state and hint/error ``aria-describedby``."""
    widget = bound_field.field.widget
    css = next((name for kind, name in _CLASSES if isinstance(widget, kind)), "")
    attrs = {}
    if bound_field.errors and css:
        css += f" {css}--error"
    if isinstance(widget, forms.DateInput):
        css += " govuk-input--width-10"
    if css:
        attrs["class"] = css
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.id_for_label}-hint")
    if bound_field.errors:
        described.append(f"{bound_field.id_for_label}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)
