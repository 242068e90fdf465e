"""The category classifier: character n-gram TF-IDF (no word segmentation needed for
Chinese) with a linear SVM. One trainer for the product, the CLI and the benchmark.

Pure: texts and labels in, a :class:`Classifier` out; nothing here touches the database.
"""

from __future__ import annotations

import io
import pickle  # models are made by this trainer and kept in our own database
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

FORMAT = b"grassroots-triage-1\n"  # what :func:`dumps` writes first; a different file is refused
MAX_FEATURES = 300_000  # bounds the model's size however many cases a site has
MIN_PER_LABEL = 2


def text_of(title: str, description: str) -> str:
    """The text a case is classified by: its title, then its description."""
    return f"{title.strip()}。{description.strip()}"


def pipeline(c: float = 1.0) -> Pipeline:
    """Measured on the gov-messages set (bench/triage.py): character 1–3-grams with
    sublinear TF and C=1 were the best of the plain variants tried (docs/performance.md)."""
    return make_pipeline(
        TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            sublinear_tf=True,
            min_df=2,
            max_features=MAX_FEATURES,
            dtype=np.float32,
        ),
        LinearSVC(C=c),
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


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = 1.0) -> Classifier:
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
