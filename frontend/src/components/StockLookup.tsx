import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { fetchStock, SYMBOL_PATTERN, type StockFound, type StockLookupResult } from '../api/actions';
import { TIMEFRAMES } from '../constants';
import {
  colorClass,
  formatCompact,
  formatConfidence,
  formatPercent,
  formatRank,
  formatTier,
  humanize,
  isNumber,
  MISSING,
  signalLabel,
  timeframeLabel,
} from '../format';
import { useRequest } from '../hooks/useRequest';
import { PinButton } from '../watchlist/PinButton';
import { StockButton } from '../stock/open';
import { exchangeName, exclusionText, RANK_HELP } from '../labels/labels';
import './Controls.css';

const VALIDATION_MESSAGE = 'Enter 1–10 characters: letters A–Z, digits 0–9, "." or "-".';

const SOURCE_LABELS: Record<string, string> = {
  sic: 'SIC code',
  override: 'Manual override',
  fmp: 'FMP',
};

function sourceLabel(source: string | null, sicCode: number | null): string {
  if (!source) return MISSING;
  const label = SOURCE_LABELS[source] ?? humanize(source);
  return source === 'sic' && isNumber(sicCode) ? `${label} ${sicCode}` : label;
}

function ReturnValue({ value }: { value: number | null }) {
  if (!isNumber(value)) return <span className="lookup-return">{MISSING}</span>;
  const direction = value > 0 ? 'up' : value < 0 ? 'down' : 'flat';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '◆';
  return (
    <span className={`lookup-return lookup-return-${direction}`}>
      <span aria-hidden="true">{arrow}</span> {formatPercent(value, 2)}
    </span>
  );
}

function topListText(stock: StockFound): string {
  const entry = stock.top_list;
  if (!stock.in_top_list || !entry) return 'Not in a top list';
  const list = entry.list === 'top_bullish' ? 'top bullish' : 'top bearish';
  const sector = stock.sector_card?.sector === entry.sector ? stock.sector_card.label : humanize(entry.sector);
  return `#${entry.rank} ${list} in ${sector}`;
}

function MemberResult({ stock }: { stock: StockFound }) {
  const { member, classification, metrics, sector_card: card } = stock;
  return (
    <div className="lookup-result lookup-member" data-testid="stock-result">
      <div className="lookup-title">
        <strong className="lookup-symbol">{stock.symbol}</strong>
        <PinButton symbol={stock.symbol} />
        <span className="lookup-name">{member.name}</span>
        <span className="lookup-status lookup-status-in" data-testid="universe-status">
          In universe
        </span>
        <StockButton symbol={stock.symbol} className="lookup-open" variant="control">
          Chart &amp; news
        </StockButton>
      </div>
      <dl className="lookup-facts">
        <div>
          <dt>Sector</dt>
          <dd data-testid="lookup-sector">
            {card ? card.label : humanize(classification.sector)}
            {card && (
              <span className={`lookup-signal color-${colorClass(card.color)}`}> · {signalLabel(card.signal)}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Classification</dt>
          <dd data-testid="lookup-classification">
            {sourceLabel(classification.source, classification.sic_code)} ·{' '}
            {formatConfidence(classification.confidence)} confidence
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd data-testid="lookup-tier">{formatTier(member.tier)}</dd>
        </div>
        <div>
          <dt>Market cap</dt>
          <dd data-testid="lookup-market-cap">
            {isNumber(member.market_cap) ? `$${formatCompact(member.market_cap, 2)}` : MISSING}
          </dd>
        </div>
        <div>
          <dt>Float</dt>
          <dd data-testid="lookup-float">
            {isNumber(member.float_shares) ? `${formatCompact(member.float_shares)} shares` : MISSING}
          </dd>
        </div>
        {member.exchange && (
          <div>
            <dt>Exchange</dt>
            <dd data-testid="lookup-exchange" title={member.exchange}>
              {exchangeName(member.exchange)}
            </dd>
          </div>
        )}
        <div>
          <dt>Relative volume</dt>
          <dd data-testid="lookup-relative-volume">
            {isNumber(metrics.relative_volume) ? `${metrics.relative_volume.toFixed(2)}x` : MISSING}
          </dd>
        </div>
        <div>
          <dt title={RANK_HELP}>Rank score (0–10)</dt>
          <dd data-testid="lookup-rank-score">
            {formatRank(metrics.rank_score)}
          </dd>
        </div>
        <div>
          <dt>Top list</dt>
          <dd data-testid="lookup-top-list">{topListText(stock)}</dd>
        </div>
      </dl>
      <dl className="lookup-returns" data-testid="lookup-returns">
        {TIMEFRAMES.map((tf) => (
          <div key={tf} className="lookup-return-cell">
            <dt>{timeframeLabel(tf)}</dt>
            <dd>
              <ReturnValue value={metrics.returns_pct[tf] ?? null} />
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** A lookup's answer: the member, or why the stock is not in the universe. */
function LookupResult({ result }: { result: StockLookupResult }) {
  if (!result.excluded) return <MemberResult stock={result} />;
  return (
    <div className="lookup-result lookup-excluded" data-testid="stock-result">
      <div className="lookup-title">
        <strong className="lookup-symbol">{result.symbol}</strong>
        <span
          className={`lookup-status ${result.reason ? 'lookup-status-excluded' : 'lookup-status-unlisted'}`}
          data-testid="universe-status"
        >
          {result.reason ? `Excluded: ${humanize(result.reason)}` : 'Not listed'}
        </span>
      </div>
      {/* The server's message names the filter by its code; the sentence says what it means. */}
      {result.reason ? (
        <p className="lookup-message" data-testid="exclusion-reason" title={result.message}>
          Not in the current universe. {exclusionText(result.reason)}
        </p>
      ) : (
        <p className="lookup-message">{result.message}</p>
      )}
    </div>
  );
}

/** Looks up one symbol: universe membership (or the exclusion reason) and its metrics in the latest run. */
export function StockLookup() {
  const inputId = useId();
  const errorId = useId();
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  // A new object per submit, so looking up the same symbol again asks the server again.
  const [query, setQuery] = useState<{ symbol: string } | null>(null);
  const lookup = useRequest(query && ((signal) => fetchStock(query.symbol, signal)), [query]);

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const next = event.target.value.toUpperCase();
    setValue(next);
    if (invalid && SYMBOL_PATTERN.test(next.trim())) setInvalid(false);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const symbol = value.trim();
    if (!SYMBOL_PATTERN.test(symbol)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setQuery({ symbol });
  };

  return (
    <section className="stock-lookup" data-testid="stock-lookup" aria-label="Stock lookup">
      <form className="lookup-form" onSubmit={onSubmit} noValidate>
        <label htmlFor={inputId} className="lookup-label">
          Look up a stock
        </label>
        <div className="lookup-row">
          <input
            id={inputId}
            className="lookup-input"
            type="text"
            value={value}
            onChange={onChange}
            placeholder="e.g. AAC"
            maxLength={16}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid}
            aria-describedby={invalid ? errorId : undefined}
          />
          <button type="submit" className="control-button" disabled={lookup.state === 'loading'}>
            Look up
          </button>
        </div>
        {invalid && (
          <p id={errorId} className="field-error" role="alert" data-testid="lookup-validation">
            {VALIDATION_MESSAGE}
          </p>
        )}
      </form>
      <div aria-live="polite">
        {lookup.state === 'loading' && <p className="lookup-loading">Looking up {query?.symbol}…</p>}
        {lookup.state === 'error' && (
          <p className="control-error" role="alert" data-testid="lookup-error">
            {lookup.error.message}
          </p>
        )}
        {lookup.state === 'ok' && <LookupResult result={lookup.data} />}
      </div>
    </section>
  );
}
