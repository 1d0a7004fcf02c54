"""Outgoing email (verification links) through the SMTP server in the settings.

Mail is sent after the transaction that made it necessary has committed; a mail server
that is down never undoes a registration (the person asks for a new link later).  Without
``PLEXNAV_SMTP_HOST`` nothing is sent and a warning names the recipient only (never the
link, which is a credential).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from fastapi import Request

from plexnav.settings import Settings
from plexnav.store.accounts import email_token, reset_token
from plexnav.store.models import User

log = logging.getLogger("plexnav.mail")


def send_mail(settings: Settings, to: str, subject: str, body: str) -> bool:
    if not settings.smtp_host:
        log.warning("no SMTP server configured (PLEXNAV_SMTP_HOST): email to %s not sent", to)
        return False
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    try:
        with smtp_class(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls and not settings.smtp_ssl:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("could not send email to %s: %s", to, exc.__class__.__name__)
        return False
    return True


def base_url(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


def send_verification(request: Request, settings: Settings, user: User) -> bool:
    secret = request.app.state.secret_key
    link = f"{base_url(request, settings)}/verify-email?token={email_token(secret, user)}"
    hours = settings.email_token_max_age // 3600
    extra = (
        "\nAs a clinician you can see records that patients share with you once an administrator "
        "has approved your account as well.\n"
        if user.role == "clinician"
        else ""
    )
    body = (
        f"Hello {user.display_name},\n\nplease confirm that {user.email} is your email address for your "
        f"plexnav account '{user.username}' by opening this link (it works for {hours} hours):\n\n{link}\n"
        f"{extra}\nIf you did not create this account, ignore this email.\n"
    )
    return send_mail(settings, user.email, "Confirm your email address for plexnav", body)


def send_password_reset(request: Request, settings: Settings, user: User) -> bool:
    link = f"{base_url(request, settings)}/reset-password?token={reset_token(request.app.state.secret_key, user)}"
    minutes = settings.reset_token_max_age // 60
    body = (
        f"Hello {user.display_name},\n\nsomeone (we hope you) asked to reset the password of your plexnav "
        f"account '{user.username}'. Open this link within {minutes} minutes to choose a new one (it works "
        f"once):\n\n{link}\n\nIf it was not you, ignore this email: your password stays as it is.\n"
    )
    return send_mail(settings, user.email, "Reset your plexnav password", body)
