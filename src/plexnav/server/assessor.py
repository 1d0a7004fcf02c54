"""The engine behind the API, with a bounded memo of recent results.

``assess`` is a pure function of the case's findings and the installed knowledge base, so
the same findings get the same assessment whatever the case is called: the memo is keyed
by the finding set (the validated case without its id), keeps the answer made for
``case_id: null`` already serialised (orjson, the content ``plexnav assess --json``
prints), and splices the id in on the way out.  A request body is answered from memory
before any pydantic model is made when it is byte-identical to a recent one (a BLAKE2
digest of the body) or holds the same findings under another id (the finding key of its
plain JSON, :func:`plexnav.answers.finding_key`).  Compact answers (``fields``)
are memoised the same way.  The knowledge version is part of every key, and nothing is
kept when the cache size is 0.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import orjson

from plexnav.answers import assessment_bytes, compact_bytes, finding_key, splice_case_id
from plexnav.case import Assessment, Case


def case_key(case: Case, fields: frozenset[str] | None = None) -> bytes:
    """The finding set: the validated case without its id (and the compact fields asked)."""
    body = orjson.dumps(case.model_dump(mode="json", exclude_none=True, exclude={"id"}), option=orjson.OPT_SORT_KEYS)
    return body + b"|" + ",".join(sorted(fields or ())).encode()


def _plain_json(body: bytes) -> dict | None:
    """The body as a JSON object (orjson), or None when it is not one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


class CachedAssessor:
    def __init__(self, size: int = 1024):
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, bytes], tuple[Assessment | None, bytes]] = OrderedDict()
        self._raw: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self._findings: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self.hits = self.misses = 0

    @staticmethod
    def _knowledge_version() -> str:
        from plexnav.knowledge.base import load_knowledge

        return load_knowledge().version_label

    def warm(self) -> None:
        """Load the likelihood model and guidance now rather than on the first request."""
        from plexnav.knowledge.guidance import load_guidance_knowledge
        from plexnav.modelcache import load_model

        load_model(), load_guidance_knowledge()

    def _run(self, case: Case, fields: frozenset[str] | None) -> tuple[Assessment | None, bytes]:
        """The answer for the case without its id (``case_id: null``)."""
        from plexnav.modelcache import load_model

        anonymous = case.model_copy(update={"id": None})
        if fields:
            from plexnav.engine.compact import compact_many
            from plexnav.knowledge.guidance import load_guidance_knowledge

            model = load_model()
            answer = compact_many([anonymous], model, load_guidance_knowledge(), fields)[0]
            return None, compact_bytes(answer, None, model.kb.version_label, fields)
        from plexnav.engine.assess import assess

        result = assess(anonymous, load_model())
        return result, assessment_bytes(result)  # the content `plexnav assess --json` prints

    def _body_key(self, body: bytes, fields: frozenset[str] | None) -> tuple[str, bytes]:
        digest = hashlib.blake2b(body, digest_size=20)
        digest.update(b"|" + ",".join(sorted(fields or ())).encode())
        return self._knowledge_version(), digest.digest()

    def answer(self, body: bytes, fields: frozenset[str] | None = None) -> bytes:
        """The JSON answer to a request body: ``POST /api/v1/assess``.  Memo hits come
        before any pydantic model is made: a byte-identical body by its digest, the same
        findings under another id by the finding key of the plain JSON (the id spliced in).
        Anything else is validated (:class:`CaseValidationError` for an invalid case) and
        assessed."""
        found = self.cached_body(body, fields)
        if found is not None:
            return found
        from plexnav.validation import load_json, validate_case

        data = load_json(body)
        case, _ = validate_case(data)
        template = self._lookup(case, fields)[1]
        payload = splice_case_id(template, case.id)
        self.remember_body(body, payload, fields)
        self._remember_findings(body, data, template, fields)
        return payload

    def cached_body(self, body: bytes, fields: frozenset[str] | None = None) -> bytes | None:
        """The answer for a request body seen recently, or for one whose findings were (its
        id spliced in), without validating it again."""
        if self.size <= 0:
            return None
        key = self._body_key(body, fields)
        with self._lock:
            found = self._raw.get(key)
            if found is not None:
                self._raw.move_to_end(key)
                self.hits += 1
                return found
        data = _plain_json(body)
        if data is None or not isinstance(data.get("id"), str | None):
            return None  # validation says what is wrong
        finding = finding_key(data, fields)
        if finding is None:
            return None
        with self._lock:
            template = self._findings.get((key[0], finding))
            if template is None:
                return None
            self._findings.move_to_end((key[0], finding))
            self.hits += 1
        return splice_case_id(template, data.get("id"))

    def _remember_findings(self, body: bytes, data: object, template: bytes, fields: frozenset[str] | None) -> None:
        """Keep an answer (``case_id: null``) under the finding key of a body just validated,
        when orjson reads the body as the validator's parser did (so a later body with the
        same key holds the same, valid, content)."""
        if self.size <= 0:
            return
        plain = _plain_json(body)
        if plain is None or plain != data:
            return
        finding = finding_key(plain, fields)
        if finding is None:
            return
        with self._lock:
            self._findings[(self._knowledge_version(), finding)] = template
            while len(self._findings) > self.size:
                self._findings.popitem(last=False)

    def remember_body(self, body: bytes, payload: bytes, fields: frozenset[str] | None = None) -> None:
        if self.size <= 0:
            return
        key = self._body_key(body, fields)
        with self._lock:
            self._raw[key] = payload
            while len(self._raw) > self.size:
                self._raw.popitem(last=False)

    def assess_with_json(self, case: Case, fields: frozenset[str] | None = None) -> tuple[Assessment | None, bytes]:
        """(assessment, its JSON) for the case, its id spliced into the stored answer; with
        ``fields`` a compact answer and no assessment object."""
        found = self._lookup(case, fields)
        result, payload = found
        payload = splice_case_id(payload, case.id)
        if result is not None and case.id is not None:
            result = result.model_copy(update={"case_id": case.id})
        return result, payload

    def _lookup(self, case: Case, fields: frozenset[str] | None) -> tuple[Assessment | None, bytes]:
        if self.size <= 0:
            return self._run(case, fields)
        key = (self._knowledge_version(), case_key(case, fields))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        self.misses += 1
        found = self._run(case, fields)
        with self._lock:
            self._entries[key] = found
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def __call__(self, case: Case) -> Assessment:
        # A copy: callers (and the store) must never share one mutable model object.
        assessment = self.assess_with_json(case)[0]
        assert assessment is not None  # without fields the full assessment is always made
        return assessment.model_copy(deep=True)
