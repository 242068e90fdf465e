"""The linkage solver at county and province scale.

    .venv/bin/python -m bench.linkage [--scale county|province|both] [--runs N]

County: 300 cadres, 500 villages, 3,000 enterprises, every cadre's jurisdiction the whole
county. Province: 20,000 cadres, 20,000 villages, 100,000 enterprises in 100 counties,
each cadre confined to their county. "1+1+5" quotas. The instance is built in memory
(the solver is pure); the figure is the solve, including the graph build.
"""

from __future__ import annotations

import argparse
import platform
import random
import time

from bench.common import Timing, table
from grassroots.linkage.solver import Cadre, Instance, Item, solve
from grassroots.org.paths import segment


def county_instance(cadres: int = 300, villages: int = 500, enterprises: int = 3000, seed: int = 1) -> Instance:
    rng = random.Random(seed)
    county = segment(1)
    towns = [county + segment(10 + t) for t in range(20)]
    return Instance(
        cadres=[Cadre(i, county, rng.choice(towns)) for i in range(cadres)],
        villages=[Item(i, t + segment(1000 + i), t) for i in range(villages) for t in [rng.choice(towns)]],
        enterprises=[Item(i, t + segment(100000 + i), t) for i in range(enterprises) for t in [rng.choice(towns)]],
    )


def province_instance(counties: int = 100, seed: int = 2) -> Instance:
    rng = random.Random(seed)
    cadres: list[Cadre] = []
    villages: list[Item] = []
    enterprises: list[Item] = []
    for c in range(counties):
        county = segment(1) + segment(100 + c)
        towns = [county + segment(10_000 + c * 20 + t) for t in range(20)]
        cadres += [Cadre(len(cadres), county, rng.choice(towns)) for _ in range(200)]
        for _ in range(200):
            t = rng.choice(towns)
            villages.append(Item(len(villages), t + segment(1_000_000 + len(villages)), t))
        for _ in range(1000):
            t = rng.choice(towns)
            enterprises.append(Item(len(enterprises), t + segment(5_000_000 + len(enterprises)), t))
    return Instance(cadres=cadres, villages=villages, enterprises=enterprises)


def run(name: str, build: object, runs: int) -> Timing:
    samples = []
    for _ in range(runs):
        instance = build()  # type: ignore[operator]
        start = time.perf_counter()
        solution = solve(instance)
        samples.append((time.perf_counter() - start) * 1000)
        assert solution.feasible, solution.gaps
    print(
        f"{name}: {len(instance.cadres):,} cadres, {len(instance.villages):,} villages, "
        f"{len(instance.enterprises):,} enterprises; heaviest load {solution.max_load}, "
        f"{len(solution.links):,} links"
    )
    return Timing(name, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["county", "province", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    timings = []
    if args.scale in ("county", "both"):
        timings.append(run("county (300 / 500 / 3,000)", county_instance, args.runs))
    if args.scale in ("province", "both"):
        timings.append(run("province (20,000 / 20,000 / 100,000)", province_instance, max(1, args.runs // 3)))
    print(f"\n{platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print(table(timings))


if __name__ == "__main__":
    main()
