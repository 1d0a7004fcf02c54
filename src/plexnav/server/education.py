"""Education topics as the API returns them and the pages show them: one lookup, one 404."""

from __future__ import annotations

import difflib

from pydantic import BaseModel

from plexnav.cli.learn import normalise, topic_payload, topics
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.server.errors import ApiError
from plexnav.validation import CaseError


class FaqItem(BaseModel):
    q: str
    a: str


class Topic(BaseModel):
    id: str
    title: str
    paragraphs: list[str]
    faq: list[FaqItem]
    sources: list[str]


def find_topic(topic: str) -> Topic:
    """The lesson named ``topic``, or ApiError 404 naming the topics and the closest one."""
    knowledge = load_guidance_knowledge()
    available = topics(knowledge)
    key = normalise(topic)
    if key not in available:
        close = difflib.get_close_matches(key, list(available), n=1, cutoff=0.5)
        raise ApiError(
            404, [CaseError("topic", f"{topic!r} is not a topic", list(available), close[0] if close else None)]
        )
    return Topic.model_validate(topic_payload(available[key], knowledge))
