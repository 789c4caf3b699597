"""Password reset by email: on only when the server can send mail.

With `EMAIL_URL` set, people who forgot their password get a one-time link by email
(Django's reset flow). Without it, every reset address shows a page saying whom to ask,
instead of a form that would accept an address and send nothing.
"""

import logging

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.mail import EmailMultiAlternatives
from django.shortcuts import render
from django.template import loader
from django.urls import path, reverse_lazy

logger = logging.getLogger("lanes.password_reset")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, whose failure log names neither the account nor its address."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(
            loader.render_to_string(subject_template_name, context).splitlines()
        )
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        try:
            message.send()
        except Exception:
            # Who asked is not logged: the log would tell which addresses have accounts.
            logger.exception("A password reset email could not be sent.")


def _reset_view(view):
    """`view` when password reset is on; otherwise the page saying it is off."""

    def reset(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            return render(request, "registration/password_reset_off.html")
        return view(request, *args, **kwargs)

    return reset


urlpatterns = [
    path(
        "password_reset/",
        _reset_view(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        _reset_view(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _reset_view(
            auth_views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        _reset_view(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
