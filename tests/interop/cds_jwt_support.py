"""A CDS client for the tests: its own key pair, tokens signed with PyJWT, no network."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from plexnav.interop.cds_auth import CdsAuth, TrustedClient

ISSUER = "https://ehr.hospital.example"
KID = "ehr-test-key-1"
JKU = "https://ehr.hospital.example/.well-known/jwks.json"
BASE = "http://testserver"


class TestClientKey:
    __test__ = False  # not a test class

    def __init__(self, issuer: str = ISSUER, kid: str = KID):
        self.issuer, self.kid = issuer, kid
        self.private = ec.generate_private_key(ec.SECP384R1())
        public = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwks = {"keys": [{**public, "kid": kid, "alg": "ES384", "use": "sig"}]}

    def trusted(self) -> TrustedClient:
        return TrustedClient(self.issuer, self.jwks, (JKU,))

    def token(self, audience: str, *, lifetime: int = 300, headers: dict | None = None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
            **claims,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, self.private, algorithm="ES384", headers={"kid": self.kid, **(headers or {})})


def auth_for(*keys: TestClientKey) -> CdsAuth:
    return CdsAuth.of([k.trusted() for k in keys])


def unsigned_token(audience: str, issuer: str = ISSUER, expired: bool = True) -> str:
    """An ``alg: none`` token, built by hand (PyJWT will not make one)."""
    now = int(time.time())
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    payload = {
        "iss": issuer,
        "aud": audience,
        "iat": now - 600,
        "exp": now - 300 if expired else now + 300,
        "jti": str(uuid.uuid4()),
    }
    return f"{enc({'alg': 'none', 'typ': 'JWT'})}.{enc(payload)}."
