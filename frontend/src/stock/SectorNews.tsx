/**
 * A sector's catalyst news in its drill-down: the articles behind the card's catalyst factor, each
 * with the member it names (which opens that stock) and its sentiment, and what the factor did to
 * the score. Loaded with the drill-down's first open of it (its own chunk).
 */
import { useState } from 'react';
import { fetchSectorNews } from '../api/stockViews';
import type { SectorCatalyst, SectorKey } from '../api/types';
import { TIMEFRAMES } from '../constants';
import { formatEtDateTime, formatScore, isNumber, timeframeLabel } from '../format';
import { useRequest } from '../hooks/useRequest';
import { NewsItems } from './news';
import './stock.css';

export const SECTOR_NEWS_LIMIT = 30;

function leaning(net: number): string {
  if (net > 0.05) return 'more positive than negative';
  if (net < -0.05) return 'more negative than positive';
  return 'balanced';
}

/** "×1.05": how much the news multiplied the timeframe's score (1.0: neither helped nor hurt). */
export function densityText(value: number | undefined): string {
  return isNumber(value) ? `×${value.toFixed(2)}` : '—';
}

function CatalystSummary({ catalyst }: { catalyst: SectorCatalyst }) {
  const net = catalyst.news_net_sentiment;
  return (
    <div className="catalyst-summary" data-testid="catalyst-summary">
      <p>
        {catalyst.news_articles} {catalyst.news_articles === 1 ? 'article' : 'articles'}
        {isNumber(net) ? `, net sentiment ${formatScore(net)} (${leaning(net)})` : ''}.
      </p>
      <p className="muted">
        News factor on the score:{' '}
        {TIMEFRAMES.map((tf) => `${timeframeLabel(tf)} ${densityText(catalyst.catalyst_density[tf])}`).join(' · ')}
      </p>
    </div>
  );
}

export default function SectorNews({ sector }: { sector: SectorKey }) {
  const [attempt, setAttempt] = useState(0);
  const news = useRequest((signal) => fetchSectorNews(sector, signal, SECTOR_NEWS_LIMIT), [sector, attempt]);
  return (
    <section className="detail-section sector-news" aria-labelledby="sector-news-title" data-testid="sector-news">
      <h3 id="sector-news-title">Catalyst news</h3>
      {news.state === 'loading' && (
        <p className="muted" role="status">
          Loading the sector’s news…
        </p>
      )}
      {news.state === 'error' && (
        <div className="stock-error" role="alert" data-testid="sector-news-error">
          <p>Could not load the news: {news.error.message}</p>
          <button type="button" className="control-button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}
      {news.state === 'ok' && (
        <>
          {news.data.catalyst && <CatalystSummary catalyst={news.data.catalyst} />}
          {news.data.items.length === 0 ? (
            <p className="muted" data-testid="sector-news-empty">
              No article names a member since {formatEtDateTime(news.data.since)}.
            </p>
          ) : (
            <NewsItems items={news.data.items} />
          )}
          {news.data.count > news.data.items.length && (
            <p className="muted">
              The newest {news.data.items.length} of {news.data.count}.
            </p>
          )}
        </>
      )}
    </section>
  );
}
