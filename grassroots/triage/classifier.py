"""The category classifier: character n-gram TF-IDF (no word segmentation needed for
Chinese) with naive-Bayes-scaled linear SVMs (NB-SVM). One trainer for the product, the
CLI and the benchmark.

Pure: texts and labels in, a :class:`Classifier` out; nothing here touches the database.
"""

from __future__ import annotations

import io
import pickle  # models are made by this trainer and kept in our own database
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

FORMAT = b"grassroots-triage-1\n"  # what :func:`dumps` writes first; a different file is refused
MAX_FEATURES = 300_000  # bounds the model's size however many cases a site has
MIN_PER_LABEL = 2


def text_of(title: str, description: str) -> str:
    """The text a case is classified by: its title, then its description."""
    return f"{title.strip()}。{description.strip()}"


class NBSVM(ClassifierMixin, BaseEstimator):
    """One linear SVM per label on features scaled by how much likelier each n-gram is in
    that label's messages than in the rest (the naive-Bayes log-count ratio; Wang and
    Manning, 2012). On the gov-messages set it gains about a point over one plain SVM
    (docs/performance.md). The ratios are folded into the weights, so predicting costs what
    a plain linear model costs."""

    def __init__(self, c: float = 3.0, alpha: float = 1.0) -> None:
        self.c = c
        self.alpha = alpha

    def fit(self, x: sp.csr_matrix, y: Sequence[str]) -> NBSVM:
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        present = sp.csr_matrix(x, dtype=np.float32, copy=True)
        present.data[:] = 1.0
        weights, intercepts = [], []
        for label in self.classes_:
            mine = labels == label
            ratio = _log_count_ratio(present[mine], present[~mine], self.alpha)
            svm = LinearSVC(C=self.c, random_state=0).fit(x @ sp.diags(ratio), mine.astype(np.int8))
            weights.append(svm.coef_.ravel() * ratio)
            intercepts.append(svm.intercept_[0])
        # Features down, labels across, contiguous: a sparse row times it is one pass over the
        # row's n-grams (a transposed view would be copied whole on every prediction).
        self.weights_ = np.ascontiguousarray(np.vstack(weights).T, dtype=np.float32)
        self.intercept_ = np.asarray(intercepts, dtype=np.float32)
        return self

    def decision_function(self, x: sp.csr_matrix) -> np.ndarray:
        scores: np.ndarray = np.asarray(x @ self.weights_) + self.intercept_
        return scores

    def predict(self, x: sp.csr_matrix) -> np.ndarray:
        labels: np.ndarray = self.classes_[np.argmax(self.decision_function(x), axis=1)]
        return labels


def _log_count_ratio(mine: sp.csr_matrix, rest: sp.csr_matrix, alpha: float) -> np.ndarray:
    p = np.asarray(mine.sum(axis=0)).ravel() + alpha
    q = np.asarray(rest.sum(axis=0)).ravel() + alpha
    ratio: np.ndarray = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    return ratio


def pipeline(c: float = 3.0) -> Pipeline:
    """Measured on the gov-messages set (bench/triage.py): character 1–3-grams with
    sublinear TF were the best of the representations tried, NB-SVM with C=3 the best of the
    learners on them (docs/performance.md)."""
    return make_pipeline(
        TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            sublinear_tf=True,
            min_df=2,
            max_features=MAX_FEATURES,
            dtype=np.float32,
        ),
        NBSVM(c=c),
    )


@dataclass
class Classifier:
    model: Pipeline

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.model.classes_]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.model.predict(list(texts))]

    def top(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` likeliest labels of each text with a probability-like score (a softmax
        of the SVM's margins: ordered and summing to one, not calibrated)."""
        # Texts in, a fitted model: scikit-learn's checks of parameters and finiteness are
        # most of the time one intake's suggestion takes (0.54 → 0.40 ms), and cannot fail.
        with config_context(assume_finite=True, skip_parameter_validation=True):
            scores = np.atleast_2d(self.model.decision_function(list(texts)))
        if scores.shape[1] == 1:  # two labels: one margin
            scores = np.hstack([-scores, scores])
        exp = np.exp((scores - scores.max(axis=1, keepdims=True)) * 3.0)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        labels = self.labels
        result = []
        for row in probabilities:
            best = np.argsort(-row)[:k]
            result.append([(labels[i], round(float(row[i]), 4)) for i in best])
        return result


class TrainingError(ValueError):
    pass


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = 3.0) -> Classifier:
    """Fit a classifier; refuses data it cannot learn from, saying why."""
    if len(texts) != len(labels):
        raise TrainingError(f"{len(texts)} texts but {len(labels)} labels")
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise TrainingError("at least two different labels are needed")
    thin = sorted(label for label, n in counts.items() if n < MIN_PER_LABEL)
    if thin:
        raise TrainingError(f"each label needs at least {MIN_PER_LABEL} examples; too few: {', '.join(thin[:10])}")
    model = pipeline(c)
    model.fit(list(texts), list(labels))
    return Classifier(model)


def dumps(classifier: Classifier) -> bytes:
    buffer = io.BytesIO()
    pickle.dump(classifier.model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return FORMAT + zlib.compress(buffer.getvalue(), 6)


def loads(data: bytes) -> Classifier:
    if not data.startswith(FORMAT):
        raise TrainingError("not a grassroots triage model")
    return Classifier(pickle.loads(zlib.decompress(data[len(FORMAT) :])))  # noqa: S301  # our own format
