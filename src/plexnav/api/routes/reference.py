"""Read-only reference routes: JSON Schemas, knowledge-base look-ups, education topics."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel

from plexnav.case import Assessment, Case
from plexnav.cli.learn import topics
from plexnav.knowledge import query
from plexnav.knowledge.base import load_knowledge
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.server.education import Topic, find_topic
from plexnav.server.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

KbKind = query.Kind


class TopicSummary(BaseModel):
    id: str
    title: str


class Health(BaseModel):
    status: Literal["ok"]
    knowledge_version: str
    database: str


@router.get("/schema/{which}", tags=["reference"], summary="JSON Schema of the case or the assessment")
def json_schema(which: Literal["case", "assessment"]) -> dict[str, Any]:
    models: dict[str, type[BaseModel]] = {"case": Case, "assessment": Assessment}
    return models[which].model_json_schema()


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
    return find_topic(topic)
