import type { ApiError } from './api/client';
import { Header } from './components/Header';
import { SectorGrid } from './components/SectorGrid';
import type { SectorsSource } from './data/source';
import { useNow } from './hooks/useNow';
import { useSectors } from './hooks/useSectors';

function StatusMessage({ error, hasData }: { error: ApiError; hasData: boolean }) {
  if (error.notReady && !hasData) {
    return (
      <p className="status status-waiting" role="status" data-testid="status-waiting">
        {error.message}
        <span className="status-hint"> · checking again every few seconds</span>
      </p>
    );
  }
  return (
    <p className="status status-error" role="alert" data-testid="status-error">
      {error.message}
      {hasData && <span className="status-hint"> · showing last good data</span>}
    </p>
  );
}

export function App({ source }: { source?: SectorsSource }) {
  const { data, error, loading } = useSectors(source);
  const now = useNow();
  const stale = data !== null && (data.stale || error !== null);

  return (
    <div className="app">
      <Header data={data} now={now} stale={stale} />
      {loading && (
        <p className="status" role="status" data-testid="status-loading">
          Loading sector analysis…
        </p>
      )}
      {error && <StatusMessage error={error} hasData={data !== null} />}
      {data && <SectorGrid sectors={data.sectors} />}
    </div>
  );
}
