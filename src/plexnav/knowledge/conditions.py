"""The condition language of the guidance data files, checked when the data loads.

Why here: a misspelt feature in a YAML rule would otherwise never fire, silently.  The
grammar (see :mod:`plexnav.engine.facts`, which evaluates it) is part of the knowledge
format, so the knowledge loader checks it without importing the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from plexnav import vocabulary as V

COMPARATORS = ("lt", "le", "ge", "gt")


def _alt(items: Iterable[str]) -> str:
    return "|".join(re.escape(i) for i in items)


_ANY = ("any",)
_FEATURE_PATTERNS = [
    rf"factor:({_alt(V.HISTORY_FACTORS)})",
    rf"onset:({_alt(V.ONSETS)})",
    rf"course:({_alt(V.COURSES)})",
    rf"sex:({_alt(V.SEXES)})",
    r"symptoms_given|exam_given|exam:normal|edx_given|emg_given",
    rf"symptom:({_alt(V.SYMPTOM_KINDS)})(:({_alt(V.SKIN_REGIONS)}|bilateral|onset_sudden_severe))?",
    r"symptom:pain:not_lower_back",
    rf"symptom:({_alt(V.SYMPTOM_KINDS)}):provoked_by:({_alt(V.PROVOKED_BY)})",
    rf"symptom:({_alt(V.SYMPTOM_KINDS)}):relieved_by:({_alt(V.RELIEVED_BY)})",
    r"symptom:(numbness|tingling):leg_region|symptom:(pain|numbness|tingling):not_perineal",
    r"symptom:weakness:not_refuted_by_exam",
    rf"sensation:leg_region:({_alt(V.SENSORY_FINDINGS)})",
    rf"strength:limited_by(:({_alt(V.LIMITED_BY)}))?",
    rf"pain_quality:({_alt(V.PAIN_QUALITIES)})",
    rf"activity:({_alt(V.WEAKNESS_ACTIVITIES)})",
    rf"single_region:({_alt(V.SKIN_REGIONS)})",
    rf"reflex:({_alt(V.REFLEXES + _ANY)}):({_alt(V.REFLEX_GRADES + V.PLANTAR_GRADES)})",
    rf"sensation:({_alt(V.SKIN_REGIONS + _ANY)}):({_alt(V.SENSORY_FINDINGS)})",
    rf"sign:({_alt(V.SIGNS)})(:({_alt(V.MUSCLE_REGIONS)}|negative))?",
    rf"ncs:({_alt(V.NCS_STUDIES + _ANY)}):({_alt(V.NCS_RESULTS)})",
    rf"emg:({_alt(V.EMG_MUSCLES + _ANY)}):({_alt(V.EMG_RESULTS)})",
    rf"test:({_alt(V.LAB_TESTS + V.IMAGING_TESTS)})",
    rf"imaging:({_alt(V.IMAGING_TESTS + _ANY)}):({_alt(V.IMAGING_FINDINGS)})",
    # a finding the report places on a structure (revision 1.1 `site`), by the structure's kind
    rf"imaging_on:(root|plexus|nerve|cauda_equina|conus_medullaris|spinal_cord):({_alt(V.IMAGING_FINDINGS)})",
    # a finding every report of which lies on a side the case records nothing wrong with
    # (engine/facts.py offside_only), and the per-entry pieces it is made of
    rf"imaging_offside_only:({_alt(V.IMAGING_FINDINGS)})",
    # a finding at a vertebral level where the conus lies (engine/facts.py CONUS_LEVELS)
    rf"imaging_level:conus:({_alt(V.IMAGING_FINDINGS)})",
    # the roots a disc or a narrowing can press, by its level and position (engine/facts.py
    # roots_reached), or none named at all
    rf"scan_reaches:root:({_alt(V.ROOT_LEVELS)})|scan_reaches:unlevelled",
    rf"imaging_side:(left|right|none):({_alt(V.IMAGING_FINDINGS)})|side_affected:(left|right)",
    # a mass at a level a disc or a narrowing shares (engine/facts.py mass_at_structural_level),
    # and the per-entry pieces it is made of
    r"imaging_mass_at_structural_level",
    r"imaging_segment:(mass|structural):(T([1-9]|1[0-2])|L[1-5]|S[1-5])",
]
# Context the engines add after the case's own facts (triage, localization, causes): rules
# may read it, a derived definition may not (definitions are worked out from the case alone,
# before any of it exists, so such a definition would silently never hold)
_CONTEXT_FEATURE_PATTERNS = [
    rf"triage:({_alt(V.TRIAGE_LEVELS)})",
    r"triage_rule:[a-z_]+\.[a-z_0-9]+",
    rf"site_top:({_alt(V.SITES)})",
    rf"cause_top:({_alt(V.CAUSES)})",
    # context from the localization's shape (engine/workup.py context_facts)
    r"localized|group_top3?:[a-z_]+|region_top:[a-z_]+|hypothesis(_top)?:[a-z_0-9]+",
    rf"site_top3:({_alt(V.SITES)})",
    rf"background:({_alt(V.SITES)})",
    # the spine was scanned and no disc or narrowing on the lesion's side presses one of the
    # leading roots head-on (engine/workup.py _scan_misses); a scan shows an abscess, a deposit,
    # a lump, a bleed or a fracture reaching one of them (_scan_lesion_on)
    r"scan_misses_top",
    r"scan_lesion_on_top",
    # no nerve lesion leads, read as one named look-alike (localize.leading_look_alike)
    r"lookalike_named",
]
_VALUE_PATTERNS = [
    r"duration_days|age|(recorded_)?min_mrc",
    r"(recorded_)?min_mrc:(left|right)",
    rf"(recorded_)?min_mrc:({_alt(V.MOVEMENTS)})",
    rf"max_severity:({_alt(V.SYMPTOM_KINDS)})",
    rf"lab:({_alt(V.LAB_TESTS)})",
]
_CONTEXT_VALUE_PATTERNS = [
    rf"site_p:({_alt(V.SITES)})",
    r"group_p:[a-z_]+",
    rf"cause_p:({_alt(V.CAUSES)})",
    r"cause_top_p",
    r"site_top_p|region_p:[a-z_]+",
    r"lookalike_p:[a-z_]+",
    rf"background_p:({_alt(V.SITES)})",
]


@cache
def _patterns(context: bool = True) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The feature and value grammars (``context``: with the engines' context), compiled on
    first use (tens of milliseconds, which a process that reads the knowledge from the engine
    snapshot never spends)."""
    features = [*_FEATURE_PATTERNS, *(_CONTEXT_FEATURE_PATTERNS if context else ())]
    values = [*_VALUE_PATTERNS, *(_CONTEXT_VALUE_PATTERNS if context else ())]
    return (
        re.compile("^(" + "|".join(f"(?:{p})" for p in features) + ")$"),
        re.compile("^(" + "|".join(f"(?:{p})" for p in values) + ")$"),
    )


def condition_problems(
    condition: object, derived: Iterable[str] = (), where: str = "", context: bool = True
) -> list[str]:
    """Typos in a data-file condition, so a misspelt rule fails loudly instead of never firing;
    ``context=False`` (a derived definition) also refuses the engines' context features."""
    derived = set(derived)
    feature_re, value_re = _patterns(context)
    if isinstance(condition, str):
        if condition in derived or feature_re.match(condition):
            return []
        return [f"{where}: unknown feature {condition!r}"]
    if not isinstance(condition, Mapping):
        return [f"{where}: a condition must be a string or a mapping, not {condition!r}"]
    for key in ("all", "any", "none"):
        if key in condition:
            if set(condition) != {key} or not isinstance(condition[key], list):
                return [f"{where}: '{key}' takes a list and nothing beside it"]
            return [p for c in condition[key] for p in condition_problems(c, derived, where, context)]
    if "value" not in condition:
        return [f"{where}: a comparison needs 'value' ({condition!r})"]
    problems = []
    if not value_re.match(str(condition["value"])):
        problems.append(f"{where}: unknown value {condition['value']!r}")
    extra = set(condition) - {"value", "unknown", *COMPARATORS}
    if extra or not set(condition) & set(COMPARATORS):
        problems.append(f"{where}: a comparison needs one of lt/le/ge/gt and nothing else ({condition!r})")
    return problems
