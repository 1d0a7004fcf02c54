"""The engine behind the API, with a bounded memo of recent results.

``assess`` is a pure function of the case and the installed knowledge base, so the same
case (same JSON after validation) gets the same assessment: keeping the last few hundred
answers, already serialised, makes a repeated case nearly free; byte-identical request
bodies are recognised before parsing (by a BLAKE2 digest of the body).  The knowledge
version is part of every key, and nothing is kept when the cache size is 0.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from plexnav.case import Assessment, Case


def case_key(case: Case) -> str:
    return json.dumps(case.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"))


class CachedAssessor:
    def __init__(self, size: int = 1024):
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[Assessment, bytes]] = OrderedDict()
        self._raw: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
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

    def _run(self, case: Case) -> tuple[Assessment, bytes]:
        from plexnav.engine.assess import assess
        from plexnav.modelcache import load_model
        result = assess(case, load_model())
        return result, result.to_json().encode()  # the JSON `plexnav assess --json` prints

    def cached_body(self, body: bytes) -> bytes | None:
        """The answer for byte-identical request bodies seen recently, without even parsing."""
        if self.size <= 0:
            return None
        key = (self._knowledge_version(), hashlib.blake2b(body, digest_size=20).digest())
        with self._lock:
            found = self._raw.get(key)
            if found is not None:
                self._raw.move_to_end(key)
                self.hits += 1
        return found

    def remember_body(self, body: bytes, payload: bytes) -> None:
        if self.size <= 0:
            return
        key = (self._knowledge_version(), hashlib.blake2b(body, digest_size=20).digest())
        with self._lock:
            self._raw[key] = payload
            while len(self._raw) > self.size:
                self._raw.popitem(last=False)

    def assess_with_json(self, case: Case) -> tuple[Assessment, bytes]:
        if self.size <= 0:
            return self._run(case)
        key = (self._knowledge_version(), case_key(case))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        self.misses += 1
        found = self._run(case)
        with self._lock:
            self._entries[key] = found
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def __call__(self, case: Case) -> Assessment:
        # A copy: callers (and the store) must never share one mutable model object.
        return self.assess_with_json(case)[0].model_copy(deep=True)
