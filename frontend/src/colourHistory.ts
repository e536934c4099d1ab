/**
 * What the page says about the colours' history (`GET /api/colour-history`): each card's line for
 * its colour, and the note above the grid on what the colours are measured to be.
 */
import type { ColourHistory, ColourRecord, SectorColor } from './api/types';

/** "2016–17" for 2016-01-04 to 2017-11-09; "2016" within one year; full years across centuries. */
export function historyYears(first: string, last: string): string {
  const from = first.slice(0, 4);
  const to = last.slice(0, 4);
  if (from === to) return from;
  return from.slice(0, 2) === to.slice(0, 2) ? `${from}–${to.slice(2)}` : `${from}–${to}`;
}

/** "S&P 600 small caps 2016–17": the data set and years a colour history was measured on. */
export function historySource(history: ColourHistory): string {
  return `${history.label} ${historyYears(history.first_session, history.last_session)}`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}\u00a0%`;
}

function colourWords(color: SectorColor): string {
  return color.replace(/_/g, ' ');
}

/**
 * The card's line for its colour: the share of next sessions that went the colour's way (up for
 * blue neutral), said as an edge only where the history's rule found one; null when the history
 * has no record of the colour.
 */
export function colourHistoryLine(color: SectorColor, history: ColourHistory): string | null {
  const record = history.colors.find((entry) => entry.color === color);
  if (record === undefined) return null;
  const words = colourWords(color);
  const source = historySource(history);
  const way = record.leans ?? 'up';
  const share = (way === 'up' ? record.up : record.down).share;
  const squeeze = squeezeClause(record);
  if (record.edge === 'too_few' || share === null) {
    return `Historically: too few ${words} sessions to tell${squeeze} (${record.sessions}, ${source})`;
  }
  if (record.edge === 'yes') {
    return `Historically: next session ${way} ${percent(share)} of the time after ${words}${squeeze} (${source})`;
  }
  return `Historically: no edge — next session ${way} ${percent(share)} after ${words}${squeeze} (${source})`;
}

/**
 * Whether the shorting study measured this colour's squeeze rate apart from neutral's, on the same
 * side in the development window and the held-out one.
 */
function squeezeSeparates(record: ColourRecord): boolean {
  const risk = record.squeeze;
  if (risk == null || (risk.versus_neutral !== 'above' && risk.versus_neutral !== 'below')) return false;
  return risk.development === risk.versus_neutral;
}

/** "; 7 % of short candidates here squeezed ≥ 10 % next day, vs 2 % in neutral sectors", only where measured apart. */
function squeezeClause(record: ColourRecord): string {
  const risk = record.squeeze;
  if (risk == null || !squeezeSeparates(record) || risk.squeezed.share === null || risk.neutral.share === null) {
    return '';
  }
  return `; ${percent(risk.squeezed.share)} of short candidates here squeezed ≥\u00a010\u00a0% next day, vs ${percent(risk.neutral.share)} in neutral sectors`;
}

function listed(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** What the colours are, as measured: the note above the grid. */
export function colourMeaning(history: ColourHistory | null): string {
  const what =
    'Colours describe how each sector moved against IWM over the last 30 minutes, day, 3 days and week; they are not a forecast.';
  if (history === null) return what;
  const source = historySource(history);
  const edges = history.colors.filter((record) => record.edge === 'yes').map((record) => colourWords(record.color));
  const squeezes = history.colors
    .filter((record) => squeezeSeparates(record) && record.squeeze?.versus_neutral === 'above')
    .map((record) => colourWords(record.color));
  const shorts =
    squeezes.length === 0
      ? ''
      : ` For shorts they mark volatility, not direction: candidates in ${listed(squeezes)} sectors squeezed ≥\u00a010\u00a0% the next day more often than in neutral ones.`;
  if (edges.length === 0) {
    return `${what} On real history (${source}) they have not predicted the next session.${shorts}`;
  }
  const verb = edges.length === 1 ? 'was' : 'were';
  return `${what} On real history (${source}) only ${listed(edges)} ${verb} followed by an edge in the next session.${shorts}`;
}
