"""Category suggestions at intake, and the models behind them.

Until an administrator activates a model trained on the site's own classified cases, the
suggestions come from the categories' keywords. Every case gets the suggestion made for
its text at registration; when staff choose or change its category, whether they took the
first suggestion is recorded (the hit rate in the statistics).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from grassroots.audit.context import acting_user
from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases.models import Case, Category
from grassroots.cases.services import categories_by_code, matching_rule
from grassroots.memo import Memo
from grassroots.org.models import Organisation, Unit
from grassroots.triage.classifier import Classifier, TrainingError, dumps, loads, text_of, train

__all__ = ["TrainingError", "activate_model", "suggest", "train_site_model"]
from grassroots.triage.models import Source, Suggestion, TriageModel

TOP = 3
MIN_CASES = 30  # fewer classified cases than this: keep to the keywords

_loaded: dict[int, Classifier] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Suggested:
    category: Category
    probability: float
    organisation: Organisation | None  # where the routing rules would send it


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggested]
    source: str
    model: TriageModel | None


# Intake asks for a suggestion with every case; which model is active and the categories'
# keywords change a few times a year (see grassroots.memo).
_memo: Memo[Any] = Memo("triage model and keywords")
forget_remembered = _memo.forget


def active_classifier() -> tuple[TriageModel | None, Classifier | None]:
    """The active model, loaded once per process and version."""
    row = _memo.get("model", lambda: TriageModel.objects.filter(is_active=True).defer("data").first())
    if row is None:
        return None, None
    with _lock:
        if row.version not in _loaded:
            data = TriageModel.objects.filter(pk=row.pk).values_list("data", flat=True).get()
            _loaded.clear()
            _loaded[row.version] = loads(bytes(data))
        return row, _loaded[row.version]


def suggest(
    title: str, description: str, *, unit: Unit | None = None, kind: str = "", route: bool = True
) -> Suggestions:
    """The likeliest categories of a problem with the organisation each implies (``route``
    off: without it, a query less per suggestion, for recording at registration)."""
    text = text_of(title, description)
    row, classifier = active_classifier()
    pairs: list[tuple[Category, float]] = []
    if classifier is not None:
        ranked = classifier.top([text], k=TOP)[0]
        by_code = categories_by_code()
        pairs = [(by_code[code], p) for code, p in ranked if code in by_code]
        source = Source.MODEL
    if not pairs:
        pairs = keyword_matches(text)
        source, row = Source.KEYWORDS, None
    items = [Suggested(c, p, _routed_to(c, unit, kind) if route else None) for c, p in pairs]
    return Suggestions(items=items, source=source, model=row)


def _keyword_lists() -> list[tuple[Category, list[str]]]:
    return [
        (category, [w for w in re.split(r"[\s,，、;；]+", category.keywords) if w])
        for category in Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
    ]


def keyword_matches(text: str) -> list[tuple[Category, float]]:
    """Categories whose keywords occur in ``text``, scored by how many do."""
    scores = []
    for category, words in _memo.get("keywords", _keyword_lists):
        hits = sum(1 for w in words if w in text)
        if hits:
            scores.append((category, hits))
    scores.sort(key=lambda pair: (-pair[1], pair[0].sort_order, pair[0].code))
    total = sum(hits for _c, hits in scores[:TOP])
    return [(c, round(hits / total, 4)) for c, hits in scores[:TOP]]


def _routed_to(category: Category, unit: Unit | None, kind: str) -> Organisation | None:
    if unit is None:
        return None
    probe = Case(category=category, unit=unit, unit_path=unit.path, kind=kind)
    rule = matching_rule(probe)
    return rule.organisation if rule else None


# --- recording what was suggested and what staff chose ------------------------------------------


def on_registered(sender: Any, cases: list[Case], **kwargs: Any) -> None:
    rows = []
    for case in cases:
        made = suggest(case.title, case.description, route=False)  # intake's hot path: no routing
        if not made.items:
            continue
        first = made.items[0].category
        rows.append(
            Suggestion(
                case=case,
                source=made.source,
                model=made.model,
                suggested=[{"category": s.category.code, "probability": s.probability} for s in made.items],
                first=first,
                chosen=case.category,
                taken=(case.category_id == first.pk) if case.category_id else None,
            )
        )
    Suggestion.objects.bulk_create(rows)


def on_classified(sender: Any, case: Case, category: Category, **kwargs: Any) -> None:
    suggestion = Suggestion.objects.filter(case=case).first()
    if suggestion is not None:
        suggestion.chosen = category
        suggestion.taken = suggestion.first_id == category.pk
        suggestion.save(update_fields=["chosen", "taken"])


# --- models ---------------------------------------------------------------------------------


def site_examples() -> tuple[list[str], list[str]]:
    """The site's classified cases: their texts and category codes."""
    rows = Case.objects.filter(category__isnull=False).values_list("title", "description", "category__code")
    texts, labels = [], []
    for title, description, code in rows.iterator(chunk_size=5000):
        texts.append(text_of(title, description))
        labels.append(code)
    return texts, labels


def cross_validate(texts: list[str], labels: list[str], folds: int = 5) -> tuple[float, float]:
    """Accuracy and macro-F1 over stratified folds, with the product's own trainer."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    predicted: list[str] = [""] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fit, held in splitter.split(texts, labels):
        model = train([texts[i] for i in fit], [labels[i] for i in fit])
        for i, label in zip(held, model.predict([texts[i] for i in held]), strict=True):
            predicted[i] = label
    return float(accuracy_score(labels, predicted)), float(f1_score(labels, predicted, average="macro"))


def train_site_model(*, actor: Any, activate: bool = False) -> TriageModel:
    """A new model version from the site's classified cases (kept inactive unless asked)."""
    texts, labels = site_examples()
    if len(texts) < MIN_CASES:
        raise TrainingError(
            _("Only {n} classified cases; at least {m} are needed to train.").format(n=len(texts), m=MIN_CASES)
        )
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    # Categories with a single case cannot be learnt; their cases stay out of this version.
    keep = [i for i, label in enumerate(labels) if counts[label] >= 5]
    texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    classifier = train(texts, labels)
    accuracy = macro_f1 = None
    if len(set(labels)) >= 2 and min(counts[label] for label in labels) >= 5:
        accuracy, macro_f1 = cross_validate(texts, labels)
    with transaction.atomic():
        version = (TriageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        model = TriageModel.objects.create(
            version=version,
            created_by=acting_user(actor),
            trained_on=len(texts),
            labels=classifier.labels,
            accuracy=accuracy,
            macro_f1=macro_f1,
            data=dumps(classifier),
        )
        record(Action.CREATE, actor=actor, target=model, detail={"trained_on": len(texts), "accuracy": accuracy})
        if activate:
            activate_model(model, actor=actor)
    return model


def activate_model(model: TriageModel, *, actor: Any) -> TriageModel:
    """Make ``model`` the one suggestions come from (the others stay, to go back to)."""
    with transaction.atomic():
        TriageModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        TriageModel.objects.filter(pk=model.pk).update(is_active=True)
        model.is_active = True
        record(Action.UPDATE, actor=actor, target=model, detail={"activated": True})
    forget_remembered()
    return model
