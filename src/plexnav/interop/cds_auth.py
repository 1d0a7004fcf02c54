"""The JWT a CDS Hooks client sends with every call, checked as CDS Hooks 2.0 (Trusting CDS Clients) asks.

A client signs a short-lived JWT with its private key and sends it as
``Authorization: Bearer <jwt>``.  plexnav accepts it only when all of these hold:

- the header names an asymmetric algorithm (RS/PS/ES 256-512); ``none`` and the shared-secret
  HS algorithms are refused;
- ``iss`` is a registered client, and the signature verifies with one of that client's public
  keys (its JWKS, registered with the service; the ``kid`` picks the key).  A ``jku`` in the
  header must be one of the client's allow-listed JWKS URLs; the keys themselves are never
  fetched from a URL the token names;
- ``aud`` is the endpoint being called, ``exp`` and ``iat`` are present and ``exp`` has not
  passed (30 seconds of clock skew), and ``jti`` has not been seen before from that issuer
  (a replayed token is refused until it expires).

Registration is a JSON file named by ``PLEXNAV_CDS_CLIENTS``::

    {"audience_base": "https://plexnav.hospital.example",        (optional: the public base URL)
     "clients": [{"iss": "https://ehr.hospital.example",
                  "jku": ["https://ehr.hospital.example/.well-known/jwks.json"],   (optional)
                  "jwks": {"keys": [{"kty": "EC", "crv": "P-384", "kid": "...", "x": "...", "y": "..."}]}}]}

Without it no call is trusted (the service answers 401): there is no unauthenticated mode.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jwt

ENV_CLIENTS = "PLEXNAV_CDS_CLIENTS"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 30


class CdsAuthError(Exception):
    """A call whose token is missing or not trusted (HTTP 401)."""

    status = 401


@dataclass(frozen=True)
class TrustedClient:
    issuer: str
    jwks: dict
    jku: tuple[str, ...] = ()

    def key_for(self, kid: str | None) -> jwt.PyJWK:
        try:
            keys = jwt.PyJWKSet.from_dict(self.jwks).keys
        except jwt.PyJWKSetError as exc:  # pragma: no cover - a registration error
            raise CdsAuthError(f"the registered keys of {self.issuer} are unusable: {exc}") from None
        if kid is not None:
            for key in keys:
                if key.key_id == kid:
                    return key
            raise CdsAuthError(f"no registered key of {self.issuer} has kid {kid!r}")
        if len(keys) == 1:
            return keys[0]
        raise CdsAuthError("the token has no kid and the issuer has several keys")


@dataclass
class CdsAuth:
    clients: dict[str, TrustedClient]
    audience_base: str | None = None
    _seen: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, clients: Iterable[TrustedClient], audience_base: str | None = None) -> CdsAuth:
        return cls({c.issuer: c for c in clients}, audience_base.rstrip("/") if audience_base else None)

    @classmethod
    def from_file(cls, path: str | Path) -> CdsAuth:
        data = json.loads(Path(path).read_text())
        clients = [TrustedClient(c["iss"], c["jwks"], tuple(c.get("jku", ()))) for c in data.get("clients", ())]
        return cls.of(clients, data.get("audience_base"))

    @classmethod
    def from_env(cls) -> CdsAuth | None:
        path = os.environ.get(ENV_CLIENTS)
        return cls.from_file(path) if path else None

    def audience(self, endpoint_url: str, path: str) -> str:
        """What ``aud`` must be: the endpoint called, on the public base URL when one is registered."""
        return f"{self.audience_base}{path}" if self.audience_base else endpoint_url

    def verify(self, authorization: str | None, audience: str) -> dict:
        """The verified claims of the call's bearer token; :class:`CdsAuthError` otherwise."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise CdsAuthError("send the CDS client's signed JWT as 'Authorization: Bearer <token>'")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise CdsAuthError("the bearer token is not a well-formed JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise CdsAuthError(f"JWT algorithm {alg!r} is not accepted; sign with one of {', '.join(ALGORITHMS)}")
        issuer = unverified.get("iss")
        client = self.clients.get(issuer) if isinstance(issuer, str) else None
        if client is None:
            raise CdsAuthError(f"the token's issuer {issuer!r} is not a registered CDS client")
        if "jku" in header and header["jku"] not in client.jku:
            raise CdsAuthError(f"the token's jku {header['jku']!r} is not allow-listed for {issuer}")
        key = client.key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise CdsAuthError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise CdsAuthError(f"the token's aud is not this endpoint ({audience})") from None
        except jwt.MissingRequiredClaimError as exc:
            raise CdsAuthError(f"the token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise CdsAuthError(f"the token does not verify: {exc}") from None
        self._once(str(issuer), str(claims["jti"]), float(claims["exp"]))
        return claims

    def _once(self, issuer: str, jti: str, exp: float) -> None:
        now = time.time()
        with self._lock:
            for seen, until in list(self._seen.items()):
                if until + LEEWAY_SECONDS < now:
                    del self._seen[seen]
            if (issuer, jti) in self._seen:
                raise CdsAuthError("the token was already used (jti seen before): send a fresh token per call")
            self._seen[(issuer, jti)] = exp
