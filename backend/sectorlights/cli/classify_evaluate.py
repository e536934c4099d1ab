"""`sectorlights classify --evaluate LABELS.csv`: out-of-fold accuracy of the SIC + name classifier.

Reads labelled listings (columns symbol,name,sic,label; label is one of our 8 sectors), runs
`analytics.classification_cv.cross_validate` and reports each method with its Wilson 95% interval
and per-sector accuracy, beside the in-sample figures (with and without the overrides file).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sectorlights.analytics.classification import classify_symbols
from sectorlights.analytics.classification_cv import Score, cross_validate, fit_sic_only, score
from sectorlights.config.sectors import LABEL_TUNED_SIC_RANGES, SIC_RANGES
from sectorlights.core.csv_header import normalised_reader
from sectorlights.domain.frame import IntArray, StrArray
from sectorlights.domain.vocabulary import SECTORS, Sector

LABEL_COLUMNS = ("symbol", "name", "sic", "label")
# A learned SIC code needs this many training rows; fewer rows measured worse out of fold
# (docs/classification.md), so the default learns only well-populated codes.
DEFAULT_MIN_ROWS = 4

METHOD_DESCRIPTIONS = {
    "configured": "SIC ranges + name as shipped (no fitting step, so out of fold = in sample)",
    "learned_codes": "SIC-code majority layer fitted on training folds + SIC ranges + name",
    "selected_ranges": "SIC ranges + name, each label-tuned range kept only if the training folds favour it",
    "sic_ranges": "configured SIC ranges alone",
    "sic_codes_over_ranges": "SIC-code majority layer fitted on training folds + SIC ranges, no name",
    "sic_only": "SIC-only map fitted on training folds (code, else 2-digit group): the out-of-fold ceiling",
}


class LabelsFileError(ValueError):
    """The labels file cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True, slots=True)
class Labels:
    symbols: StrArray
    names: StrArray
    sic_codes: IntArray
    truth: IntArray


def read_labels(path: Path) -> Labels:
    allowed = ", ".join(sector.value for sector in SECTORS)
    expected = ",".join(LABEL_COLUMNS)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader, missing = normalised_reader(handle, LABEL_COLUMNS)
            if missing:
                raise LabelsFileError(f"{path}: missing column(s) {', '.join(missing)}; expected {expected}")
            symbols, names, codes, truth = [], [], [], []
            for line, row in enumerate(reader, start=2):
                sic = (row.get("sic") or "").strip()
                label = (row.get("label") or "").strip()
                if not sic.isdigit():
                    raise LabelsFileError(f"{path}: line {line}: sic must be a number, got {sic!r}")
                try:
                    truth.append(SECTORS.index(Sector(label)))
                except ValueError:
                    raise LabelsFileError(
                        f"{path}: line {line}: unknown label {label!r} (allowed: {allowed})"
                    ) from None
                symbols.append((row.get("symbol") or "").strip().upper())
                names.append((row.get("name") or "").strip())
                codes.append(int(sic))
    except OSError as error:
        raise LabelsFileError(
            f"{path}: cannot read ({error.strerror}); expected columns {expected}"
        ) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise LabelsFileError(f"{path}: not a readable CSV ({error}); expected columns {expected}") from None
    return Labels(
        symbols=np.asarray(symbols, dtype=np.str_),
        names=np.asarray(names, dtype=np.str_),
        sic_codes=np.asarray(codes, dtype=np.int64),
        truth=np.asarray(truth, dtype=np.int64),
    )


def _score_document(result: Score) -> dict[str, object]:
    per_sector = result.sector_accuracy()
    return {
        "accuracy": round(result.accuracy, 4),
        "correct": result.correct,
        "rows": result.rows,
        "interval_95": [round(bound, 4) for bound in result.interval],
        "per_sector": {
            sector.value: {
                "correct": int(result.sector_correct[index]),
                "rows": int(result.sector_rows[index]),
                "accuracy": None if np.isnan(per_sector[index]) else round(float(per_sector[index]), 4),
            }
            for index, sector in enumerate(SECTORS)
        },
    }


@dataclass(frozen=True, slots=True)
class Evaluation:
    rows: int
    folds: int
    seed: int
    min_rows: int
    out_of_fold: dict[str, Score]  # keyed like METHOD_DESCRIPTIONS
    in_sample: dict[str, Score]
    overridden_rows: int

    def document(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "folds": self.folds,
            "seed": self.seed,
            "min_rows": self.min_rows,
            "out_of_fold": {
                name: {"method": METHOD_DESCRIPTIONS[name], **_score_document(result)}
                for name, result in self.out_of_fold.items()
            },
            "in_sample": {name: _score_document(result) for name, result in self.in_sample.items()},
            "overridden_rows": self.overridden_rows,
        }

    def text(self) -> str:
        lines = [
            f"{self.rows} labelled rows, {self.folds} stratified folds, seed {self.seed}, "
            f"learned SIC codes need {self.min_rows} training rows",
            "",
            "out of fold:",
        ]
        lines += [_line(name, result, METHOD_DESCRIPTIONS[name]) for name, result in self.out_of_fold.items()]
        lines += ["", f"in sample (fitted on or curated from these rows; {self.overridden_rows} overridden):"]
        lines += [_line(name, result, "") for name, result in self.in_sample.items()]
        lines += ["", "per sector, out of fold (configured):"]
        configured = self.out_of_fold["configured"]
        lines += [
            f"  {sector.value:<24} {configured.sector_correct[index]}/{configured.sector_rows[index]}"
            for index, sector in enumerate(SECTORS)
        ]
        return "\n".join(lines)


def _line(name: str, result: Score, what: str) -> str:
    low, high = result.interval
    return (
        f"  {name:<28} {result.accuracy:.3f} ({result.correct}/{result.rows}, 95% {low:.3f}-{high:.3f})"
        f"  {what}"
    ).rstrip()


def evaluate(
    labels: Labels, overrides: Mapping[str, Sector], *, folds: int, seed: int, min_rows: int
) -> Evaluation:
    """Out-of-fold scores of every method, and the in-sample ones (docs/classification.md)."""
    if labels.truth.size < folds:
        raise LabelsFileError(f"{labels.truth.size} labelled rows cannot fill {folds} folds")
    result = cross_validate(
        labels.names,
        labels.sic_codes,
        labels.truth,
        ranges=SIC_RANGES,
        tuned_ranges=LABEL_TUNED_SIC_RANGES,
        folds=folds,
        seed=seed,
        min_rows=min_rows,
    )
    per_row = [overrides.get(symbol) for symbol in labels.symbols.tolist()]
    with_overrides = classify_symbols(labels.names, labels.sic_codes, overrides=per_row).sector_index
    fitted_on_all = fit_sic_only(labels.sic_codes, labels.truth).predict(labels.sic_codes)
    truth = labels.truth
    return Evaluation(
        rows=int(truth.size),
        folds=folds,
        seed=seed,
        min_rows=min_rows,
        out_of_fold={name: score(truth, getattr(result, name)) for name in METHOD_DESCRIPTIONS},
        in_sample={
            "configured": score(truth, result.configured),
            "configured_with_overrides": score(truth, with_overrides),
            "sic_only_fitted_on_all_rows": score(truth, fitted_on_all),
        },
        overridden_rows=sum(sector is not None for sector in per_row),
    )
