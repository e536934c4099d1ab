import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from './api/client';
import type { SectorKey, SectorResult } from './api/types';
import { AnalysisControls } from './components/AnalysisControls';
import { ChangeAnnouncer } from './components/ChangeAnnouncer';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { MoveAlerts } from './components/MoveAlerts';
import { SectorDetail } from './components/SectorDetail';
import { StockLookup } from './components/StockLookup';
import { createLiveSource } from './data/live';
import { pageTitle } from './format';
import { Header } from './components/Header';
import { SectorGrid } from './components/SectorGrid';
import type { SectorsSource } from './data/source';
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
  const [active] = useState<SectorsSource>(() => source ?? createLiveSource());
  const { data, error, loading, connection, progress, changes, changedAsOf, moves, lists } = useSectors(active);
  const stale = data !== null && (data.stale || error !== null);
  const [open, setOpen] = useState<SectorKey | null>(null);
  const title = pageTitle(data?.as_of ?? null, stale, connection.state);
  useEffect(() => {
    document.title = title;
  }, [title]);
  const labels = useMemo(() => {
    const map: Partial<Record<SectorKey, string>> = {};
    for (const sector of data?.sectors ?? []) map[sector.sector] = sector.label;
    return map;
  }, [data]);
  const openSector = (key: SectorKey) => {
    if (labels[key] !== undefined) setOpen(key);
  };
  // Stable, so the memoised cards are passed by when the page re-renders for something else.
  const openCard = useCallback((sector: SectorResult) => setOpen(sector.sector), []);
  const refresh = () => active.refresh?.();

  return (
    <div className="app">
      <Header data={data} stale={stale}>
        <div className="header-controls">
          <ConnectionIndicator {...connection} />
          <AnalysisControls
            freshness={data?.freshness ?? null}
            recommendation={data?.recommendation ?? null}
            progress={progress}
            onRefresh={refresh}
          />
        </div>
      </Header>
      <StockLookup />
      {loading && (
        <p className="status" role="status" data-testid="status-loading">
          Loading sector analysis…
        </p>
      )}
      {error && <StatusMessage error={error} hasData={data !== null} />}
      <ChangeAnnouncer changes={changes} labels={labels} />
      <MoveAlerts moves={moves} labels={labels} onOpenSector={openSector} />
      {data && (
        <SectorGrid
          sectors={data.sectors}
          changes={changes}
          onOpen={openCard}
          lists={lists}
          asOf={data.as_of}
          changedAsOf={changedAsOf}
        />
      )}
      {open && <SectorDetail sector={open} label={labels[open]} onClose={() => setOpen(null)} />}
    </div>
  );
}
