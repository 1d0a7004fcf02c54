"""A small local FHIR endpoint for the tests: serves the L5 fixtures as an EHR's server would.

Read ``Patient/{id}`` and search ``Condition``, ``Observation`` and ``DiagnosticReport`` by
``patient`` (searches answer pages of 10 with a ``next`` link), only with the bearer token it
was started with (else 401 and an OperationOutcome).  Every request is recorded.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = 10


class FhirEndpoint:
    def __init__(self, token: str = "good-token", patient_id: str = "pat-l5"):
        self.token, self.patient_id = token, patient_id
        load = lambda name: json.loads((FIXTURES / name).read_text())  # noqa: E731
        self.patient = load("l5_patient.json")
        self.searches = {
            kind: [e["resource"] for e in load(f"l5_{name}.json")["entry"]]
            for kind, name in (
                ("Condition", "conditions"),
                ("Observation", "observations"),
                ("DiagnosticReport", "reports"),
            )
        }
        self.requests: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                endpoint.requests.append(self.path)
                status, body = endpoint.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}/fhir"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FhirEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def outcome(code: str, text: str) -> dict:
        return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": text}]}

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict]:
        if authorization != f"Bearer {self.token}":
            return 401, self.outcome("login", "invalid or missing access token")
        url = urlparse(path)
        parts = url.path.strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if parts[:2] == ["fhir", "Patient"] and len(parts) == 3:
            if parts[2] != self.patient_id:
                return 404, self.outcome("not-found", f"Patient/{parts[2]} is not known")
            return 200, self.patient
        if len(parts) == 2 and parts[1] in self.searches:
            found = [
                r
                for r in self.searches[parts[1]]
                if r.get("subject", {}).get("reference") == f"Patient/{query.get('patient')}"
            ]
            page = int(query.get("_page", "1"))
            shown = found[(page - 1) * PAGE : page * PAGE]
            bundle = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(found),
                "link": [{"relation": "self", "url": f"{self.base}/{parts[1]}?{url.query}"}],
                "entry": [
                    {
                        "fullUrl": f"{self.base}/{r['resourceType']}/{r['id']}",
                        "resource": r,
                        "search": {"mode": "match"},
                    }
                    for r in shown
                ],
            }
            if page * PAGE < len(found):
                nxt = {**query, "_page": str(page + 1)}
                bundle["link"].append({"relation": "next", "url": f"{self.base}/{parts[1]}?{urlencode(nxt)}"})
            return 200, bundle
        return 404, self.outcome("not-supported", f"{url.path} is not served here")
