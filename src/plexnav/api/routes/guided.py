"""``POST /api/v1/next``: a partial case in, the next examination question(s) out; stateless.

The body is a case, validated exactly as ``POST /api/v1/assess`` does (422 with every
problem located by JSON path); the phase, target confidence, skipped findings and how many
questions to return are query parameters.  Nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from plexnav.api.routes.assess import CASE_BODY
from plexnav.engine.guided import guided_step
from plexnav.server.errors import ERROR_RESPONSES, ApiError
from plexnav.validation import CaseError, parse_case

StopReason = Literal["target_reached", "no_change", "nothing_left"]
STOP_REASONS: tuple[StopReason, ...] = ("target_reached", "no_change", "nothing_left")

router = APIRouter(prefix="/api/v1", tags=["assess"], responses=ERROR_RESPONSES)
DISCLAIMER = (
    "plexnav supports clinical judgement; it never replaces it. The next question is the finding "
    "that best separates the likely sites for its cost, not an instruction."
)


class Answer(BaseModel):
    key: str = Field(description="the key a keyboard answer uses ('0'-'5', 'n', 'r', 'a', 'b', ...)")
    words: str


class NextQuestion(BaseModel):
    finding: str = Field(description="finding key, e.g. 'needle_emg:tibialis_posterior:right'")
    prompt: str = Field(description="the question in clinical words")
    answers: list[Answer]
    expected_information_gain: float = Field(description="expected entropy drop of the site ranking, nats")
    cost: float = Field(description="relative cost of the item (examination_costs.yaml; one strength grade = 1)")
    gain_per_cost: float
    leader_change: float = Field(description="chance that the answer changes the leading site")


class RankedSite(BaseModel):
    site: str
    side: str
    levels: list[str] | None = None
    probability: float
    hypothesis: str
    label: str


class NextResponse(BaseModel):
    phase: Literal["bedside", "edx"]
    target: float
    questions: list[NextQuestion]
    ranking: list[RankedSite]
    stop: bool
    stop_reason: StopReason | None
    stop_text: str
    expected_further_items: int = Field(description="rough number of further items to reach the target")
    open_items: int = Field(description="findings of the phase not yet answered or skipped")
    disclaimer: str


@router.post(
    "/next",
    response_model=NextResponse,
    summary="Next examination question(s) for a partial case",
    openapi_extra=CASE_BODY,
)
async def next_question(
    request: Request,
    phase: Annotated[
        Literal["bedside", "edx"],
        Query(description="bedside: strength, reflexes, sensation, signs; edx: conduction studies and needle EMG"),
    ] = "bedside",
    target: Annotated[float, Query(ge=0.5, lt=1.0, description="stop when the leading site reaches this")] = 0.9,
    skip: Annotated[list[str], Query(description="finding keys the examiner chose not to answer")] = [],  # noqa: B006
    count: Annotated[int, Query(ge=1, le=20, description="how many questions to return")] = 3,
) -> NextResponse:
    """The question(s) with the best expected information gain per cost in the phase, their
    gain and cost, the current ranking, whether to stop and why, and about how many items
    remain.  An invalid case gets 422 with every problem located by JSON path."""
    from plexnav.modelcache import load_model  # the model the server warmed at start-up

    case, _ = parse_case(await request.body())
    model = load_model()
    unknown = [k for k in skip if k not in model.finding_index]
    if unknown:
        raise ApiError(
            422,
            [
                CaseError("query.skip", f"{k!r} is not a finding key (e.g. 'strength:hip_flexion:left')")
                for k in unknown
            ],
        )
    step = guided_step(case, phase, target=target, skipped=skip, model=model, n=count)
    return NextResponse(
        phase=phase,  # the phase asked for, which guided_step answers in
        target=step.target,
        questions=[
            NextQuestion(
                finding=q.finding,
                prompt=q.prompt,
                answers=[Answer(key=k, words=w) for k, w in q.answers],
                expected_information_gain=q.expected_information_gain,
                cost=q.cost,
                gain_per_cost=q.gain_per_cost,
                leader_change=q.leader_change,
            )
            for q in step.questions
        ],
        ranking=[
            RankedSite(
                site=r.site,
                side=r.side,
                levels=list(r.levels) if r.levels else None,
                probability=r.probability,
                hypothesis=r.hypothesis,
                label=r.label,
            )
            for r in step.ranking
        ],
        stop=step.stop,
        stop_reason=_stop_reason(step.stop_reason),
        stop_text=step.stop_text,
        expected_further_items=step.expected_further_items,
        open_items=step.open_items,
        disclaimer=DISCLAIMER,
    )


def _stop_reason(reason: str | None) -> StopReason | None:
    """The engine's stop reason (a plain string there) as the response's closed vocabulary."""
    if reason is None:
        return None
    for known in STOP_REASONS:
        if reason == known:
            return known
    raise ValueError(f"guided_step gave an unknown stop reason {reason!r}")
