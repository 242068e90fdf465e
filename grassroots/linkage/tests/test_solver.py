"""The solver against brute force: whenever an instance is feasible, every quota and every
coverage holds in the result and the heaviest load is the lowest possible."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.linkage.solver import ENTERPRISE, VILLAGE, Cadre, Instance, Item, solve

TOWNS = ["000001000001", "000001000002"]


def brute_force(instance: Instance) -> int | None:
    """The lowest heaviest load over every set of links, or None when none works."""
    pairs = [
        (c.id, kind, i.id)
        for c in instance.cadres
        for kind, items in ((VILLAGE, instance.villages), (ENTERPRISE, instance.enterprises))
        for i in items
        if not instance.within_jurisdiction or i.path.startswith(c.jurisdiction)
    ]
    best = None
    for mask in range(1 << len(pairs)):
        chosen = [p for k, p in enumerate(pairs) if mask >> k & 1]
        if valid(instance, set(chosen)):
            load = max((sum(1 for p in chosen if p[0] == c.id) for c in instance.cadres), default=0)
            best = load if best is None else min(best, load)
    return best


def valid(instance: Instance, links: set[tuple[int, str, int]]) -> bool:
    for c in instance.cadres:
        villages = sum(1 for p in links if p[0] == c.id and p[1] == VILLAGE)
        enterprises = sum(1 for p in links if p[0] == c.id and p[1] == ENTERPRISE)
        if villages < instance.min_villages or enterprises < instance.min_enterprises:
            return False
        if instance.max_per_cadre is not None and villages + enterprises > instance.max_per_cadre:
            return False
    covered = {(p[1], p[2]) for p in links}
    if any((VILLAGE, v.id) not in covered for v in instance.villages):
        return False
    if any((ENTERPRISE, e.id) not in covered for e in instance.enterprises):
        return False
    if instance.within_jurisdiction:
        items = {(VILLAGE, v.id): v for v in instance.villages} | {(ENTERPRISE, e.id): e for e in instance.enterprises}
        cadres = {c.id: c for c in instance.cadres}
        if any(not items[(p[1], p[2])].path.startswith(cadres[p[0]].jurisdiction) for p in links):
            return False
    return True


@st.composite
def instances(draw):
    def place(i: int) -> tuple[str, str]:
        town = TOWNS[draw(st.integers(0, 1))]
        return town + f"{i:06d}", town

    cadres = []
    for i in range(draw(st.integers(1, 2))):
        wide = draw(st.booleans())
        town = TOWNS[draw(st.integers(0, 1))]
        cadres.append(Cadre(id=i + 1, jurisdiction="000001" if wide else town, township=town))
    villages = [Item(id=i + 1, path=p, township=t) for i in range(draw(st.integers(0, 2))) for p, t in [place(i)]]
    enterprises = [Item(id=i + 1, path=p, township=t) for i in range(draw(st.integers(0, 3))) for p, t in [place(i)]]
    return Instance(
        cadres=cadres,
        villages=villages,
        enterprises=enterprises,
        min_villages=draw(st.integers(0, 1)),
        min_enterprises=draw(st.integers(0, 2)),
        max_per_cadre=draw(st.one_of(st.none(), st.integers(1, 4))),
        within_jurisdiction=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(instance=instances())
def test_solver_matches_brute_force(instance):
    expected = brute_force(instance)
    solution = solve(instance)
    assert solution.feasible == (expected is not None), (instance, solution)
    if expected is not None:
        assert valid(instance, solution.links)
        assert solution.max_load == expected
        loads = [sum(1 for p in solution.links if p[0] == c.id) for c in instance.cadres]
        assert max(loads) == expected
    else:
        assert solution.gaps


def test_existing_links_are_kept_when_they_cost_nothing():
    cadres = [Cadre(1, "000001", TOWNS[0]), Cadre(2, "000001", TOWNS[1])]
    villages = [Item(1, TOWNS[0] + "000001", TOWNS[0]), Item(2, TOWNS[1] + "000002", TOWNS[1])]
    instance = Instance(
        cadres, villages, [], min_villages=1, min_enterprises=0, existing={(1, VILLAGE, 2), (2, VILLAGE, 1)}
    )
    assert solve(instance).links == {(1, VILLAGE, 2), (2, VILLAGE, 1)}
    fresh = Instance(cadres, villages, [], min_villages=1, min_enterprises=0)
    assert solve(fresh).links == {(1, VILLAGE, 1), (2, VILLAGE, 2)}  # nearness: same township


def test_one_plus_one_plus_five_at_a_glance():
    cadres = [Cadre(i, "000001", TOWNS[i % 2]) for i in range(1, 5)]
    villages = [Item(i, TOWNS[i % 2] + f"{i:06d}", TOWNS[i % 2]) for i in range(1, 7)]
    enterprises = [Item(i, TOWNS[i % 2] + f"{i:06d}", TOWNS[i % 2]) for i in range(1, 19)]
    solution = solve(Instance(cadres, villages, enterprises))
    assert solution.feasible and valid(Instance(cadres, villages, enterprises), solution.links)
    # 6 village links and 4 x 5 = 20 enterprise links (quotas exceed the 18 enterprises): 26 over 4 cadres.
    assert solution.max_load == 7
