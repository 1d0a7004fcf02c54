"""Triage: how urgently the person should be seen (case-format section 5, applied exactly).

Why data-driven: the policy is a contract, so its rules live in ``triage_rules.yaml`` next
to their plain-words texts and sources, and this module only applies them: the first
level (emergency, urgent, soon, routine) with any rule that fires wins, and every rule
that fired at that level is reported.

Interpretations of the policy's wording (see also ``definitions.yaml``):

* "numbness or reduced/absent sensation in saddle" counts a *numbness* symptom with
  region ``saddle`` and an examination finding ``reduced``/``absent`` there.  A tingling
  symptom alone does not fire the rule: tingling is a different symptom kind and the
  policy is applied literally.  Every plain summary still tells the person to seek help at
  once for new saddle numbness or tingling, so the safety message is not lost.
* A pain with no region counts as "leg, buttock or pelvic pain" (it is not lower-back
  pain) but not as "back pain".
* "Weakness of knee_extension/hip_flexion" (bleeding rule) is an examined grade below 5.
"""

from __future__ import annotations

from plexnav.case import Case, Triage
from plexnav.engine.facts import Facts, base_facts, holds, with_derived
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

ROUTINE_RULE = "routine.otherwise"


def case_facts(case: Case, knowledge: GuidanceKnowledge) -> Facts:
    """The case's plain facts plus the shared derived ones."""
    return with_derived(base_facts(case), knowledge.derived)


def assess_triage(case: Case, knowledge: GuidanceKnowledge | None = None, facts: Facts | None = None) -> Triage:
    """Apply the triage policy; pure and deterministic.  ``facts``: the case's facts if the
    caller already has them (they are computed once per assessment)."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = facts or case_facts(case, knowledge)
    for level in knowledge.triage:
        fired = [rule for rule in level["rules"] if holds(rule["when"], facts)]
        if fired:
            return Triage(level=level["level"], reasons=[r["text"] for r in fired], rules=[r["id"] for r in fired])
    last = knowledge.triage[-1]
    return Triage(level=last["level"], reasons=[last["default_text"]], rules=[ROUTINE_RULE])
