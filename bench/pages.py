"""What a province, a county and a street see, timed through gunicorn at full size.

    python -m bench.pages --database-url postgres://postgres@127.0.0.1:5432/grassroots_10m

Against a database built by ``bench.generate``: logs in as its petition-office staff of
the province, of a county and of a street, and times — each request a fresh one over
keep-alive HTTP, as a browser or an integrating system would send it — the case list
(newest first, and with the filters staff use most), the case page, the dashboard and
``/api/v1/stats/`` for the year to date, and the API's case list. Prints a Markdown table
and the largest peak resident memory of any server worker.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
from datetime import date
from typing import Any

from bench.common import Timing, measure, table


def scopes() -> list[tuple[str, str, str, list[str], str]]:
    """(label, username, unit code, sample of case numbers, a common category code)."""
    from django.db.models import Count

    from grassroots.accounts.models import User
    from grassroots.cases.models import Case
    from grassroots.org.paths import within_q

    out = []
    rng = random.Random(7)
    for label, username in (("province", "bench-province"), ("county", "bench-county"), ("street", "bench-street")):
        user = User.objects.select_related("person__unit").get(username=username)
        unit = user.person.unit
        numbers = list(
            Case.objects.filter(within_q("unit_path", [unit.path]))
            .order_by("-id")
            .values_list("number", flat=True)[:5000]
        )
        category = (
            Case.objects.filter(
                within_q("unit_path", [unit.path]), id__gte=Case.objects.order_by("-id")[:1][0].pk - 50000
            )
            .values("category__code")
            .annotate(n=Count("id"))
            .order_by("-n")[:1][0]["category__code"]
        )
        out.append((label, username, unit.code, rng.sample(numbers, min(len(numbers), 200)), category))
    return out


def reads_for(
    browser: Any, api: Any, base: str, code: str, category: str, numbers: list[str], today: date, year: str
) -> list[tuple[str, Any]]:
    """What one person reads: each a name and a request that must answer 200."""
    cycle = itertools.cycle(numbers)

    def get(session: Any, url: str) -> Any:
        response = session.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    reads: list[tuple[str, Any]] = [
        ("case list, my queue", lambda: get(browser, f"{base}/cases/")),
        ("case list, all in my units", lambda: get(browser, f"{base}/cases/?tab=all")),
        ("case list, overdue", lambda: get(browser, f"{base}/cases/?tab=all&overdue=true")),
        (
            "case list, open in one category",
            lambda: get(browser, f"{base}/cases/?tab=all&open=true&category={category}"),
        ),
        (
            "case list, phone channel this year",
            lambda: get(browser, f"{base}/cases/?tab=all&channel=phone&registered_from={today:%Y}-01-01"),
        ),
        ("case list, text search", lambda: get(browser, f"{base}/cases/?tab=all&q=路灯")),
        ("case page", lambda: get(browser, f"{base}/cases/{next(cycle)}/")),
        ("dashboard, year to date", lambda: get(browser, f"{base}/dashboard/?unit={code}")),
        ("/api/v1/stats/, year to date", lambda: get(api, f"{base}/api/v1/stats/?unit={code}&{year}")),
        (
            "/api/v1/stats/breakdown/ by child",
            lambda: get(api, f"{base}/api/v1/stats/breakdown/?unit={code}&{year}&by=child"),
        ),
        ("/api/v1/cases/ page", lambda: get(api, f"{base}/api/v1/cases/?within={code}")),
        ("/api/v1/cases/ text search", lambda: get(api, f"{base}/api/v1/cases/?within={code}&q=路灯")),
    ]
    return reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from bench.common import use_database
    from bench.generate import BENCH_PASSWORD
    from bench.server import Server

    use_database(args.database_url)
    from django.db import connection

    from grassroots import clock

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM cases_case"
            if connection.vendor == "sqlite"
            else "SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_case'"
        )
        cases = int(cursor.fetchone()[0])
    samples = scopes()
    connection.close()
    today = clock.today()
    year = f"from={today:%Y}-01-01&to={today:%Y-%m-%d}"
    timings: list[Timing] = []

    with Server(args.database_url, workers=args.workers) as server:
        for label, username, code, numbers, category in samples:
            browser = server.browser(username, BENCH_PASSWORD)
            api = server.api(username, BENCH_PASSWORD)
            reads = reads_for(browser, api, server.base, code, category, numbers, today, year)
            for name, fn in reads:
                timings.append(measure(f"{name} — {label}", fn, runs=args.runs))
                print(timings[-1].row(), flush=True)
        peak = server.peak_worker_rss_mb()

    print()
    print(
        f"{cases:,} cases on {connection.vendor}, {args.workers} gunicorn workers, {platform.machine()}, "
        f"{os.cpu_count()} cores; {today}"
    )
    print(table(timings))
    print(f"\npeak resident memory of a server worker: {peak:.0f} MB")


if __name__ == "__main__":
    main()
