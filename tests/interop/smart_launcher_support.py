"""A local SMART launcher: an EHR's FHIR server (the L5 fixtures) with SMART App Launch endpoints.

``/fhir/.well-known/smart-configuration`` names ``/auth/authorize`` and ``/auth/token``;
authorize approves at once (as a clinician who clicks 'allow') and redirects with a code;
token checks the PKCE verifier against the S256 challenge, the client id and the redirect URI,
and answers an access token with the ``patient`` context.  FHIR reads need that token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from fhir_endpoint_support import FhirEndpoint


class SmartLauncher(FhirEndpoint):
    def __init__(self, client_id: str = "plexnav", patient_id: str = "pat-l5"):
        super().__init__(token=secrets.token_urlsafe(16), patient_id=patient_id)
        self.client_id = client_id
        self.codes: dict[str, dict] = {}
        self.launches: list[dict] = []
        launcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, location: str | None = None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/fhir/.well-known/smart-configuration":
                    return self._send(
                        200,
                        {
                            "authorization_endpoint": f"{launcher.origin}/auth/authorize",
                            "token_endpoint": f"{launcher.origin}/auth/token",
                            "code_challenge_methods_supported": ["S256"],
                            "capabilities": ["launch-ehr", "context-ehr-patient"],
                        },
                    )
                if url.path == "/auth/authorize":
                    launcher.launches.append(query)
                    code = secrets.token_urlsafe(12)
                    launcher.codes[code] = query
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    return self._send(302, location=target)
                launcher.requests.append(self.path)
                status, body = launcher.answer(self.path, self.headers.get("Authorization"))
                return self._send(status, body)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                asked = launcher.codes.pop(form.get("code", ""), None)
                if urlparse(self.path).path != "/auth/token" or asked is None:
                    return self._send(400, {"error": "invalid_grant"})
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if (
                    challenge != asked["code_challenge"]
                    or form.get("client_id") != launcher.client_id
                    or form.get("redirect_uri") != asked["redirect_uri"]
                ):
                    return self._send(400, {"error": "invalid_grant"})
                return self._send(
                    200,
                    {
                        "access_token": launcher.token,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "scope": asked["scope"],
                        "patient": launcher.patient_id,
                    },
                )

        self.server.server_close()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.base = f"{self.origin}/fhir"
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
