"""The materialised path: a subtree is exactly one range, whatever the tree's shape."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.org import services
from grassroots.org.choices import Level
from grassroots.org.models import Unit
from grassroots.org.paths import ancestor_paths, minimal_cover, segment


def test_segments_are_fixed_width_and_sort_like_numbers():
    assert segment(1) == "000001"
    assert segment(36) == "000010"
    assert sorted([segment(n) for n in (9, 10, 35, 36, 1000)]) == [segment(n) for n in (9, 10, 35, 36, 1000)]
    with pytest.raises(ValueError, match="saved primary key"):
        segment(0)


def test_ancestor_paths_walk_from_the_root():
    assert ancestor_paths("000001000002000003") == ["000001", "000001000002", "000001000002000003"]


def test_minimal_cover_drops_nested_paths():
    assert minimal_cover(["000001000002", "000001", "000003", "000003"]) == ["000001", "000003"]


_runs = itertools.count()

# Each new unit hangs under a random earlier one (or becomes a root).
parents_strategy = st.lists(st.integers(min_value=-1, max_value=40), min_size=1, max_size=40)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=parents_strategy)
def test_subtree_query_equals_walking_the_tree(parents):
    run = next(_runs)  # examples share the database: keep their codes apart
    units: list[Unit] = []
    for i, choice in enumerate(parents):
        parent = units[choice % len(units)] if units and choice >= 0 else None
        if parent is not None and parent.level == Level.GRID:
            parent = None
        level = (parent.level + 1) if parent else Level.PROVINCE
        units.append(services.create_unit(actor=None, code=f"R{run}-U{i}", name=f"单元{i}", level=level, parent=parent))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def walk(unit: Unit) -> set[str]:
        found = {unit.code}
        for child in children.get(unit.pk, []):
            found |= walk(child)
        return found

    for unit in units:
        assert set(Unit.objects.within(unit).values_list("code", flat=True)) == walk(unit)
