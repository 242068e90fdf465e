from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.triage import services
from grassroots.triage.classifier import TrainingError, dumps, loads, text_of, train
from grassroots.triage.models import TriageModel


class Command(BaseCommand):
    help = (
        "Category models: 'train' (from a labelled CSV into a file, or from the site's cases), "
        "'predict' (adds a predicted column), 'models', 'activate VERSION'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fit = sub.add_parser("train", help="Train from --csv into --out, or from the site's classified cases.")
        fit.add_argument("--csv", type=Path)
        fit.add_argument("--text-columns", default="title,detail")
        fit.add_argument("--label-column", default="label")
        fit.add_argument("--out", type=Path)
        fit.add_argument("--activate", action="store_true", help="(site model) make it the active one")
        guess = sub.add_parser("predict", help="Write the CSV back with a 'predicted' column.")
        guess.add_argument("--model", type=Path, required=True)
        guess.add_argument("--csv", type=Path, required=True)
        guess.add_argument("--text-columns", default="title,detail")
        guess.add_argument("--out", type=Path, help="file to write (default: standard output)")
        sub.add_parser("models", help="List the site's model versions.")
        choose = sub.add_parser("activate", help="Make a model version the active one.")
        choose.add_argument("version", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except TrainingError as error:
            raise CommandError(str(error)) from error

    def _train(self, *, csv: Path | None, text_columns: str, label_column: str, out: Path | None, **o: Any) -> None:
        if csv is None:
            model = services.train_site_model(actor=None, activate=o["activate"])
            figures = f", accuracy {model.accuracy:.3f}, macro-F1 {model.macro_f1:.3f}" if model.accuracy else ""
            self.stdout.write(
                f"model v{model.version}: {model.trained_on} cases, {len(model.labels)} categories{figures}"
            )
            return
        if out is None:
            raise CommandError("--out is needed with --csv")
        rows, columns = _read(csv, text_columns)
        if label_column not in rows[0]:
            raise CommandError(f"{csv}: no column {label_column!r}")
        labelled = [r for r in rows if (r[label_column] or "").strip()]
        classifier = train([_text(r, columns) for r in labelled], [r[label_column].strip() for r in labelled])
        out.write_bytes(dumps(classifier))
        self.stdout.write(f"trained on {len(labelled)} rows, {len(classifier.labels)} labels: {out}")

    def _predict(self, *, model: Path, csv: Path, text_columns: str, out: Path | None, **o: Any) -> None:
        try:
            classifier = loads(model.read_bytes())
        except OSError as error:
            raise CommandError(f"{model}: {error.strerror}") from error
        rows, columns = _read(csv, text_columns)
        predicted = classifier.predict([_text(r, columns) for r in rows])
        handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
        writer = _writer(handle, [*rows[0].keys(), "predicted"])
        for row, label in zip(rows, predicted, strict=True):
            writer.writerow({**row, "predicted": label})
        if out:
            handle.close()
            self.stdout.write(f"predicted {len(rows)} rows: {out}")

    def _models(self, **o: Any) -> None:
        for m in TriageModel.objects.defer("data"):
            figures = (
                f"accuracy {m.accuracy:.3f} macro-F1 {m.macro_f1:.3f}" if m.accuracy is not None else "not validated"
            )
            mark = "active" if m.is_active else ""
            self.stdout.write(f"v{m.version}  {m.created_at:%Y-%m-%d %H:%M}  {m.trained_on} cases  {figures}  {mark}")

    def _activate(self, *, version: int, **o: Any) -> None:
        model = TriageModel.objects.defer("data").filter(version=version).first()
        if model is None:
            raise CommandError(f"there is no model v{version}")
        services.activate_model(model, actor=None)
        self.stdout.write(f"v{version} is now active")


def _read(path: Path, text_columns: str) -> tuple[list[dict[str, str]], list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: not UTF-8 (byte {error.start})") from error
    if not rows:
        raise CommandError(f"{path}: no rows")
    columns = [c.strip() for c in text_columns.split(",") if c.strip()]
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise CommandError(f"{path}: no column {', '.join(missing)} (it has {', '.join(rows[0].keys())})")
    return rows, columns


def _text(row: dict[str, str], columns: list[str]) -> str:
    if len(columns) == 1:
        return row[columns[0]] or ""
    return text_of(row[columns[0]] or "", "\n".join(row[c] or "" for c in columns[1:]))


def _writer(handle: Any, fields: list[str]) -> Any:
    writer = csv.DictWriter(handle, fieldnames=fields)
    writer.writeheader()
    return writer
