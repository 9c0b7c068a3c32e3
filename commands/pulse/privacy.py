"""Minimum group size and the differencing rule: which groups may be shown.

The rule (applied to every output: chat, summaries, results, CSV export, CLI):

1. A group (a team with all its sub-teams, or ROOT: the whole round) is shown only when at
   least ``k`` people are in it (k = 5 by default, never below 3; 10 for free text).
2. Differencing: the groups shown form a tree (a laminar family). Anyone who sees several of
   them can subtract: parent minus the children shown. For every shown group X we compute
   its *cell*: the people in X who are in none of X's shown sub-groups. Every cell must hold
   0 or at least ``k`` people. Each set a reader can derive by adding and subtracting shown
   groups is a union of cells, so it is either empty or holds at least ``k`` people.
3. When a cell is too small (1 .. k-1) we hide the smallest shown sub-group directly under X
   (its people join X's cell) and check again; we go bottom-up so a hidden group is never
   needed again lower down. Hiding a sub-group, not X, keeps the bigger, less identifying
   aggregate.

The decision is global per round and question (the same for every reader), so two managers
who compare notes learn nothing a single reader could not.
"""

from __future__ import annotations

from collections.abc import Mapping

K_FLOOR = 3


def subtree_counts(parents: Mapping[str, str | None], atoms: Mapping[str, int]) -> dict[str, int]:
    """People per group: a node's own atom plus everything below it. Atoms of unknown nodes
    count at the root (the node whose parent is None)."""
    root = next(node for node, parent in parents.items() if parent is None)
    totals = dict.fromkeys(parents, 0)
    for node, count in atoms.items():
        current: str | None = node if node in parents else root
        while current is not None:
            totals[current] += count
            current = parents[current]
    return totals


def _depth(parents: Mapping[str, str | None], node: str) -> int:
    depth = 0
    current = parents[node]
    while current is not None:
        depth += 1
        current = parents[current]
    return depth


def top_shown_below(parents: Mapping[str, str | None], shown: set[str], node: str) -> list[str]:
    """The shown groups below ``node`` with no shown group in between."""
    found = []
    for other in shown:
        if other == node:
            continue
        current = parents[other]
        while current is not None and current != node and current not in shown:
            current = parents[current]
        if current == node:
            found.append(other)
    return found


def shown_groups(parents: Mapping[str, str | None], atoms: Mapping[str, int], k: int) -> set[str]:
    """The groups that may be shown (see the module docstring)."""
    if k < K_FLOOR:
        raise ValueError(f"k must be at least {K_FLOOR}")
    totals = subtree_counts(parents, atoms)
    shown = {node for node, n in totals.items() if n >= k}
    for node in sorted(parents, key=lambda n: (-_depth(parents, n), n)):
        if node not in shown:
            continue
        while True:
            below = top_shown_below(parents, shown, node)
            cell = totals[node] - sum(totals[b] for b in below)
            if cell == 0 or cell >= k:
                break
            shown.remove(min(below, key=lambda b: (totals[b], b)))
    return shown
