/**
 * Words a newcomer reads in place of the codes the data carries: exchanges by the names traders use,
 * exclusion filters as sentences, and what the grid's numbers mean. One place, so every view agrees.
 */

/** Primary exchanges by ISO 10383 MIC (the listings' `exchange`), named as traders say them. */
const EXCHANGES: Record<string, string> = {
  XNYS: 'NYSE',
  XNAS: 'Nasdaq',
  XASE: 'NYSE American',
  ARCX: 'NYSE Arca',
  BATS: 'Cboe BZX',
  OTC: 'OTC',
};

/** "XNAS" → "Nasdaq"; an unknown code is shown as it came, rather than hidden. */
export function exchangeName(code: string | null | undefined): string | null {
  if (!code) return null;
  return EXCHANGES[code.trim().toUpperCase()] ?? code;
}

/** The universe filter that left a stock out (X-Exclusion-Reason), as a sentence. */
const EXCLUSIONS: Record<string, string> = {
  security_type: 'Not a common stock (ETFs, warrants, units and preferred shares are left out).',
  exchange: 'Not listed on NYSE, Nasdaq or NYSE American.',
  market_cap: 'Market cap outside the micro and small cap range ($10M – $2B), or unknown.',
  avg_daily_volume: 'Trades fewer than 1 million shares a day on average (last 20 sessions).',
  price: 'Share price outside $2 – $100.',
  float: 'Float too small: under 5 million shares for a micro cap, 10 million for a small cap.',
  sector: 'Its industry does not belong to one of the eight sectors followed.',
  size_cap: 'Left out by the universe size cap (1,500 names): it gaps less often or trades fewer dollars than those kept.',
};

/** "market_cap" → a sentence; an unknown reason reads as "Excluded by <reason>". */
export function exclusionText(reason: string): string {
  return EXCLUSIONS[reason] ?? `Excluded by the ${reason.replace(/_/g, ' ')} filter.`;
}

export const SCORE_HELP =
  'Score runs from −1 (strongly bearish) to +1 (strongly bullish); 0 is neutral. It blends the ' +
  'sector’s returns over 30 minutes, 1 day, 3 days and 1 week against the small-cap benchmark (IWM).';

export const CONFIDENCE_HELP =
  'Confidence (0–100 %) says how far to trust the colour: how many of the sector’s stocks move the ' +
  'way the score points, how many stocks it rests on, whether the timeframes agree, and how fresh the data is.';

export const ALPHA_HELP =
  'α (volatility-adjusted alpha): the sector’s return scaled by its volatility weight, minus the ' +
  'IWM return over the same time.';

export const RANK_HELP =
  'Top lists are ordered by a rank score from 0 to 10 (#1 first): 40 % the size of the move, 30 % ' +
  'relative volume, 20 % agreement with the sector’s direction, 10 % how shortable the stock is.';

/** The card's squeeze-risk chip, in the words of docs/methodology.md ("Squeeze risk"). */
export const SQUEEZE_HELP =
  'How volatile the sector’s members have been over 20 sessions against the whole universe: the colour says which way the sector moved, this says how wide the next session is likely to be. Measured on 2013–2017 small caps after bounds fixed on 2008–2012: 4.6 % of short candidates in high-risk sectors squeezed ≥ 10 % the next day, 2.3 % at normal risk and 1.3 % at low risk; it did not change what a short earned on average.';
