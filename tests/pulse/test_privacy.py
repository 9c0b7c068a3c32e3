"""The minimum group size and the differencing rule, on hand-made and random team trees."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.org.tree import ROOT
from commands.pulse.privacy import shown_groups, subtree_counts


def descendants(parents: dict[str, str | None], node: str) -> set[str]:
    found = set()
    for other in parents:
        current = parents[other]
        while current is not None:
            if current == node:
                found.add(other)
                break
            current = parents[current]
    return found


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[str, str | None], dict[str, int], int]:
    size = draw(st.integers(min_value=1, max_value=9))
    parents: dict[str, str | None] = {ROOT: None}
    for i in range(size):
        parents[f"t{i}"] = draw(st.sampled_from(sorted(parents)))
    atoms = {node: draw(st.integers(min_value=0, max_value=12)) for node in parents}
    k = draw(st.integers(min_value=3, max_value=7))
    return parents, atoms, k


def derivable_sets_ok(parents: dict[str, str | None], totals: dict[str, int], shown: set[str],
                      k: int) -> None:
    """Any shown group minus any set of disjoint shown groups below it: 0 or >= k people."""
    for top in shown:
        below = sorted(descendants(parents, top) & shown)
        for size in range(1, min(len(below), 4) + 1):
            for picked in combinations(below, size):
                if any(a in descendants(parents, b) or b in descendants(parents, a)
                       for a, b in combinations(picked, 2)):
                    continue  # not disjoint
                rest = totals[top] - sum(totals[p] for p in picked)
                assert rest == 0 or rest >= k, (top, picked, rest)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_shown_group_and_no_difference_is_below_k(case: tuple[dict[str, str | None],
                                                                 dict[str, int], int]) -> None:
    parents, atoms, k = case
    totals = subtree_counts(parents, atoms)
    shown = shown_groups(parents, atoms, k)
    assert all(totals[node] >= k for node in shown)
    derivable_sets_ok(parents, totals, shown, k)


@settings(max_examples=200, deadline=None)
@given(trees())
def test_nothing_is_hidden_when_every_group_is_big_enough(
        case: tuple[dict[str, str | None], dict[str, int], int]) -> None:
    parents, atoms, k = case
    atoms = {node: (0 if n == 0 else n + k) for node, n in atoms.items()}
    totals = subtree_counts(parents, atoms)
    # Every cell is 0 or >= k: no suppression is needed beyond the size rule.
    assert shown_groups(parents, atoms, k) == {n for n, total in totals.items() if total >= k}


def test_parent_minus_child_below_k_hides_the_child() -> None:
    # zorg has 7 respondents: 2 in zorg-noord and 5 directly in zorg. Showing zorg-noord would
    # be below k anyway; with 6 in noord and 1 directly in zorg, zorg - noord = 1 person.
    parents: dict[str, str | None] = {ROOT: None, "zorg": ROOT, "noord": "zorg"}
    shown = shown_groups(parents, {"zorg": 1, "noord": 6}, 5)
    assert "zorg" in shown and "noord" not in shown
    assert ROOT in shown  # ROOT == zorg here: the difference is 0


def test_siblings_and_root() -> None:
    parents: dict[str, str | None] = {ROOT: None, "a": ROOT, "b": ROOT}
    # a = 5, b = 2: b is hidden; ROOT - a = 2 would reveal b, so a is hidden too.
    shown = shown_groups(parents, {"a": 5, "b": 2}, 5)
    assert shown == {ROOT}


def test_k_below_three_is_refused() -> None:
    with pytest.raises(ValueError):
        shown_groups({ROOT: None}, {ROOT: 10}, 2)
