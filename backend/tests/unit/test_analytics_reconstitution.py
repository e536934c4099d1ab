"""The small-cap approximation of the US validation set: a yearly reconstitution by median dollar
volume over the year before, the top N left out, members written with a lead and a trail."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sectorlights.analytics.reconstitution import (
    ReconstitutionRules,
    boundary_overlap,
    median_dollar_volume,
    ranking_columns,
    reconstitute,
    small_cap_members,
    written_columns,
    written_mask,
)

NAN = float("nan")
# Three calendar years: 4 sessions of 2008, 3 of 2009, 3 of 2010.
YEARS = np.array([2008] * 4 + [2009] * 3 + [2010] * 3, dtype=np.int64)
SMALL_RULES = ReconstitutionRules(
    exclude_top=2, min_ranking_sessions=2, first_year_sessions=2, lead_sessions=1, trail_sessions=1
)


@pytest.mark.parametrize(
    ("year", "first_year_sessions", "expected"),
    [
        (2008, 2, [0, 1]),  # the data start in 2008: its own first sessions
        (2008, 10, [0, 1, 2, 3]),  # no more than the year has
        (2009, 2, [0, 1, 2, 3]),  # all of the year before, never the year itself
        (2010, 2, [4, 5, 6]),
        (2011, 2, [7, 8, 9]),  # a year after the data: ranked on the last year there is
        (2007, 2, []),  # before the data
        (2013, 2, []),  # no year before it in the data
    ],
)
def test_ranking_window(year: int, first_year_sessions: int, expected: list[int]) -> None:
    assert ranking_columns(YEARS, year, first_year_sessions).tolist() == expected


@pytest.mark.parametrize(
    ("year", "lead", "trail", "expected"),
    [
        (2008, 1, 1, [0, 1, 2, 3, 4]),  # no session before the data: the lead is clipped
        (2009, 1, 1, [3, 4, 5, 6, 7]),
        (2009, 0, 0, [4, 5, 6]),
        (2009, 2, 2, [2, 3, 4, 5, 6, 7, 8]),
        (2010, 1, 1, [6, 7, 8, 9]),  # no session after the data: the trail is clipped
        (2009, 40, 40, list(range(10))),
        (2011, 1, 1, []),  # a year without sessions writes nothing
    ],
)
def test_written_window(year: int, lead: int, trail: int, expected: list[int]) -> None:
    assert written_columns(YEARS, year, lead, trail).tolist() == expected


def test_median_skips_sessions_without_a_bar() -> None:
    dollar_volume = np.array([[1.0, 5.0, NAN, 3.0], [NAN, NAN, NAN, NAN], [2.0, NAN, NAN, NAN]])
    medians, counts = median_dollar_volume(dollar_volume, np.array([0, 1, 2, 3]))
    assert medians[0] == 3.0
    assert np.isnan(medians[1])
    assert medians[2] == 2.0
    assert counts.tolist() == [3, 0, 1]


@pytest.mark.parametrize(
    ("medians", "counts", "exclude_top", "members", "cutoff"),
    [
        # The two largest are left out; the rest are members.
        ([10.0, 40.0, 20.0, 30.0], [5, 5, 5, 5], 2, "A C", 30.0),
        # A tie at the cut-off goes by symbol: B is ranked before C.
        ([10.0, 30.0, 30.0, 5.0], [5, 5, 5, 5], 2, "A D", 30.0),
        ([10.0, 30.0, 30.0, 5.0], [5, 5, 5, 5], 1, "A C D", 30.0),
        # Too few sessions: not ranked, so neither a member nor one of the top.
        ([10.0, 40.0, 20.0, 30.0], [5, 1, 5, 5], 2, "A", 20.0),
        # Unknown median: not ranked.
        ([NAN, 40.0, 20.0, 30.0], [5, 5, 5, 5], 1, "C D", 40.0),
        # Fewer ranked than the top: nobody is a member.
        ([10.0, 40.0, 20.0, 30.0], [5, 5, 5, 5], 4, "", 10.0),
        ([10.0, 40.0, 20.0, 30.0], [5, 5, 5, 5], 10, "", 10.0),
        # Nothing left out: every ranked stock, and no cut-off.
        ([10.0, 40.0, 20.0, 30.0], [5, 5, 5, 5], 0, "A B C D", NAN),
    ],
)
def test_the_largest_are_left_out(
    medians: list[float], counts: list[int], exclude_top: int, members: str, cutoff: float
) -> None:
    symbols = np.array(["A", "B", "C", "D"])
    ranked, chosen, found_cutoff = small_cap_members(
        symbols, np.array(medians), np.array(counts), exclude_top, min_ranking_sessions=2
    )
    assert " ".join(symbols[chosen]) == members
    assert not bool((chosen & ~ranked).any())
    assert found_cutoff == cutoff or (np.isnan(cutoff) and np.isnan(found_cutoff))


def _table() -> tuple[np.ndarray, np.ndarray]:
    """Five stocks over YEARS. In January 2008 (the first two sessions) A and B are the largest; over
    all of 2008 C and D are; over 2009 A and E are. E starts trading in 2009."""
    symbols = np.array(["A", "B", "C", "D", "E"])
    dollar_volume = np.array(
        [
            # 2008 ---------------  2009 ------------  2010 ----------
            [90.0, 90.0, 1.0, 1.0, 80.0, 80.0, 80.0, 1.0, 1.0, 1.0],  # A
            [80.0, 80.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],  # B
            [3.0, 3.0, 70.0, 70.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0],  # C
            [4.0, 4.0, 60.0, 60.0, 4.0, 4.0, 4.0, 4.0, 4.0, NAN],  # D
            [NAN, NAN, NAN, NAN, 90.0, 90.0, 90.0, 9.0, 9.0, 9.0],  # E
        ]
    )
    return symbols, dollar_volume


def test_each_year_is_ranked_on_the_year_before() -> None:
    symbols, dollar_volume = _table()
    years = reconstitute(symbols, YEARS, dollar_volume, SMALL_RULES)
    members = {year.year: " ".join(symbols[year.members]) for year in years}
    # 2008 on its first two sessions (A, B largest); 2009 on 2008's medians (A 45.5, B 41, C 36.5,
    # D 32): A and B out; 2010 on 2009 (E 90, A 80).
    assert members == {2008: "C D", 2009: "C D", 2010: "B C D"}
    ranked = {year.year: int(year.ranked.sum()) for year in years}
    assert ranked == {2008: 4, 2009: 4, 2010: 5}  # E has no 2008 bar, so it waits for 2010
    assert [year.cutoff_usd for year in years] == [80.0, 41.0, 80.0]


def test_members_are_written_over_their_years_with_a_lead_and_a_trail() -> None:
    symbols, dollar_volume = _table()
    has_bar = np.isfinite(dollar_volume)
    years = reconstitute(symbols, YEARS, dollar_volume, SMALL_RULES)
    written = written_mask(years, has_bar)
    expected = {
        "A": [],
        # A 2010 member: its lead is 2009's last session, and there is no session after 2010.
        "B": [6, 7, 8, 9],
        "C": list(range(10)),
        "D": list(range(9)),  # no bar on the last session: nothing to write
        "E": [],
    }
    assert {symbol: np.flatnonzero(written[row]).tolist() for row, symbol in enumerate(symbols)} == expected


def test_the_turn_of_the_year_counts_entrants_written_early_and_leavers_written_late() -> None:
    symbols = np.array(["IN", "OUT", "STAY"])
    years_by_session = np.array([2008, 2008, 2009, 2009], dtype=np.int64)
    # IN is the largest on 2008's first session (its ranking window), OUT over all of 2008.
    dollar_volume = np.array([[9.0, 1.0, 1.0, 1.0], [1.0, 20.0, 1.0, 1.0], [5.0, 5.0, 5.0, 5.0]])
    rules = ReconstitutionRules(
        exclude_top=1, min_ranking_sessions=1, first_year_sessions=1, lead_sessions=1, trail_sessions=1
    )
    years = reconstitute(symbols, years_by_session, dollar_volume, rules)
    assert [" ".join(symbols[year.members]) for year in years] == ["OUT STAY", "IN STAY"]
    has_bar = np.isfinite(dollar_volume)
    assert boundary_overlap(years[0], years[1], years_by_session, has_bar) == (1, 1)
    written = written_mask(years, has_bar)
    assert written.tolist() == [
        [False, True, True, True],  # IN: 2009's lead is 2008's last session
        [True, True, True, False],  # OUT: 2008's trail is 2009's first session
        [True, True, True, True],
    ]
    no_overlap = ReconstitutionRules(
        exclude_top=1, min_ranking_sessions=1, first_year_sessions=1, lead_sessions=0, trail_sessions=0
    )
    tight = reconstitute(symbols, years_by_session, dollar_volume, no_overlap)
    assert boundary_overlap(tight[0], tight[1], years_by_session, has_bar) == (0, 0)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        (6, 10),
        elements=st.one_of(st.just(NAN), st.floats(min_value=0.0, max_value=1e9)),
    ),
    st.integers(min_value=0, max_value=7),
    hnp.arrays(np.float64, (6, 3), elements=st.floats(min_value=0.0, max_value=1e9)),
)
def test_a_year_s_own_prices_never_choose_its_members(
    dollar_volume: np.ndarray, exclude_top: int, replacement: np.ndarray
) -> None:
    """No look-ahead: changing 2010's dollar volumes changes nobody's 2010 membership, the members
    are exactly the ranked stocks past the top N, and no excluded stock is smaller than a member."""
    symbols = np.array(["A", "B", "C", "D", "E", "F"])
    rules = ReconstitutionRules(
        exclude_top=exclude_top, min_ranking_sessions=2, first_year_sessions=2, lead_sessions=1
    )
    before = reconstitute(symbols, YEARS, dollar_volume, rules)
    changed = dollar_volume.copy()
    changed[:, 7:] = replacement
    after = reconstitute(symbols, YEARS, changed, rules)
    assert before[2].members.tolist() == after[2].members.tolist()
    for year in before:
        assert int(year.members.sum()) == max(int(year.ranked.sum()) - exclude_top, 0)
        excluded = year.ranked & ~year.members
        if bool(year.members.any()) and bool(excluded.any()):
            medians = year.median_dollar_volume_usd
            assert medians[year.members].max() <= medians[excluded].min() == year.cutoff_usd


def test_a_bar_is_written_only_where_there_is_one() -> None:
    symbols, dollar_volume = _table()
    has_bar = np.isfinite(dollar_volume)
    everything = ReconstitutionRules(exclude_top=0, min_ranking_sessions=1, first_year_sessions=2)
    written = written_mask(reconstitute(symbols, YEARS, dollar_volume, everything), has_bar)
    assert not bool((written & ~has_bar).any())
    assert written[:4].tolist() == has_bar[:4].tolist()  # with nobody left out, A-D are written whole


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"exclude_top": -1}, "exclude_top must be >= 0"),
        ({"lead_sessions": -1}, "lead_sessions and trail_sessions"),
        ({"trail_sessions": -2}, "lead_sessions and trail_sessions"),
        ({"min_ranking_sessions": 21, "first_year_sessions": 20}, "cannot exceed first_year_sessions"),
    ],
)
def test_bad_rules_are_refused(fields: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReconstitutionRules(**fields)


def test_a_matrix_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dollar volume is \(2, 10\), expected \(3, 10\)"):
        reconstitute(np.array(["A", "B", "C"]), YEARS, np.ones((2, 10)), SMALL_RULES)
