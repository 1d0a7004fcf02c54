"""The emergency screen: what to do now when the triage says "emergency".

Why a module of its own: the questionnaire shows this screen the moment an answer makes
the engine's triage an emergency (not three steps later), and the result page shows the
same words, so both read them from one data file (``web/data/emergency_screen.yaml``).
Which answers are red flags stays the engine's decision (``triage_rules.yaml``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from plexnav.case import Triage

DATA_FILE = "emergency_screen.yaml"


@lru_cache(maxsize=1)
def screen_words() -> dict:
    text = resources.files("plexnav.web").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def tell_them(rule_ids: list[str]) -> str:
    """One sentence for the call-taker, e.g. 'I may have cauda equina syndrome: new numbness
    between my legs and new trouble controlling my bladder or bowels, ...'."""
    words = screen_words()
    entries = [words["rules"][r] for r in rule_ids if r in words["rules"]]
    if not entries:
        return ""
    says = list(dict.fromkeys(e["say"] for e in entries))
    suspects = list(dict.fromkeys(e["suspect"] for e in entries if e.get("suspect")))
    say = says[0] if len(says) == 1 else ", ".join(says[:-1]) + " and " + says[-1]
    if suspects:
        return words["tell_intro"].format(suspect=" or ".join(suspects), say=say)
    return words["tell_intro_unnamed"].format(say=say)


def steps(number: str) -> list[str]:
    """What to do now, with the configured emergency number."""
    return [s.format(number=number) for s in screen_words()["steps"]]


def emergency_view(triage: Triage, number: str) -> dict | None:
    """What the emergency screen shows for this triage, or None when it is not an emergency:
    the policy's level, or an emergency alert beyond the policy (compartment syndrome...)."""
    alerts = [a for a in triage.alerts if a.level == "emergency"]
    if triage.level != "emergency" and not alerts:
        return None
    rules = [a.id for a in alerts] + (list(triage.rules) if triage.level == "emergency" else [])
    reasons = [a.text for a in alerts] + (list(triage.reasons) if triage.level == "emergency" else [])
    return {
        "number": number,
        "tel": f"tel:{number}",
        "steps": steps(number),
        "tell_them": tell_them(rules),
        "reasons": reasons,
        "rules": rules,
    }
