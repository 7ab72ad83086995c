"""Changing a password, and resetting a forgotten one by email: Django's views, with GOV.UK pages and our audit.

A changed or reset password ends the user's other sessions (Django's session hash changes with the password;
the session of a change is kept, one of a reset is not there) and their API tokens (``user_password_changed``).
The reset pages never say whether an address belongs to an account.
"""

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy

from iom import services

CHOOSING_HINT = (
    "At least 12 characters. Not a commonly used password, not only numbers, and not like your name, "
    "username or email address. A few unrelated words make a good one."
)


def _with_hint(form: auth_forms.SetPasswordForm) -> None:
    """GOV.UK labels and hint text in place of Django's list of validator rules."""
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].help_text = CHOOSING_HINT
    form.fields["new_password2"].label = "Confirm new password"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _with_hint(self)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _with_hint(self)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "account/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)  # saves, and keeps this session signed in
        services.user_password_changed(user=form.user, how="changed")
        messages.success(self.request, "Your password was changed. You were signed out everywhere else.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "account/password_reset.html"
    email_template_name = "account/password_reset_email.txt"
    subject_template_name = "account/password_reset_subject.txt"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "account/password_reset_confirm.html"

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(user=form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "account/password_reset_complete.html"
