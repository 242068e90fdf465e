"""The linkage solver: cover every village and every required enterprise with linked
cadres, give every cadre their quota, and keep the heaviest load as low as possible;
among the assignments with that load, keep existing links and prefer nearness.

Pure Python and OR-Tools, no Django: the service builds an :class:`Instance` from the
database and turns the :class:`Solution` back into links and sentences.

The model is a circulation with lower bounds, solved by OR-Tools' min-cost flow::

    s -> cadre            [0, L]            L: the load being tried
    cadre -> cadre/V      [min_v, L]        village quota
    cadre -> cadre/E      [min_e, L]        enterprise quota
    cadre/V -> village    [0, 1]  cost      0 existing link, NEAR same township, FAR otherwise
    cadre/E -> enterprise [0, 1]  cost
    village -> t          [1, inf)          every village covered
    enterprise -> t       [1, inf)
    t -> s                [0, inf)

Lower bounds become node supplies. The problem splits into independent components when
links must stay inside each cadre's jurisdiction; each is solved alone (the lowest
heaviest load overall is the largest of the components' lowest). For each component the
smallest feasible L is searched upward from a lower bound that is usually already
feasible.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

VILLAGE, ENTERPRISE = "village", "enterprise"
COST_EXISTING, COST_NEAR, COST_FAR = 0, 10, 11


@dataclass(frozen=True)
class Cadre:
    id: int
    jurisdiction: str  # unit path: links stay inside it when the policy says so
    township: str  # unit path of the cadre's township (or the cadre's own unit above it)


@dataclass(frozen=True)
class Item:
    id: int
    path: str  # unit path of the village, or of the enterprise's unit
    township: str


@dataclass
class Instance:
    cadres: list[Cadre]
    villages: list[Item]
    enterprises: list[Item]
    min_villages: int = 1
    min_enterprises: int = 5
    max_per_cadre: int | None = None
    within_jurisdiction: bool = True
    existing: set[tuple[int, str, int]] = field(default_factory=set)  # (cadre, kind, item)


@dataclass
class Gap:
    """Why an instance cannot be solved, as data; the service words it."""

    reason: str  # "uncoverable" | "short_quota" | "too_few_cadres" | "load_cap" | "no_cadres"
    kind: str = ""
    items: list[int] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)
    needed: int = 0
    scope: str = ""  # a unit path the gap lies in


@dataclass
class Solution:
    feasible: bool
    links: set[tuple[int, str, int]] = field(default_factory=set)
    max_load: int = 0
    gaps: list[Gap] = field(default_factory=list)


def _within(path: str, prefix: str) -> bool:
    return path.startswith(prefix)


class _Index:
    """Items sorted by path, so a cadre's jurisdiction is one bisected slice."""

    def __init__(self, items: list[Item]) -> None:
        self.items = sorted(items, key=lambda i: i.path)
        self.paths = [i.path for i in self.items]

    def inside(self, prefix: str) -> list[Item]:
        lo = bisect.bisect_left(self.paths, prefix)
        hi = bisect.bisect_left(self.paths, prefix + "~")
        return self.items[lo:hi]


def _eligible(instance: Instance) -> dict[tuple[int, str], list[Item]]:
    """Cadre -> the items of each kind it may be linked to."""
    out: dict[tuple[int, str], list[Item]] = {}
    for kind, items in ((VILLAGE, instance.villages), (ENTERPRISE, instance.enterprises)):
        index = _Index(items)
        for cadre in instance.cadres:
            out[(cadre.id, kind)] = index.inside(cadre.jurisdiction) if instance.within_jurisdiction else index.items
    return out


def _components(
    instance: Instance, eligible: dict[tuple[int, str], list[Item]]
) -> list[tuple[list[Cadre], list[Item], list[Item]]]:
    """Independent sub-problems: cadres and items joined by any eligible pair."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: tuple[str, int], b: tuple[str, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    if not instance.within_jurisdiction:
        return [(instance.cadres, instance.villages, instance.enterprises)]
    # Cadres with the same jurisdiction see the same items: join them through it, cheaply.
    by_jurisdiction: dict[str, list[Cadre]] = defaultdict(list)
    for cadre in instance.cadres:
        by_jurisdiction[cadre.jurisdiction].append(cadre)
    for cadres in by_jurisdiction.values():
        first = cadres[0]
        for other in cadres[1:]:
            union(("c", other.id), ("c", first.id))
        for kind in (VILLAGE, ENTERPRISE):
            for item in eligible[(first.id, kind)]:
                union((kind[0], item.id), ("c", first.id))
    groups: dict[tuple[str, int], tuple[list[Cadre], list[Item], list[Item]]] = defaultdict(lambda: ([], [], []))
    for cadre in instance.cadres:
        groups[find(("c", cadre.id))][0].append(cadre)
    for item in instance.villages:
        groups[find(("v", item.id))][1].append(item)
    for item in instance.enterprises:
        groups[find(("e", item.id))][2].append(item)
    return list(groups.values())


def diagnose(instance: Instance) -> list[Gap]:
    """The reasons an instance is infeasible that can be named, checked before solving."""
    gaps: list[Gap] = []
    eligible = _eligible(instance)
    if not instance.cadres:
        return [Gap("no_cadres")]
    for kind, items in ((VILLAGE, instance.villages), (ENTERPRISE, instance.enterprises)):
        covered = {i.id for c in instance.cadres for i in eligible[(c.id, kind)]}
        lost = [i for i in items if i.id not in covered]
        by_township: dict[str, list[int]] = defaultdict(list)
        for item in lost:
            by_township[item.township].append(item.id)
        gaps += [Gap("uncoverable", kind=kind, items=ids, scope=t) for t, ids in sorted(by_township.items())]
    for cadre in instance.cadres:
        for kind, need in ((VILLAGE, instance.min_villages), (ENTERPRISE, instance.min_enterprises)):
            if len(eligible[(cadre.id, kind)]) < need:
                gaps.append(Gap("short_quota", kind=kind, cadres=[cadre.id], needed=need, scope=cadre.jurisdiction))
    cap = instance.max_per_cadre
    if cap is not None:
        if instance.min_villages + instance.min_enterprises > cap:
            gaps.append(Gap("load_cap", needed=instance.min_villages + instance.min_enterprises))
        for cadres, villages, enterprises in _components(instance, eligible):
            need = len(villages) + len(enterprises)
            if cadres and need > cap * len(cadres):
                scope = _common_prefix([c.jurisdiction for c in cadres])
                gaps.append(
                    Gap(
                        "too_few_cadres",
                        needed=math.ceil(need / cap) - len(cadres),
                        scope=scope,
                        cadres=[c.id for c in cadres],
                    )
                )
    return gaps


def _common_prefix(paths: list[str]) -> str:
    if not paths:
        return ""
    low, high = min(paths), max(paths)
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n - n % 6]


def solve(instance: Instance) -> Solution:
    gaps = diagnose(instance)
    if gaps:
        return Solution(feasible=False, gaps=gaps)
    eligible = _eligible(instance)
    links: set[tuple[int, str, int]] = set()
    max_load = 0
    for cadres, villages, enterprises in _components(instance, eligible):
        if not cadres:
            continue
        found = _solve_component(instance, cadres, villages, enterprises, eligible)
        if found is None:
            return Solution(
                feasible=False,
                gaps=[
                    Gap(
                        "too_few_cadres",
                        needed=1,
                        cadres=[c.id for c in cadres],
                        scope=_common_prefix([c.jurisdiction for c in cadres]),
                    )
                ],
            )
        component_links, load = found
        links |= component_links
        max_load = max(max_load, load)
    return Solution(feasible=True, links=links, max_load=max_load)


def _solve_component(
    instance: Instance,
    cadres: list[Cadre],
    villages: list[Item],
    enterprises: list[Item],
    eligible: dict[tuple[int, str], list[Item]],
) -> tuple[set[tuple[int, str, int]], int] | None:
    """The lowest feasible heaviest load of one component, and the cheapest assignment at it.
    Feasibility only grows with the load, so: try the lower bound, gallop up, then bisect."""
    n = len(cadres)
    mv, me = instance.min_villages, instance.min_enterprises
    need = max(len(villages), n * mv) + max(len(enterprises), n * me)
    low = max(mv + me, math.ceil(need / n))
    high = instance.max_per_cadre if instance.max_per_cadre is not None else max(low, len(villages) + len(enterprises))
    if low > high:
        return None

    def attempt(load: int) -> set[tuple[int, str, int]] | None:
        return _flow(instance, cadres, villages, enterprises, eligible, load)

    best = attempt(low)
    if best is not None:
        return best, low
    bad, step = low, 1
    while True:
        probe = min(bad + step, high)
        best = attempt(probe)
        if best is not None:
            good = probe
            break
        if probe == high:
            return None
        bad, step = probe, step * 2
    while good - bad > 1:
        mid = (bad + good) // 2
        found = attempt(mid)
        if found is None:
            bad = mid
        else:
            good, best = mid, found
    return best, good


def _flow(
    instance: Instance,
    cadres: list[Cadre],
    villages: list[Item],
    enterprises: list[Item],
    eligible: dict[tuple[int, str], list[Item]],
    load: int,
) -> set[tuple[int, str, int]] | None:
    """The cheapest assignment with every cadre at most ``load`` links, or None."""
    n = len(cadres)
    v_index = {item.id: i for i, item in enumerate(villages)}
    e_index = {item.id: i for i, item in enumerate(enterprises)}
    # Node numbering: s, t, cadres, cadre/V, cadre/E, villages, enterprises.
    s, t = 0, 1
    c0, cv0, ce0 = 2, 2 + n, 2 + 2 * n
    v0 = 2 + 3 * n
    e0 = v0 + len(villages)
    nodes = e0 + len(enterprises)
    supply = np.zeros(nodes, dtype=np.int64)
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    caps: list[np.ndarray] = []
    costs: list[np.ndarray] = []

    def arcs(tail: np.ndarray, head: np.ndarray, lower: int, cap: int, cost: np.ndarray | int = 0) -> None:
        size = len(tail)
        tails.append(tail)
        heads.append(head)
        caps.append(np.full(size, cap - lower, dtype=np.int64))
        costs.append(np.broadcast_to(np.asarray(cost, dtype=np.int64), (size,)).copy())
        if lower:
            np.add.at(supply, tail, -lower)
            np.add.at(supply, head, lower)

    ci = np.arange(n)
    big = len(villages) + len(enterprises) + n * load + 1
    arcs(np.full(n, s), c0 + ci, 0, load)
    arcs(c0 + ci, cv0 + ci, instance.min_villages, load)
    arcs(c0 + ci, ce0 + ci, instance.min_enterprises, load)
    pair_tail: dict[str, list[int]] = {VILLAGE: [], ENTERPRISE: []}
    pair_head: dict[str, list[int]] = {VILLAGE: [], ENTERPRISE: []}
    pair_cost: dict[str, list[int]] = {VILLAGE: [], ENTERPRISE: []}
    for k, cadre in enumerate(cadres):
        for kind, base, index in ((VILLAGE, v0, v_index), (ENTERPRISE, e0, e_index)):
            for item in eligible[(cadre.id, kind)]:
                j = index.get(item.id)
                if j is None:
                    continue
                pair_tail[kind].append((cv0 if kind == VILLAGE else ce0) + k)
                pair_head[kind].append(base + j)
                if (cadre.id, kind, item.id) in instance.existing:
                    pair_cost[kind].append(COST_EXISTING)
                else:
                    pair_cost[kind].append(COST_NEAR if item.township == cadre.township else COST_FAR)
    first_pair_arc = {}
    offset = sum(len(x) for x in tails)
    for kind in (VILLAGE, ENTERPRISE):
        first_pair_arc[kind] = offset
        arcs(
            np.asarray(pair_tail[kind], dtype=np.int64),
            np.asarray(pair_head[kind], dtype=np.int64),
            0,
            1,
            np.asarray(pair_cost[kind], dtype=np.int64),
        )
        offset += len(pair_tail[kind])
    arcs(v0 + np.arange(len(villages)), np.full(len(villages), t), 1, big)
    arcs(e0 + np.arange(len(enterprises)), np.full(len(enterprises), t), 1, big)
    arcs(np.array([t]), np.array([s]), 0, big)

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    flow.set_nodes_supplies(np.arange(nodes), supply)
    if flow.solve() != flow.OPTIMAL:
        return None
    links: set[tuple[int, str, int]] = set()
    for kind, items in ((VILLAGE, villages), (ENTERPRISE, enterprises)):
        start = first_pair_arc[kind]
        count = len(pair_tail[kind])
        if not count:
            continue
        used = flow.flows(np.arange(start, start + count))
        base = v0 if kind == VILLAGE else e0
        head_nodes = np.asarray(pair_head[kind])
        tail_nodes = np.asarray(pair_tail[kind])
        for arc in np.nonzero(used)[0]:
            cadre = cadres[int(tail_nodes[arc]) - (cv0 if kind == VILLAGE else ce0)]
            links.add((cadre.id, kind, items[int(head_nodes[arc]) - base].id))
    return links
