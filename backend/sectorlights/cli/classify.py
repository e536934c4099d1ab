"""`sectorlights classify`: sectors for a CSV of symbols, the way the analysis classifies them."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sectorlights.analytics.classification import classify_symbols
from sectorlights.cli.classify_evaluate import DEFAULT_MIN_ROWS, LabelsFileError, evaluate, read_labels
from sectorlights.cli.common import Commands, add_command, add_json_flag, print_json
from sectorlights.core.csv_header import normalised_reader
from sectorlights.domain.vocabulary import Sector
from sectorlights.settings import ConfigurationError, Settings

CLASSIFY_COLUMNS = ("symbol", "name", "sic")
CLASSIFY_OPTIONAL_COLUMN = "fmp_sector"
OUTPUT_COLUMNS = ("symbol", "sector", "confidence", "source")


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "classify",
        "classify a CSV of symbol,name,sic[,fmp_sector] into sectors (CSV on stdout); overrides apply",
        "Classify each row of a CSV with columns symbol,name,sic (and optionally fmp_sector) into one "
        "of the eight sectors: the classification overrides file first, then the FMP sector, the SIC "
        "code and the name. Prints symbol,sector,confidence,source as CSV (an empty sector when none "
        "applies).",
        run,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", type=Path, help="CSV with columns symbol,name,sic")
    source.add_argument(
        "--evaluate",
        type=Path,
        metavar="LABELS.csv",
        help="instead of classifying, measure the SIC + name classifier against labelled rows "
        "(columns symbol,name,sic,label) by stratified k-fold cross-validation",
    )
    parser.add_argument("--folds", type=_at_least_two, default=5, help="folds for --evaluate (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="fold shuffling seed for --evaluate (default 0)")
    parser.add_argument(
        "--min-rows",
        type=_at_least_one,
        default=DEFAULT_MIN_ROWS,
        help=f"training rows a SIC code needs to be learned, for --evaluate (default {DEFAULT_MIN_ROWS})",
    )
    add_json_flag(parser, "the classifications (or the evaluation)")


def _positive_int(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def _at_least_two(text: str) -> int:
    return _positive_int(text, 2)


def _at_least_one(text: str) -> int:
    return _positive_int(text, 1)


def run(settings: Settings, arguments: argparse.Namespace) -> int:
    from sectorlights.config.sectors import (
        CLASSIFICATION_OVERRIDES_FILE,
        OverridesFileError,
        load_classification_overrides,
    )

    try:
        overrides = load_classification_overrides(
            settings.analysis.classification_overrides or CLASSIFICATION_OVERRIDES_FILE
        )
    except OverridesFileError as error:
        raise ConfigurationError(
            f"configuration error: SECTORLIGHTS_CLASSIFICATION_OVERRIDES: {error}"
        ) from None
    if arguments.evaluate is not None:
        return _run_evaluation(arguments, overrides)
    try:
        rows = read_classify_csv(arguments.file)
    except ClassificationFileError as error:
        raise ConfigurationError(f"configuration error: --file {error}") from None
    classified = classify_input(rows, {symbol: sector.value for symbol, sector in overrides.items()})
    if arguments.json:
        print_json({"classifications": [dict(zip(OUTPUT_COLUMNS, row, strict=True)) for row in classified]})
        return 0
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(classified)
    return 0


def _run_evaluation(arguments: argparse.Namespace, overrides: Mapping[str, Sector]) -> int:
    try:
        evaluation = evaluate(
            read_labels(arguments.evaluate),
            overrides,
            folds=arguments.folds,
            seed=arguments.seed,
            min_rows=arguments.min_rows,
        )
    except LabelsFileError as error:
        raise ConfigurationError(f"configuration error: --evaluate {error}") from None
    if arguments.json:
        print_json(evaluation.document())
    else:
        print(evaluation.text())
    return 0


class ClassificationFileError(ValueError):
    """The classify input cannot be read; the message is one line naming the file."""


@dataclass(frozen=True, slots=True)
class ClassifyInput:
    symbols: list[str]
    names: list[str]
    sic_codes: list[int | None]
    fmp_sectors: list[str | None] | None


def _expected() -> str:
    return ",".join(CLASSIFY_COLUMNS) + f" (optional {CLASSIFY_OPTIONAL_COLUMN})"


def read_classify_csv(path: Path) -> ClassifyInput:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader, missing = normalised_reader(handle, CLASSIFY_COLUMNS)
            if missing:
                raise ClassificationFileError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected columns {_expected()}"
                )
            has_fmp = CLASSIFY_OPTIONAL_COLUMN in (reader.fieldnames or [])
            symbols: list[str] = []
            names: list[str] = []
            sic_codes: list[int | None] = []
            fmp: list[str | None] = []
            for line, record in enumerate(reader, start=2):
                sic = (record.get("sic") or "").strip()
                try:
                    sic_codes.append(int(sic) if sic else None)
                except ValueError:
                    raise ClassificationFileError(
                        f"{path}: line {line}: sic is not a number: {sic!r}; expected columns {_expected()}"
                    ) from None
                symbols.append((record.get("symbol") or "").strip().upper())
                names.append((record.get("name") or "").strip())
                fmp.append((record.get(CLASSIFY_OPTIONAL_COLUMN) or "").strip() or None)
    except OSError as error:
        raise ClassificationFileError(
            f"{path}: cannot read ({error.strerror}); expected a CSV with columns {_expected()}"
        ) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ClassificationFileError(
            f"{path}: not a readable CSV ({error}); expected columns {_expected()}"
        ) from None
    return ClassifyInput(symbols, names, sic_codes, fmp if has_fmp else None)


def classify_input(
    rows: ClassifyInput, overrides: Mapping[str, str] | None = None
) -> list[tuple[str, str, float, str]]:
    """(symbol, sector or '', confidence, source) per row: overrides, the FMP column, SIC, name."""
    result = classify_symbols(
        rows.names,
        rows.sic_codes,
        fmp_sectors=rows.fmp_sectors,
        overrides=None if overrides is None else [overrides.get(symbol) for symbol in rows.symbols],
    )
    out = []
    for index, symbol in enumerate(rows.symbols):
        sector = result.sector_at(index)
        out.append(
            (
                symbol,
                "" if sector is None else sector.value,
                round(float(result.confidence[index]), 4),
                str(result.source[index]),
            )
        )
    return out
