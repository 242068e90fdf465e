"""Category suggestion quality and speed on real citizen messages.

    .venv/bin/python -m bench.triage [--data ../shared/data/gov-messages] [--folds 5]

Data: ``messages_details_labels.csv`` of the 2020 Teddy Cup citizen messages (see its
PROVENANCE.md; not in this repository — no licence is stated, so neither the data nor a
model trained on it is committed). Title and body together, first-level labels; the two
doubly-labelled rows are left out. The model is made by
:func:`grassroots.triage.classifier.train`, the product's own trainer, under stratified
k-fold cross-validation. Latency: one case at a time (as at intake), on one core.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from pathlib import Path

# One core, as the target says, for the latency and the fits alike.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")

from bench.common import Timing, table  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gov-messages"


def load(data: Path) -> tuple[list[str], list[str]]:
    from grassroots.triage.classifier import text_of

    with (data / "messages_details_labels.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if "|" not in r["label"]]
    return [text_of(r["title"], r["detail"]) for r in rows], [r["label"] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-cases", type=int, default=500)
    args = parser.parse_args()

    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    from grassroots.triage.classifier import train

    texts, labels = load(args.data)
    predicted = [""] * len(texts)
    fits = []
    for fit, held in StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, labels):
        start = time.perf_counter()
        model = train([texts[i] for i in fit], [labels[i] for i in fit])
        fits.append(time.perf_counter() - start)
        for i, label in zip(held, model.predict([texts[i] for i in held]), strict=True):
            predicted[i] = label
    accuracy = accuracy_score(labels, predicted)
    macro_f1 = f1_score(labels, predicted, average="macro")

    samples = []
    for text in texts[: args.latency_cases]:
        start = time.perf_counter()
        model.top([text])
        samples.append((time.perf_counter() - start) * 1000)

    print(f"\n{platform.processor() or platform.machine()}, Python {platform.python_version()}, one thread")
    print(f"{len(texts):,} messages, {len(set(labels))} first-level labels, {args.folds}-fold cross-validation")
    print(f"accuracy {accuracy:.4f}   macro-F1 {macro_f1:.4f}   training {sum(fits) / len(fits):.1f} s a fold\n")
    print(table([Timing("suggest one case (top 3)", samples)]))


if __name__ == "__main__":
    main()
