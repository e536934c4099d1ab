import { lazy, Suspense } from 'react';
import { useWatchlist } from './store';
import './watchlist.css';

const WatchlistPanel = lazy(() => import('./WatchlistPanel'));

/** The watchlist's place on the page: nothing until a symbol is pinned, then its panel (loaded then). */
export function Watchlist({ asOf }: { asOf: string | null }) {
  const { symbols, error } = useWatchlist();
  if (symbols.length === 0 && !error) return null;
  return (
    <Suspense fallback={null}>
      <WatchlistPanel asOf={asOf} />
    </Suspense>
  );
}
