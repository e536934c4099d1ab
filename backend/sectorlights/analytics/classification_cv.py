"""Out-of-fold accuracy of sector classification (docs/classification.md, "Measured accuracy").

Stratified k-fold cross-validation on labelled listings. Whatever is learned from labels is fitted
on the training folds only and scored on the held-out fold:

- the SIC-code layer (`fit_sic_code_sectors`): the majority sector of each SIC code seen at least
  `min_rows` times, laid over the configured `SIC_RANGES` table;
- the SIC-only ceiling (`fit_sic_only`): majority per SIC code, else per 2-digit major group, else
  the most common sector. No SIC -> sector map fitted on the same folds does better on average.

The configured `SIC_RANGES`, `WEAK_SIC_CODES` and `NAME_KEYWORDS` have no fitting procedure: they
are fixed inputs here, so their part of the figure is as in-sample as the labels they were written
from. Symbol overrides memorise their symbols and are left out (they cannot carry to another fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sectorlights.analytics.classification import (
    NO_SECTOR,
    SIC_CODE_COUNT,
    build_sic_table,
    classify_symbols,
)
from sectorlights.analytics.intervals import Z_95
from sectorlights.analytics.intervals import wilson_interval as wilson
from sectorlights.domain.frame import FloatArray, IntArray, StrArray
from sectorlights.domain.vocabulary import SECTORS, Sector

SicRange = tuple[int, int, Sector]
TunedRange = tuple[int, int, Sector | None]

MAJOR_GROUP_COUNT = 100  # 2-digit SIC major groups (code // 100)


def stratified_folds(truth: IntArray, folds: int, seed: int) -> IntArray:
    """Fold number (0..folds-1) per row: each sector's rows shuffled by `seed` and dealt in turn."""
    labels = np.asarray(truth, dtype=np.int64)
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    if labels.size < folds:
        raise ValueError(f"{labels.size} rows cannot fill {folds} folds")
    rng = np.random.default_rng(seed)
    fold = np.empty(labels.shape, dtype=np.int64)
    offset = 0
    for sector in np.unique(labels).tolist():
        rows = rng.permutation(np.flatnonzero(labels == sector))
        # Continue dealing where the previous sector stopped, so small sectors do not all start in fold 0.
        fold[rows] = (np.arange(rows.size) + offset) % folds
        offset += rows.size
    return fold


def _majority(keys: IntArray, truth: IntArray, key_count: int) -> tuple[IntArray, IntArray]:
    """Per key: the most frequent sector (ties to the lower index) and how many rows it had."""
    counts = np.zeros((key_count, len(SECTORS)), dtype=np.int64)
    np.add.at(counts, (keys, truth), 1)
    return np.argmax(counts, axis=1).astype(np.int64), counts.sum(axis=1)


def _valid_codes(sic_codes: IntArray) -> npt.NDArray[np.bool_]:
    return (sic_codes >= 0) & (sic_codes < SIC_CODE_COUNT)


def fit_sic_code_sectors(sic_codes: IntArray, truth: IntArray, min_rows: int) -> IntArray:
    """(10,000,) majority sector per SIC code with at least `min_rows` labelled rows, else -1."""
    codes = np.asarray(sic_codes, dtype=np.int64)
    labels = np.asarray(truth, dtype=np.int64)
    valid = _valid_codes(codes) & (labels >= 0)
    majority, rows = _majority(codes[valid], labels[valid], SIC_CODE_COUNT)
    return np.where(rows >= max(min_rows, 1), majority, NO_SECTOR)


def overlay_sic_table(base_table: npt.NDArray[np.integer], code_sectors: IntArray) -> IntArray:
    """The base SIC table with every learned code (not -1) replaced by its learned sector."""
    return np.where(code_sectors >= 0, code_sectors, np.asarray(base_table, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class SicOnlyMap:
    """A fitted SIC -> sector map: per code, else per 2-digit major group, else one sector."""

    by_code: IntArray
    by_group: IntArray
    fallback: int

    def predict(self, sic_codes: IntArray) -> IntArray:
        codes = np.asarray(sic_codes, dtype=np.int64)
        valid = _valid_codes(codes)
        safe = np.where(valid, codes, 0)
        by_code = np.where(valid, self.by_code[safe], NO_SECTOR)
        by_group = np.where(valid, self.by_group[safe // 100], NO_SECTOR)
        return np.where(by_code >= 0, by_code, np.where(by_group >= 0, by_group, self.fallback))


def fit_sic_only(sic_codes: IntArray, truth: IntArray) -> SicOnlyMap:
    codes = np.asarray(sic_codes, dtype=np.int64)
    labels = np.asarray(truth, dtype=np.int64)
    valid = _valid_codes(codes) & (labels >= 0)
    by_code, code_rows = _majority(codes[valid], labels[valid], SIC_CODE_COUNT)
    by_group, group_rows = _majority(codes[valid] // 100, labels[valid], MAJOR_GROUP_COUNT)
    fallback = int(np.argmax(np.bincount(labels[labels >= 0], minlength=len(SECTORS))))
    return SicOnlyMap(
        by_code=np.where(code_rows > 0, by_code, NO_SECTOR),
        by_group=np.where(group_rows > 0, by_group, NO_SECTOR),
        fallback=fallback,
    )


def revert_range(ranges: Sequence[SicRange], tuned: TunedRange) -> list[SicRange]:
    """`ranges` with the entry covering exactly (low, high) put back as it was before tuning."""
    low, high, before = tuned
    reverted: list[SicRange] = []
    for entry in ranges:
        if entry[:2] != (low, high):
            reverted.append(entry)
        elif before is not None:
            reverted.append((low, high, before))
    return reverted


def select_tuned_ranges(
    names: StrArray,
    sic_codes: IntArray,
    truth: IntArray,
    ranges: Sequence[SicRange],
    tuned: Sequence[TunedRange],
) -> list[SicRange]:
    """`ranges` keeping each tuned entry only where it classifies the given rows strictly better
    (SIC + name) than its state before tuning; judged one entry at a time against all the others."""
    labels = np.asarray(truth, dtype=np.int64)

    def correct(candidate: Sequence[SicRange]) -> int:
        table = build_sic_table(candidate)
        return int(np.sum(classify_symbols(names, sic_codes, sic_table=table).sector_index == labels))

    with_all = correct(ranges)
    selected = list(ranges)
    for entry in tuned:
        if correct(revert_range(ranges, entry)) >= with_all:
            selected = revert_range(selected, entry)
    return selected


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials."""
    interval = wilson(successes, trials, z)
    if interval.low is None or interval.high is None:
        return 0.0, 1.0
    return interval.low, interval.high


@dataclass(frozen=True, slots=True)
class Score:
    """Accuracy of predictions against the truth, overall and per true sector (`SECTORS` order)."""

    correct: int
    rows: int
    interval: tuple[float, float]
    sector_correct: IntArray
    sector_rows: IntArray

    @property
    def accuracy(self) -> float:
        return self.correct / self.rows if self.rows else 0.0

    def sector_accuracy(self) -> FloatArray:
        return np.where(self.sector_rows > 0, self.sector_correct / np.maximum(self.sector_rows, 1), np.nan)


def score(truth: IntArray, predicted: IntArray) -> Score:
    labels = np.asarray(truth, dtype=np.int64)
    hits = labels == np.asarray(predicted, dtype=np.int64)
    correct = int(hits.sum())
    return Score(
        correct=correct,
        rows=int(labels.size),
        interval=wilson_interval(correct, int(labels.size)),
        sector_correct=np.bincount(labels[hits], minlength=len(SECTORS)).astype(np.int64),
        sector_rows=np.bincount(labels, minlength=len(SECTORS)).astype(np.int64),
    )


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Out-of-fold predictions (sector index per row) of each method, and the fold of each row."""

    fold: IntArray
    configured: IntArray  # SIC ranges + name, nothing fitted: the plain accuracy
    learned_codes: IntArray  # the SIC-code layer fitted on the training folds, + ranges + name
    sic_ranges: IntArray  # configured SIC ranges alone
    sic_only: IntArray  # the SIC-only ceiling map fitted on the training folds
    sic_codes_over_ranges: IntArray  # the SIC-code layer fitted on the training folds + ranges, no name
    selected_ranges: IntArray  # SIC + name, the label-tuned ranges kept only where the training folds say


def cross_validate(
    names: StrArray,
    sic_codes: IntArray,
    truth: IntArray,
    *,
    ranges: Sequence[SicRange],
    tuned_ranges: Sequence[TunedRange],
    folds: int,
    seed: int,
    min_rows: int,
) -> CrossValidation:
    """Out-of-fold predictions with the configured SIC `ranges`, of which `tuned_ranges` were chosen
    from labels (each with its state before)."""
    codes = np.asarray(sic_codes, dtype=np.int64)
    labels = np.asarray(truth, dtype=np.int64)
    if not (codes.shape == labels.shape == np.shape(names)):
        raise ValueError("names, sic_codes and truth differ in length")
    fold = stratified_folds(labels, folds, seed)
    base = build_sic_table(ranges).astype(np.int64)
    configured = classify_symbols(names, codes, sic_table=base).sector_index
    safe_codes = np.clip(codes, 0, SIC_CODE_COUNT - 1)
    sic_ranges = np.where(_valid_codes(codes), base[safe_codes], NO_SECTOR)
    learned = np.full(labels.shape, NO_SECTOR, dtype=np.int64)
    sic_only = np.full(labels.shape, NO_SECTOR, dtype=np.int64)
    codes_over_ranges = np.full(labels.shape, NO_SECTOR, dtype=np.int64)
    selected = np.full(labels.shape, NO_SECTOR, dtype=np.int64)
    valid = _valid_codes(codes)
    for held in range(folds):
        test = fold == held
        train = ~test
        table = overlay_sic_table(base, fit_sic_code_sectors(codes[train], labels[train], min_rows))
        learned[test] = classify_symbols(names[test], codes[test], sic_table=table).sector_index
        codes_over_ranges[test] = np.where(valid[test], table[safe_codes[test]], NO_SECTOR)
        sic_only[test] = fit_sic_only(codes[train], labels[train]).predict(codes[test])
        kept = select_tuned_ranges(names[train], codes[train], labels[train], ranges, tuned_ranges)
        selected[test] = classify_symbols(
            names[test], codes[test], sic_table=build_sic_table(kept)
        ).sector_index
    return CrossValidation(
        fold=fold,
        configured=configured,
        learned_codes=learned,
        sic_ranges=sic_ranges,
        sic_only=sic_only,
        sic_codes_over_ranges=codes_over_ranges,
        selected_ranges=selected,
    )
