"""What ``plexnav admin check`` refuses: an unsafe production configuration.

A fresh install is set up for one person on their own computer (SQLite, loopback, plain
http).  Facing a network it must not keep those defaults.  Each problem is one sentence
naming the setting to change; *blocking* problems make the check fail (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from plexnav.settings import MIN_SECRET_CHARS, Settings

KNOWN_WEAK_SECRETS = ("changeme", "secret", "test", "plexnav", "development")


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str
    blocking: bool = True


def check_settings(settings: Settings) -> list[Problem]:
    out: list[Problem] = []
    if not settings.secret_key:
        out.append(
            Problem(
                "PLEXNAV_SECRET_KEY",
                "no secret key is configured (a generated key in the data folder "
                "is meant for one computer): set a random key of 32+ characters, "
                "the same for every server",
            )
        )
    elif (
        len(settings.secret_key) < MIN_SECRET_CHARS
        or settings.secret_key.lower().strip("-_0123456789") in KNOWN_WEAK_SECRETS
        or len(set(settings.secret_key)) < 8
    ):
        out.append(
            Problem(
                "PLEXNAV_SECRET_KEY",
                f"the secret key is weak: use {MIN_SECRET_CHARS}+ random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')",
            )
        )
    if not settings.resolved_cookie_secure() or settings.cookie_secure is False:
        out.append(
            Problem(
                "PLEXNAV_COOKIE_SECURE",
                "session cookies are not marked Secure: serve over TLS and set "
                "PLEXNAV_COOKIE_SECURE=true (or an https PLEXNAV_PUBLIC_URL)",
            )
        )
    if settings.allow_clinician_signup:
        out.append(
            Problem(
                "PLEXNAV_ALLOW_CLINICIAN_SIGNUP",
                "clinician self-sign-up is open: turn it off and create clinician accounts after checking who they are",
            )
        )
    if not (settings.public_url or "").lower().startswith("https://"):
        out.append(
            Problem(
                "PLEXNAV_PUBLIC_URL", "set the https address people reach the app at (emailed links are built from it)"
            )
        )
    if settings.hsts_max_age < 86400:
        out.append(
            Problem(
                "PLEXNAV_HSTS_MAX_AGE",
                "Strict-Transport-Security is off: set e.g. 31536000 once TLS works",
                blocking=False,
            )
        )
    if not (settings.database_url or "").startswith(("postgresql", "postgres")):
        out.append(
            Problem("PLEXNAV_DATABASE_URL", "SQLite is for one computer; use PostgreSQL for a service", blocking=False)
        )
    if not settings.smtp_host:
        out.append(
            Problem("PLEXNAV_SMTP_HOST", "no mail server: verification and reset emails are not sent", blocking=False)
        )
    return out
