"""Triage: how urgently the person should be seen (case-format section 5, applied exactly).

Why data-driven: the policy is a contract, so its rules live in ``triage_rules.yaml`` next
to their plain-words texts and sources, and this module only applies them: the first
level (emergency, urgent, soon, routine) with any rule that fires wins, and every rule
that fired at that level is reported.

Interpretations of the policy's wording (see also ``definitions.yaml``):

* Saddle (revision 1.1): a numbness or tingling symptom in ``saddle`` or an examination
  finding ``reduced``/``absent`` there, on any side or none.  Genital: the same findings in
  ``genital``, with a pain, numbness or tingling symptom outside ``genital`` and ``saddle``
  (one with no region counts, as it is not recorded in the perineum) or a weakness,
  gait-difficulty or falls symptom.
* A pain with no region counts as "leg, buttock or pelvic pain" (it is not lower-back
  pain) but not as "back pain".  Numbness or tingling "in a leg region" needs a region.
* "Weakness of knee_extension/hip_flexion" (bleeding rule) is an examined grade below 5.
* ``limited_by`` (1.1): the facts carry two grades per movement, ``min_mrc*`` (a grade
  marked limited_by counts as 5) for every strength clause, and ``recorded_min_mrc*`` (the
  grade as written) for the bleeding, trauma and metastatic-compression clauses only.
* Progressive weakness (1.1): a weakness symptom "does not count when every movement
  examined on its side is graded 5" only when at least one movement was examined there; a
  symptom with no side or ``bilateral`` is checked against the movements examined on either
  side.  The suppression belongs to the urgent clause; the symptom still makes it ``soon``.
* "new" and "recent" describe the problem as the history records it (one onset, course and
  duration per case): ``new_problem`` and ``recent_problem`` in ``definitions.yaml``.
* "Symptoms have lasted more than 42 days": ``duration_days`` above 42, or onset
  ``chronic`` (months or more) when no duration is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plexnav import vocabulary as V
from plexnav.case import Case, Triage, TriageAlert
from plexnav.engine.facts import Facts, base_facts, holds_each, with_derived
from plexnav.engine.records import builder
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

ROUTINE_RULE = "routine.otherwise"
_TRIAGE = builder(Triage)


def case_facts(case: Case, knowledge: GuidanceKnowledge) -> Facts:
    """The case's plain facts plus the shared derived ones."""
    return with_derived(base_facts(case), knowledge.derived)


def assess_triage(case: Case, knowledge: GuidanceKnowledge | None = None, facts: Facts | None = None) -> Triage:
    """Apply the triage policy; pure and deterministic.  ``facts``: the case's facts if the
    caller already has them (they are computed once per assessment)."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = facts or case_facts(case, knowledge)
    for level in knowledge.triage:
        fired = [
            rule for rule, fires in zip(level["rules"], holds_each(level["rules"], facts, "when"), strict=True) if fires
        ]
        if fired:
            name, reasons, rules = level["level"], [r["text"] for r in fired], [r["id"] for r in fired]
            break
    else:
        last = knowledge.triage[-1]
        name, reasons, rules = last["level"], [last["default_text"]], [ROUTINE_RULE]
    return _TRIAGE({"level": name, "reasons": reasons, "rules": rules, "alerts": _alerts(name, facts, knowledge)})


def _holding(facts: Facts, knowledge: GuidanceKnowledge) -> list[Mapping[str, Any]]:
    """The alerts beyond the policy (triage_rules.yaml) whose condition holds."""
    alerts = knowledge.alerts
    return [a for a, fires in zip(alerts, holds_each(alerts, facts, "when"), strict=True) if fires]


def holding_alerts(facts: Facts, knowledge: GuidanceKnowledge) -> list[str]:
    """The ids of every alert whose condition holds, whatever the policy's level: the work-up
    and the options follow an alert's picture (a blocked leg artery: the vascular team now)
    even when the policy is already at the alert's level and the alert is not shown."""
    return [a["id"] for a in _holding(facts, knowledge)]


def _alerts(level: str, facts: Facts, knowledge: GuidanceKnowledge) -> list[TriageAlert]:
    """The alerts that hold and are more urgent than the level the policy set."""
    rank = V.TRIAGE_LEVELS.index
    return [
        TriageAlert(id=a["id"], level=a["level"], text=a["text"], why=a["why"])
        for a in _holding(facts, knowledge)
        if rank(a["level"]) < rank(level)
    ]
