"""Cross-validation of sector classification: folds, fitted SIC maps, intervals, no leakage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sectorlights.analytics.classification import NO_SECTOR, SIC_CODE_COUNT, SIC_SECTOR_TABLE
from sectorlights.analytics.classification_cv import (
    cross_validate,
    fit_sic_code_sectors,
    fit_sic_only,
    overlay_sic_table,
    revert_range,
    score,
    select_tuned_ranges,
    stratified_folds,
    wilson_interval,
)
from sectorlights.config.sectors import LABEL_TUNED_SIC_RANGES, SIC_RANGES
from sectorlights.domain.vocabulary import SECTORS, Sector

TECHNOLOGY, HEALTHCARE, FINANCIAL, INDUSTRIALS = (
    SECTORS.index(Sector(name)) for name in ("technology", "healthcare", "financial", "industrials")
)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.integers(0, len(SECTORS) - 1), min_size=5, max_size=200),
    folds=st.integers(2, 5),
    seed=st.integers(0, 1_000),
)
def test_every_sector_is_dealt_evenly_over_the_folds(labels: list[int], folds: int, seed: int) -> None:
    truth = np.asarray(labels, dtype=np.int64)
    fold = stratified_folds(truth, folds, seed)
    assert fold.shape == truth.shape
    assert set(np.unique(fold).tolist()) <= set(range(folds))
    for sector in np.unique(truth).tolist():
        per_fold = np.bincount(fold[truth == sector], minlength=folds)
        assert per_fold.max() - per_fold.min() <= 1
    assert np.array_equal(fold, stratified_folds(truth, folds, seed))


def test_folds_need_two_folds_and_enough_rows() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        stratified_folds(np.zeros(10, dtype=np.int64), 1, 0)
    with pytest.raises(ValueError, match="cannot fill"):
        stratified_folds(np.zeros(3, dtype=np.int64), 5, 0)


@pytest.mark.parametrize(
    ("codes", "labels", "min_rows", "expected"),
    [
        # (code, learned sector): 2834 seen three times, twice healthcare.
        (
            [2834, 2834, 2834, 7372],
            [HEALTHCARE, HEALTHCARE, TECHNOLOGY, TECHNOLOGY],
            1,
            {2834: HEALTHCARE, 7372: TECHNOLOGY},
        ),
        (
            [2834, 2834, 2834, 7372],
            [HEALTHCARE, HEALTHCARE, TECHNOLOGY, TECHNOLOGY],
            2,
            {2834: HEALTHCARE, 7372: NO_SECTOR},
        ),
        ([2834, 2834, 2834, 7372], [HEALTHCARE, HEALTHCARE, TECHNOLOGY, TECHNOLOGY], 4, {2834: NO_SECTOR}),
        # Unknown (negative) and out-of-range codes teach nothing.
        ([-1, 12_345, 6022], [FINANCIAL, FINANCIAL, FINANCIAL], 1, {6022: FINANCIAL, 0: NO_SECTOR}),
    ],
)
def test_a_sic_code_is_learned_from_enough_rows(
    codes: list[int], labels: list[int], min_rows: int, expected: dict[int, int]
) -> None:
    table = fit_sic_code_sectors(np.asarray(codes), np.asarray(labels), min_rows)
    assert table.shape == (SIC_CODE_COUNT,)
    assert {code: int(table[code]) for code in expected} == expected


def test_learned_codes_replace_only_their_own_entries_of_the_base_table() -> None:
    learned = np.full(SIC_CODE_COUNT, NO_SECTOR, dtype=np.int64)
    learned[7389] = FINANCIAL
    table = overlay_sic_table(SIC_SECTOR_TABLE, learned)
    assert table[7389] == FINANCIAL
    changed = np.flatnonzero(table != SIC_SECTOR_TABLE.astype(np.int64))
    assert changed.tolist() == ([7389] if SIC_SECTOR_TABLE[7389] != FINANCIAL else [])


def test_the_sic_only_map_falls_back_from_code_to_major_group_to_the_commonest_sector() -> None:
    fitted = fit_sic_only(
        np.asarray([2834, 2834, 2836, 6022, 6021, 6035]),
        np.asarray([HEALTHCARE, HEALTHCARE, TECHNOLOGY, FINANCIAL, FINANCIAL, FINANCIAL]),
    )
    predicted = fitted.predict(np.asarray([2834, 2836, 2899, 6099, 7372, -1]))
    # 2899 is unseen but its group 28 is mostly healthcare; 7372 and -1 get the commonest sector.
    assert predicted.tolist() == [HEALTHCARE, TECHNOLOGY, HEALTHCARE, FINANCIAL, FINANCIAL, FINANCIAL]


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (391, 444, 0.8472, 0.9076),
        (0, 0, 0.0, 1.0),
    ],
)
def test_wilson_interval(successes: int, trials: int, low: float, high: float) -> None:
    assert wilson_interval(successes, trials) == pytest.approx((low, high), abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_the_wilson_interval_holds_the_observed_share(successes: int, trials: int) -> None:
    successes = min(successes, trials)
    low, high = wilson_interval(successes, trials)
    assert 0.0 <= low <= successes / trials <= high <= 1.0


def test_score_counts_overall_and_per_true_sector() -> None:
    result = score(
        np.asarray([TECHNOLOGY, TECHNOLOGY, HEALTHCARE]), np.asarray([TECHNOLOGY, HEALTHCARE, HEALTHCARE])
    )
    assert (result.correct, result.rows) == (2, 3)
    assert result.accuracy == pytest.approx(2 / 3)
    assert result.sector_correct[TECHNOLOGY] == 1 and result.sector_rows[TECHNOLOGY] == 2
    assert result.sector_accuracy()[HEALTHCARE] == 1.0
    assert np.isnan(result.sector_accuracy()[FINANCIAL])


def test_what_is_learned_never_sees_the_row_it_predicts() -> None:
    # Every row has its own SIC code and the code alone gives its label, so a map fitted on all rows
    # is perfect; out of fold no code was ever seen, and only the 2-digit groups can help.
    codes = np.asarray([2000 + index for index in range(60)] + [6000 + index for index in range(60)])
    truth = np.asarray([HEALTHCARE, TECHNOLOGY] * 30 + [FINANCIAL] * 60, dtype=np.int64)
    names = np.asarray(["Acme"] * truth.size)
    assert score(truth, fit_sic_only(codes, truth).predict(codes)).accuracy == 1.0
    result = cross_validate(
        names, codes, truth, ranges=SIC_RANGES, tuned_ranges=(), folds=5, seed=1, min_rows=1
    )
    # Group 20 is half healthcare, half technology: out of fold it can only get about half right.
    group_20 = codes < 3000
    assert score(truth[group_20], result.sic_only[group_20]).accuracy <= 0.7
    assert np.array_equal(result.sic_only[~group_20], truth[~group_20])
    # No code is shared between rows, so the learned layer adds nothing to the configured ranges.
    assert np.array_equal(result.learned_codes, result.configured)
    assert np.array_equal(result.sic_codes_over_ranges, result.sic_ranges)
    assert np.array_equal(result.selected_ranges, result.configured)


RANGES: list[tuple[int, int, Sector]] = [
    (7389, 7389, Sector.TECHNOLOGY),
    (3651, 3652, Sector.TECHNOLOGY),
    (7300, 7399, Sector.INDUSTRIALS),
    (3600, 3699, Sector.INDUSTRIALS),
]


def test_reverting_a_tuned_range_restores_its_earlier_state() -> None:
    assert revert_range(RANGES, (7389, 7389, None)) == RANGES[1:]
    assert revert_range(RANGES, (3651, 3652, Sector.CONSUMER_DISCRETIONARY))[1] == (
        3651,
        3652,
        Sector.CONSUMER_DISCRETIONARY,
    )
    assert revert_range(RANGES, (1000, 1099, None)) == RANGES


@pytest.mark.parametrize(
    ("labels", "kept"),
    [
        # The training rows favour the tuned 7389 -> technology: it stays.
        ([TECHNOLOGY, TECHNOLOGY, INDUSTRIALS], True),
        # They favour the range it overrode (industrials): it goes.
        ([INDUSTRIALS, INDUSTRIALS, TECHNOLOGY], False),
        # A tie is no evidence for the tuning: it goes.
        ([TECHNOLOGY, INDUSTRIALS, HEALTHCARE], False),
    ],
)
def test_a_tuned_range_is_kept_only_when_the_training_rows_favour_it(labels: list[int], kept: bool) -> None:
    names = np.asarray(["Acme", "Bolt", "Core"])
    codes = np.asarray([7389, 7389, 7389])
    selected = select_tuned_ranges(names, codes, np.asarray(labels), RANGES, [(7389, 7389, None)])
    assert ((7389, 7389, Sector.TECHNOLOGY) in selected) is kept
    assert selected[-3:] == RANGES[1:]


def test_cross_validation_rejects_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        cross_validate(
            np.asarray(["A", "B"]),
            np.asarray([1, 2, 3]),
            np.asarray([0, 1]),
            ranges=SIC_RANGES,
            tuned_ranges=(),
            folds=2,
            seed=0,
            min_rows=1,
        )


def test_every_label_tuned_range_is_a_configured_range() -> None:
    configured = {(low, high) for low, high, _ in SIC_RANGES}
    assert all((low, high) in configured for low, high, _ in LABEL_TUNED_SIC_RANGES)
