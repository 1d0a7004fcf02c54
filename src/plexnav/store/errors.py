"""What the storage services refuse, independent of HTTP (the API maps each to a status)."""

from __future__ import annotations

from plexnav.validation import CaseError


class StoreError(Exception):
    status = 400

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path

    def errors(self) -> list[CaseError]:
        return [CaseError(self.path, self.message)]


class NotFound(StoreError):
    """Missing, or not yours to see: the two are indistinguishable on purpose."""

    status = 404


class Forbidden(StoreError):
    """You may see it, but not do this to it."""

    status = 403


class Conflict(StoreError):
    status = 409


class Invalid(StoreError):
    """Well-formed but not acceptable (too many entries, say)."""

    status = 422


class Unauthorized(StoreError):
    status = 401


class SecondFactorNeeded(Unauthorized):
    """The password was right, and the account signs in with a two-factor code as well."""

    def __init__(self, user_id: str, stamp: str):
        super().__init__(
            "this account uses two-factor sign-in: enter the 6-digit code from your authenticator app "
            "(or one of your recovery codes)",
            "totp_code",
        )
        self.user_id = user_id
        self.stamp = stamp
