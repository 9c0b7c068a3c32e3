"""Forming the groups of one round: a pure function, deterministic given a seed.

A group is two people, or three where one person would be left over. The programme's rule
says which pairs fit: ``any``, ``departments`` (across departments), ``location`` (same
location, a hard rule: an ommetje needs one place) or ``locations`` (across locations).
Pairs that met within the repeat window count as repeats; a pair is *good* when it follows
the rule and is not a repeat.

The algorithm is a greedy pass (most constrained buckets first, random partner probing)
followed by a 2-swap repair: a bad pair (u, v) is exchanged with a pair (a, b) when (u, a)
and (v, b) (or (u, b) and (v, a)) are both better. When every person fits with at least
half of the others, such a swap always exists (the counting argument behind Dirac's
theorem), so the repair then ends with no bad pair at all. Small groups of people
(``EXACT_LIMIT``) are solved exactly, so "no avoidable repeat" holds there unconditionally.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Rule = Literal["any", "departments", "location", "locations"]
RULES: tuple[str, ...] = ("any", "departments", "location", "locations")
EXACT_LIMIT = 10  # brute force up to this many people in one bucket (945 pairings at 10)
PROBES = 24  # random partner probes before a full scan
Pair = frozenset[str]


@dataclass(frozen=True, slots=True)
class Participant:
    key: str  # platform:id
    department: str = ""
    location: str = ""


@dataclass(frozen=True)
class Matching:
    groups: tuple[tuple[str, ...], ...]
    unmatched: tuple[str, ...] = ()  # nobody fits them this round (alone at their location)


@dataclass
class _Problem:
    people: dict[str, Participant]
    history: set[Pair]
    rule: str
    _cost: dict[Pair, int] = field(default_factory=dict)

    def rule_ok(self, a: str, b: str) -> bool:
        pa, pb = self.people[a], self.people[b]
        if self.rule == "departments":
            return pa.department != pb.department
        if self.rule == "locations":
            return pa.location != pb.location
        if self.rule == "location":
            return pa.location == pb.location
        return True

    def cost(self, a: str, b: str) -> int:
        """0 for a good pair, 1 for a repeat, 2 for a rule violation, 3 for both."""
        pair = frozenset((a, b))
        found = self._cost.get(pair)
        if found is None:
            found = (0 if self.rule_ok(a, b) else 2) + (1 if pair in self.history else 0)
            self._cost[pair] = found
        return found

    def group_cost(self, group: Sequence[str]) -> int:
        if len(group) == 2:
            return self.cost(group[0], group[1])
        repeats = sum(1 for i, a in enumerate(group) for b in group[i + 1:]
                      if frozenset((a, b)) in self.history)
        return repeats + (0 if self.group_rule_ok(group) else 2)

    def group_rule_ok(self, group: Sequence[str]) -> bool:
        """A triple follows a cross rule when everyone meets someone unlike them."""
        return all(any(self.rule_ok(a, b) for b in group if b != a) for a in group)


def form_groups(people: Iterable[Participant], history: Iterable[Iterable[str]], rule: str,
                *, seed: int, size: int = 2) -> Matching:
    """Groups for this round. ``history``: the groups of the rounds in the repeat window.

    ``size`` 3 forms triples throughout (the remainder in pairs); 2 forms pairs with one
    triple where the count is odd."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    rng = random.Random(seed)
    roster = sorted({p.key: p for p in people}.values(), key=lambda p: p.key)
    problem = _Problem({p.key: p for p in roster}, _pairs(history), rule)
    if rule == "location":
        buckets: dict[str, list[str]] = defaultdict(list)
        for person in roster:
            buckets[person.location].append(person.key)
        groups: list[tuple[str, ...]] = []
        unmatched: list[str] = []
        for location in sorted(buckets):
            found, alone = _solve(problem, buckets[location], rng, size)
            groups += found
            unmatched += alone
        return Matching(tuple(groups), tuple(unmatched))
    groups, alone = _solve(problem, [p.key for p in roster], rng, size)
    return Matching(tuple(groups), tuple(alone))


def _pairs(history: Iterable[Iterable[str]]) -> set[Pair]:
    found: set[Pair] = set()
    for group in history:
        members = list(group)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                found.add(frozenset((a, b)))
    return found


def _solve(problem: _Problem, keys: list[str], rng: random.Random,
           size: int) -> tuple[list[tuple[str, ...]], list[str]]:
    if len(keys) < 2:
        return [], list(keys)
    if len(keys) <= EXACT_LIMIT:
        return _best_exact(problem, keys, rng, size), []
    pairs = _greedy(problem, keys, rng)
    leftover = pairs.pop() if pairs and len(pairs[-1]) == 1 else None
    _repair(problem, pairs)
    groups: list[tuple[str, ...]] = [tuple(p) for p in pairs]
    if leftover is not None:
        _join_best(problem, groups, leftover[0])
    if size == 3:
        groups = _triples(problem, groups)
    return groups, []


def _bucket_key(problem: _Problem, key: str) -> str:
    person = problem.people[key]
    if problem.rule == "departments":
        return person.department
    if problem.rule == "locations":
        return person.location
    return ""


def _greedy(problem: _Problem, keys: list[str], rng: random.Random) -> list[list[str]]:
    """Pairs from the largest bucket first (the most constrained people), each with a
    partner from the largest other bucket it fits with. A lone last person comes last."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        buckets[_bucket_key(problem, key)].append(key)
    for members in buckets.values():
        rng.shuffle(members)
    heap = [(-len(m), name) for name, m in buckets.items()]
    heapq.heapify(heap)
    pairs: list[list[str]] = []
    while heap:
        _, name = heapq.heappop(heap)
        members = buckets[name]
        u = members.pop()
        partner = _partner(problem, u, name, buckets, heap, rng)
        if members:
            heapq.heappush(heap, (-len(members), name))
        pairs.append([u] if partner is None else [u, partner])
    singles = [p for p in pairs if len(p) == 1]
    pairs = [p for p in pairs if len(p) == 2]
    while len(singles) >= 2:  # only when the rule cannot be met: pair them anyway
        pairs.append([singles.pop()[0], singles.pop()[0]])
    return pairs + singles


def _partner(problem: _Problem, u: str, own: str, buckets: dict[str, list[str]],
             heap: list[tuple[int, str]], rng: random.Random) -> str | None:
    """Take u's partner out of its bucket (and the heap entry in step)."""
    cross = problem.rule in ("departments", "locations")
    order = sorted(heap) if cross else [(0, own)]
    best: tuple[int, str, int] | None = None  # cost, bucket, index
    for _, name in order:
        members = buckets[name]
        if not members or (cross and name == own):
            continue
        index = _probe(problem, u, members, rng)
        cost = problem.cost(u, members[index])
        if best is None or cost < best[0]:
            best = (cost, name, index)
        if cost == 0:
            break
    if best is None:
        return None
    _, name, index = best
    members = buckets[name]
    members[index], members[-1] = members[-1], members[index]
    partner = members.pop()
    if cross:
        heap.remove(next(e for e in heap if e[1] == name))
        if members:
            heap.append((-len(members), name))
        heapq.heapify(heap)
    return partner


def _probe(problem: _Problem, u: str, members: list[str], rng: random.Random) -> int:
    """The index of a good partner for u in members: random probes, then a scan."""
    for _ in range(min(PROBES, len(members))):
        index = rng.randrange(len(members))
        if problem.cost(u, members[index]) == 0:
            return index
    best = 0
    for index, v in enumerate(members):
        cost = problem.cost(u, v)
        if cost == 0:
            return index
        if cost < problem.cost(u, members[best]):
            best = index
    return best


def _repair(problem: _Problem, pairs: list[list[str]]) -> None:
    """2-swaps until no bad pair can be improved."""
    bad = [i for i, p in enumerate(pairs) if problem.cost(p[0], p[1])]
    for i in bad:
        u, v = pairs[i]
        current = problem.cost(u, v)
        if not current:
            continue
        for j, (a, b) in enumerate(pairs):
            if j == i:
                continue
            before = current + problem.cost(a, b)
            if problem.cost(u, a) + problem.cost(v, b) < before:
                pairs[i], pairs[j] = [u, a], [v, b]
                break
            if problem.cost(u, b) + problem.cost(v, a) < before:
                pairs[i], pairs[j] = [u, b], [v, a]
                break


def _join_best(problem: _Problem, groups: list[tuple[str, ...]], w: str) -> None:
    best, best_cost = 0, None
    for index, group in enumerate(groups):
        cost = problem.group_cost((*group, w)) - problem.group_cost(group)
        if best_cost is None or cost < best_cost:
            best, best_cost = index, cost
            if cost == 0:
                break
    groups[best] = (*groups[best], w)


def _triples(problem: _Problem, groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Size 3: fold pairs into triples, each single person of a pair joining two others."""
    pairs = [g for g in groups if len(g) == 2]
    out: list[tuple[str, ...]] = [g for g in groups if len(g) == 3]
    while len(pairs) >= 3:
        three = [pairs.pop(), pairs.pop(), pairs.pop()]
        # Three pairs become two triples: one pair splits up; the cheapest of the six ways.
        options = []
        for split in range(3):
            c = three[split]
            a, b = (p for i, p in enumerate(three) if i != split)
            options += [[(*a, c[0]), (*b, c[1])], [(*a, c[1]), (*b, c[0])]]
        out += min(options, key=lambda o: sum(problem.group_cost(g) for g in o))
    out += pairs
    return out


def _best_exact(problem: _Problem, keys: list[str], rng: random.Random,
                size: int) -> list[tuple[str, ...]]:
    """Every partition into pairs (one triple when odd), the cheapest; ties by seed."""
    order = list(keys)
    rng.shuffle(order)
    best: list[tuple[str, ...]] = []
    best_cost: int | None = None
    for partition in _partitions(order):
        cost = sum(problem.group_cost(g) for g in partition)
        if best_cost is None or cost < best_cost:
            best, best_cost = partition, cost
            if cost == 0:
                break
    if size == 3:
        return _triples(problem, best)
    return best


def _partitions(keys: list[str]) -> Iterable[list[tuple[str, ...]]]:
    if not keys:
        yield []
        return
    if len(keys) == 3:
        yield [tuple(keys)]
        return
    first, rest = keys[0], keys[1:]
    for index, partner in enumerate(rest):
        remaining = rest[:index] + rest[index + 1:]
        for tail in _partitions(remaining):
            yield [(first, partner), *tail]
    if len(keys) % 2 == 1 and len(keys) > 3:
        # first may also sit in the one triple
        for i in range(len(rest)):
            for j in range(i + 1, len(rest)):
                remaining = [k for n, k in enumerate(rest) if n not in (i, j)]
                for tail in _pairs_only(remaining):
                    yield [(first, rest[i], rest[j]), *tail]


def _pairs_only(keys: list[str]) -> Iterable[list[tuple[str, ...]]]:
    if not keys:
        yield []
        return
    first, rest = keys[0], keys[1:]
    for index, partner in enumerate(rest):
        for tail in _pairs_only(rest[:index] + rest[index + 1:]):
            yield [(first, partner), *tail]


def score(groups: Sequence[Sequence[str]], people: Iterable[Participant],
          history: Iterable[Iterable[str]], rule: str) -> tuple[int, int]:
    """(rule violations, repeated pairs) of a set of groups: the benchmark's measure."""
    problem = _Problem({p.key: p for p in people}, _pairs(history), rule)
    violations = sum(0 if problem.group_rule_ok(g) else 1 for g in groups)
    repeats = sum(1 for g in groups for i, a in enumerate(g) for b in g[i + 1:]
                  if frozenset((a, b)) in problem.history)
    return violations, repeats
