/** A list of articles with their sentiment in words, shared by the stock panel and the drill-down. */
import type { NewsArticle, SectorNewsArticle } from '../api/types';
import { formatEtDateTime } from '../format';
import { StockButton } from './open';

const SENTIMENT = {
  positive: { word: 'Positive', arrow: '▲' },
  negative: { word: 'Negative', arrow: '▼' },
  neutral: { word: 'Neutral', arrow: '◆' },
} as const;

export function Sentiment({ article }: { article: NewsArticle }) {
  if (article.sentiment === null) return <span className="sentiment sentiment-none">No sentiment</span>;
  const { word, arrow } = SENTIMENT[article.sentiment];
  const how = article.sentiment_source === 'headline' ? 'read from the headline' : 'from the news vendor';
  return (
    <span className={`sentiment sentiment-${article.sentiment}`} title={`Sentiment ${how}`} data-testid="news-sentiment">
      <span aria-hidden="true">{arrow}</span> {word}
    </span>
  );
}

function isSectorArticle(article: NewsArticle | SectorNewsArticle): article is SectorNewsArticle {
  return 'ticker' in article;
}

/** Newest first, as the server sends them; a sector's articles name the ticker each is about. */
export function NewsItems({ items }: { items: readonly (NewsArticle | SectorNewsArticle)[] }) {
  return (
    <ol className="news-list">
      {items.map((article) => {
        const ticker = isSectorArticle(article) ? article.ticker : null;
        return (
          <li key={ticker ? `${article.id}:${ticker}` : article.id} className="news-item" data-testid="news-item">
            <p className="news-title">
              {ticker && (
                <>
                  <StockButton symbol={ticker} />{' '}
                </>
              )}
              {article.url ? (
                <a href={article.url} target="_blank" rel="noopener noreferrer">
                  {article.title}
                  <span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              ) : (
                article.title
              )}
            </p>
            <p className="news-meta">
              <Sentiment article={article} />
              {ticker ? ` toward ${ticker}` : ''} · {article.publisher} ·{' '}
              <time dateTime={article.published_at}>{formatEtDateTime(article.published_at)}</time>
            </p>
            {article.reasoning && <p className="news-reasoning">{article.reasoning}</p>}
          </li>
        );
      })}
    </ol>
  );
}
