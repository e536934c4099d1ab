"""The colour history: what each colour has been followed by on real history, as `sectorlights
backtest --summary` writes it, the product ships it (`config/colour_history.json`) and
`GET /api/colour-history` serves it. Every figure comes from one backtest run, none by hand."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sectorlights.domain.vocabulary import COLORS, Color


class _Strict(BaseModel):
    # A hand-edited or stale file fails loudly at start-up instead of serving half of itself.
    model_config = ConfigDict(frozen=True, extra="forbid")


class IntervalBounds(_Strict):
    """A 95 % interval; null bounds when there was nothing to measure."""

    low: float | None
    high: float | None


class NextSessionShare(_Strict):
    """The share of counted cells whose next session went one way (0-1)."""

    count: int = Field(ge=0, description="cells whose next session went this way")
    total: int = Field(ge=0, description="cells counted: a colour shown and a next-session move")
    share: float | None = Field(ge=0, le=1, description="count / total; null without cells")
    wilson: IntervalBounds = Field(description="Wilson 95 % interval, every cell treated as independent")
    bootstrap: IntervalBounds = Field(
        description="day-block bootstrap 95 % interval: whole sessions resampled"
    )


class MeanNextReturn(_Strict):
    cells: int = Field(ge=0, description="cells of this colour with a next-session return")
    mean_pct: float | None = Field(description="their mean next-session sector return, percent")
    bootstrap: IntervalBounds = Field(description="day-block bootstrap 95 % interval, percent")


class SqueezeRisk(_Strict):
    """How often a short candidate in a sector of this colour was squeezed the next session, against
    the same candidates in neutral sectors (`sectorlights backtest --shorting`; docs/validation.md)."""

    squeezed: NextSessionShare = Field(
        description="candidates (the grid's top names, runners, gappers) whose next high was >= 10 % over "
        "the open"
    )
    neutral: NextSessionShare = Field(description="the same in blue neutral sectors")
    versus_neutral: Literal["above", "below", "overlaps", "too_few"] = Field(
        description="above / below: the interval lies wholly above / below neutral's (each bound the more "
        "cautious of Wilson and the bootstrap); too_few: under 50 sessions with candidates on a side"
    )
    development: Literal["above", "below", "overlaps", "too_few"] | None = Field(
        default=None,
        description="the same comparison on the development window (--shorting-development); the page "
        "speaks of a squeeze rate only when both windows put it on the same side of neutral's",
    )


class ColourRecord(_Strict):
    """What followed one colour."""

    color: Color
    leans: Literal["up", "down"] | None = Field(description="the way the colour leans; null for neutral")
    sessions: int = Field(ge=0, description="sessions on which some sector showed this colour")
    down: NextSessionShare
    up: NextSessionShare
    mean_next_return: MeanNextReturn
    edge: Literal["yes", "no", "too_few"] = Field(
        description="yes: an edge by the rule; no: none; too_few: shown on too few sessions to tell"
    )
    reason: str = Field(description="the figures that decided the verdict")
    squeeze: SqueezeRisk | None = Field(
        default=None, description="the shorting study's squeeze rate; null when the run had no --shorting"
    )


class EdgeRuleText(_Strict):
    min_sessions: int = Field(ge=1)
    coin: float = Field(gt=0, lt=1)
    text: str = Field(description="the rule in words (docs/methodology.md)")


class ColourBaseline(_Strict):
    """Every counted cell, whatever its colour: what a colour has to beat."""

    up: NextSessionShare
    down: NextSessionShare


class ColourHistory(_Strict):
    """`GET /api/colour-history`: after each colour, how often the sector went down or up the next
    session, its mean next-session return and whether that is an edge."""

    label: str = Field(min_length=1, max_length=80, description="the data set, e.g. 'S&P 600 small caps'")
    first_session: date = Field(description="first scored session")
    last_session: date = Field(description="last scored session")
    sessions: int = Field(ge=1, description="sessions scored")
    next_return: str = Field(description="what the next-session sector return is")
    score_rules: str = Field(description="SECTORLIGHTS_SCORE_RULES of the run")
    seed: int
    bootstrap_resamples: int = Field(ge=1)
    rule: EdgeRuleText
    baseline: ColourBaseline
    colors: list[ColourRecord] = Field(description="one per colour, dark red to dark green")
    command: str = Field(description="the command that wrote it")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if [record.color for record in self.colors] != list(COLORS):
            order = ", ".join(color.value for color in COLORS)
            raise ValueError(f"colors must hold each colour once, in the order {order}")
        if self.first_session > self.last_session:
            raise ValueError(f"first_session {self.first_session} is after last_session {self.last_session}")
        return self

    def record(self, color: Color) -> ColourRecord:
        return self.colors[COLORS.index(color)]
