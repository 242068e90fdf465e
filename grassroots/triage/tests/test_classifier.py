"""The classifier itself: NB-SVM's folded weights score exactly as its per-label SVMs do,
a model saved by the earlier plain-SVM trainer still suggests, and on real citizen messages
the product's trainer keeps the quality the benchmark measured."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from grassroots.triage.classifier import NBSVM, Classifier, _log_count_ratio, dumps, loads, text_of, train
from grassroots.triage.tests.test_triage import PHRASES, problem

GOV_MESSAGES = Path(__file__).resolve().parents[4] / "shared" / "data" / "gov-messages" / "messages_details_labels.csv"


def labelled(n: int, seed: int = 5) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    codes = [list(PHRASES)[i % len(PHRASES)] for i in range(n)]
    return [text_of(*problem(code, rng)) for code in codes], codes


def test_folded_weights_score_as_the_per_label_svms_on_scaled_features():
    texts, labels = labelled(45)
    x = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
    model = NBSVM(c=3.0).fit(x, labels)

    present = (x > 0).astype(np.float32)
    mine = np.asarray(labels) == "noise"
    ratio = _log_count_ratio(present[mine], present[~mine], 1.0)
    svm = LinearSVC(C=3.0).fit(x @ sp.diags(ratio), mine.astype(int))
    column = list(model.classes_).index("noise")

    np.testing.assert_allclose(
        model.decision_function(x)[:, column], svm.decision_function(x @ sp.diags(ratio)), rtol=1e-4, atol=1e-5
    )
    assert list(model.predict(x)) == labels


def test_a_model_saved_by_the_plain_svm_trainer_still_suggests():
    texts, labels = labelled(30)
    earlier = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC()).fit(texts, labels)
    restored = loads(dumps(Classifier(earlier)))
    (best, *_), *_ = restored.top([text_of("城南小区下水道堵塞", "污水外溢很多天了")])
    assert best[0] == "drainage"


@pytest.mark.skipif(not GOV_MESSAGES.exists(), reason="the gov-messages data set is not beside this checkout")
def test_on_real_citizen_messages_the_trainer_keeps_its_measured_quality():
    with GOV_MESSAGES.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if "|" not in r["label"]]
    random.Random(0).shuffle(rows)
    held, fit = rows[:1000], rows[1000:]
    classifier = train([text_of(r["title"], r["detail"]) for r in fit], [r["label"] for r in fit])
    predicted = classifier.predict([text_of(r["title"], r["detail"]) for r in held])
    accuracy = sum(p == r["label"] for p, r in zip(predicted, held, strict=True)) / len(held)
    # bench.triage measures 0.924 under 5-fold cross-validation (0.927 on this split); the plain
    # SVM it replaced scores 0.913 here, so a regression to it fails.
    assert accuracy >= 0.92
