"""Hot issues: clusters of similar cases in a unit and period, ranked by size and by growth
over the period before."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from grassroots.cases.models import Case
from grassroots.org.models import Unit
from grassroots.org.paths import within_q
from grassroots.triage.classifier import text_of

SIMILAR = 0.3  # cosine similarity to a cluster's centre to belong to it
MOST = 3000  # the newest cases of a period that are clustered (a province's year is sampled)
SMALLEST = 2  # a single case is not an issue


@dataclass
class HotIssue:
    title: str  # the case nearest the cluster's centre
    example: Case
    size: int  # cases in the period
    before: int  # similar cases in the period before, of the same length
    places: list[str] = field(default_factory=list)
    category: str = ""

    @property
    def growth(self) -> int:
        return self.size - self.before


def hot_issues(unit: Unit, start: date, end: date, *, limit: int = 5, user: Any = None) -> list[HotIssue]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    since = _moment(start)
    until = _moment(end + timedelta(days=1))
    span = until - since
    base = Case.objects.filter(within_q("unit_path", [unit.path]))
    if user is not None:
        base = base.visible_to(user)
    now_cases = list(
        base.filter(registered_at__gte=since, registered_at__lt=until)
        .select_related("unit", "category__parent")
        .order_by("-registered_at")[:MOST]
    )
    if len(now_cases) < SMALLEST:
        return []
    before_cases = list(
        base.filter(registered_at__gte=since - span, registered_at__lt=since)
        .only("id", "title", "description", "category_id")
        .order_by("-registered_at")[:MOST]
    )
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, max_features=50_000)
    vectors = vectorizer.fit_transform([text_of(c.title, c.description) for c in now_cases])
    clusters = _clusters(vectors, [c.category_id for c in now_cases])
    issues = []
    centres = []
    for members in clusters:
        if len(members) < SMALLEST:
            continue
        centre = np.asarray(vectors[members].mean(axis=0)).ravel()
        nearest = members[int(np.argmax(vectors[members] @ centre))]
        example = now_cases[nearest]
        places = Counter(now_cases[i].unit.label for i in members).most_common(2)
        issues.append(
            HotIssue(
                title=example.title,
                example=example,
                size=len(members),
                before=0,
                places=[p for p, _n in places],
                category=example.category.full_label if example.category else "",
            )
        )
        centres.append((centre / (np.linalg.norm(centre) or 1.0), example.category_id))
    if before_cases and issues:
        earlier = vectorizer.transform([text_of(c.title, c.description) for c in before_cases])
        matrix = np.vstack([c for c, _cat in centres])
        similarity = earlier @ matrix.T
        for row, case in enumerate(before_cases):
            scores = np.asarray(similarity[row]).ravel()
            best = int(np.argmax(scores))
            if scores[best] >= SIMILAR and centres[best][1] == case.category_id:
                issues[best].before += 1
    issues.sort(key=lambda i: (-i.size, -i.growth, i.title))
    return issues[:limit]


def _clusters(vectors: Any, categories: list[int | None]) -> list[list[int]]:
    """Average-link clustering within each category, in one pass: a case joins the cluster
    it is most similar to on average, if that is similar enough, else starts its own.
    Similarities come from one sparse product per category."""
    groups: dict[int | None, list[int]] = {}
    for i, category in enumerate(categories):
        groups.setdefault(category, []).append(i)
    clusters: list[list[int]] = []
    for members in groups.values():
        similarity = (vectors[members] @ vectors[members].T).toarray()
        local: list[list[int]] = []  # positions within ``members``
        for position in range(len(members)):
            scores = [float(similarity[position, cluster].mean()) for cluster in local]
            best = int(np.argmax(scores)) if scores else -1
            if best >= 0 and scores[best] >= SIMILAR:
                local[best].append(position)
            else:
                local.append([position])
        # A second look at the cases left alone: the clusters have grown since they came.
        for lonely in [c for c in local if len(c) == 1]:
            others = [c for c in local if c is not lonely and c]
            scores = [float(similarity[lonely[0], cluster].mean()) for cluster in others]
            if scores and max(scores) >= SIMILAR:
                others[int(np.argmax(scores))].append(lonely.pop())
        clusters.extend([[members[p] for p in cluster] for cluster in local if cluster])
    return clusters


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
