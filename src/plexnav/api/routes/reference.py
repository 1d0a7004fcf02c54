"""Read-only reference routes: JSON Schemas, knowledge-base look-ups, education topics."""

from __future__ import annotations

import difflib
from typing import Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel

from plexnav.api.errors import ERROR_RESPONSES, ApiError
from plexnav.case import Assessment, Case
from plexnav.cli.learn import normalise, topic_payload, topics
from plexnav.knowledge import query
from plexnav.knowledge.base import load_knowledge
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import CaseError

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

KbKind = Literal[query.KINDS]


class TopicSummary(BaseModel):
    id: str
    title: str


class FaqItem(BaseModel):
    q: str
    a: str


class Topic(BaseModel):
    id: str
    title: str
    paragraphs: list[str]
    faq: list[FaqItem]
    sources: list[str]


class Health(BaseModel):
    status: Literal["ok"]
    knowledge_version: str
    database: str


@router.get("/schema/{which}", tags=["reference"], summary="JSON Schema of the case or the assessment")
def json_schema(which: Literal["case", "assessment"]) -> dict[str, Any]:
    return {"case": Case, "assessment": Assessment}[which].model_json_schema()


@router.get("/kb/lesion/{site}", tags=["knowledge"], summary="What a lesion at SITE produces")
def kb_lesion(site: str = Path(max_length=80, examples=["nerve:common_peroneal"])) -> list[dict[str, Any]]:
    """Per lesion point: weak movements, reduced reflexes, numb regions, abnormal studies and
    denervated muscles, each with its predicted involvement (0-1)."""
    kb = load_knowledge()
    return query.lesion_effects(kb, kb.hypotheses, site)


@router.get("/kb/{kind}/{item}", tags=["knowledge"], summary="What a structure is made of")
def kb_describe(kind: KbKind, item: str = Path(max_length=80, examples=["tibialis_posterior"])) -> dict[str, Any]:
    """Nerve supply, roots and sources of a muscle, nerve, root, reflex, region, study or movement."""
    return query.describe(load_knowledge(), kind, item)


@router.get("/learn", tags=["education"], summary="Education topics")
def learn_topics() -> list[TopicSummary]:
    return [TopicSummary(id=t["id"], title=t["title"]) for t in topics(load_guidance_knowledge()).values()]


@router.get("/learn/{topic}", tags=["education"], summary="One plain-language lesson")
def learn_topic(topic: str = Path(max_length=80)) -> Topic:
    knowledge = load_guidance_knowledge()
    available = topics(knowledge)
    key = normalise(topic)
    if key not in available:
        close = difflib.get_close_matches(key, list(available), n=1, cutoff=0.5)
        raise ApiError(404, [CaseError("topic", f"{topic!r} is not a topic", list(available),
                                       close[0] if close else None)])
    return Topic.model_validate(topic_payload(available[key], knowledge))
