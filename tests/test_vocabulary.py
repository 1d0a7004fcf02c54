"""The vocabularies are written once, as Literal types, and their tuples are read from them:
these tests keep the two spellings one list and catch a slip the typing cannot."""

from __future__ import annotations

from typing import get_args

import pytest

from plexnav import vocabulary as V

TUPLES = sorted(name for name, value in vars(V).items() if name.isupper() and isinstance(value, tuple))


def test_every_vocabulary_tuple_is_read_from_a_literal():
    literal_args = {get_args(value) for value in vars(V).values() if get_args(value)}
    assert [name for name in TUPLES if getattr(V, name) not in literal_args] == []


@pytest.mark.parametrize("name", TUPLES)
def test_ids_are_unique_and_have_no_spaces(name):
    ids = getattr(V, name)
    assert len(set(ids)) == len(ids), f"{name} repeats an id"
    assert all(isinstance(i, str) and i and " " not in i for i in ids)


def test_root_sites_follow_the_root_levels():
    assert V.ROOT_SITES == tuple(f"root:{level}" for level in V.ROOT_LEVELS)


def test_sites_hold_every_root_plexus_and_nerve_site():
    assert set(V.ROOT_SITES) | set(V.PLEXUS_SITES) | set(V.NERVE_SITES) <= set(V.SITES)


def test_format_names_match_their_types():
    assert (V.CASE_FORMAT,) == get_args(V.CaseFormat)
    assert (V.ASSESSMENT_FORMAT,) == get_args(V.AssessmentFormat)
