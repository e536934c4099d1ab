import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError } from './api/client';
import type { ColourHistory, ScannerRow, SectorKey, SectorResult, SectorsResponse } from './api/types';
import { AnalysisControls } from './components/AnalysisControls';
import { ChangeAnnouncer } from './components/ChangeAnnouncer';
import { ColourNote } from './components/ColourNote';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { HistoryPicker } from './components/HistoryPicker';
import { MoveAlerts } from './components/MoveAlerts';
import { SectorDetail } from './components/SectorDetail';
import { StockLookup } from './components/StockLookup';
import { AlertsButton } from './alerts/AlertsButton';
import { titleWithAlerts, useAlerts } from './alerts/useAlerts';
import { createLiveSource } from './data/live';
import { Legend } from './labels/Legend';
import { Watchlist } from './watchlist/Watchlist';
import { useShortcuts } from './keyboard/useShortcuts';
import { ScannerButton, useScannerOpen } from './scanner/ScannerButton';
import { HeatmapButton } from './heatmap/HeatmapButton';
import { RotationButton, useRotationOpen } from './rotation/RotationButton';
import { OpenStockProvider } from './stock/open';
import { ThemeToggle } from './theme/ThemeToggle';
import { SECTOR_ORDER } from './constants';
import './workflow.css';

const ShortcutsHelp = lazy(() => import('./keyboard/ShortcutsHelp'));
const ScannerPanel = lazy(() => import('./scanner/ScannerPanel'));
const RotationPanel = lazy(() => import('./rotation/RotationPanel'));
const StockPanel = lazy(() => import('./stock/StockPanel'));
const HeatmapPanel = lazy(() => import('./heatmap/HeatmapPanel'));
import { formatEtDateTime, pageTitle } from './format';
import { Header, shownRecommendation } from './components/Header';
import { SectorGrid } from './components/SectorGrid';
import type { SectorsSource } from './data/source';
import { useRequest } from './hooks/useRequest';
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

/** Shown while a stored run is open: what is on screen is not the market now. A replay of a past
 * session says so, with the instant it analysed. */
function HistoricBanner({ grid, onBack }: { grid: SectorsResponse; onBack: () => void }) {
  const what = grid.data_source.replay_of ? 'Replay of' : 'Viewing';
  return (
    <div className="historic-banner" role="status" data-testid="historic-banner">
      <strong>
        {what} {formatEtDateTime(grid.as_of)} — not live.
      </strong>{' '}
      <button type="button" className="control-button" onClick={onBack} data-testid="back-to-live">
        Back to live
      </button>
    </div>
  );
}

const NO_CHANGES = {};

interface AppProps {
  /** Where the grid comes from; the live source over /ws by default. */
  source?: SectorsSource;
  /** Loads the colour history once (main.tsx passes `fetchColourHistory`); without it the cards
   * show no history line. */
  loadColourHistory?: ((signal: AbortSignal) => Promise<ColourHistory>) | null;
  /** The signed-in user and the sign-out control (SECTORLIGHTS_AUTH=required), in the header. */
  account?: ReactNode;
  /** Loads the pinned symbols once (main.tsx passes `loadWatchlist`); without it none are shown. */
  loadWatchlist?: (() => Promise<void>) | null;
}

export function App({ source, loadColourHistory = null, account = null, loadWatchlist = null }: AppProps) {
  const [active] = useState<SectorsSource>(() => source ?? createLiveSource());
  const live = useSectors(active);
  const historyLoad = useRequest(loadColourHistory, []);
  useEffect(() => {
    void loadWatchlist?.();
  }, [loadWatchlist]);
  // A failed load leaves the cards without the line: the grid matters more than its history.
  const history = historyLoad.state === 'ok' ? historyLoad.data : null;
  const { error, loading, connection, progress, moves } = live;
  // A stored run opened from the history; live updates keep arriving underneath but are not
  // shown until "Back to live", so a past grid is never silently replaced by the present one.
  const [historic, setHistoric] = useState<SectorsResponse | null>(null);
  const data = historic ?? live.data;
  const changes = historic ? NO_CHANGES : live.changes;
  const changedAsOf = historic ? NO_CHANGES : live.changedAsOf;
  const lists = historic ? NO_CHANGES : live.lists;
  const stale = data !== null && (data.stale || error !== null);
  const [open, setOpen] = useState<SectorKey | null>(null);
  const labels = useMemo(() => {
    const map: Partial<Record<SectorKey, string>> = {};
    for (const sector of data?.sectors ?? []) map[sector.sector] = sector.label;
    return map;
  }, [data]);
  const unseenAlerts = useAlerts(live.changes, moves, labels);
  const title = titleWithAlerts(pageTitle(data?.as_of ?? null, stale, connection.state), unseenAlerts);
  useEffect(() => {
    document.title = title;
  }, [title]);
  const openSector = (key: SectorKey) => {
    if (labels[key] !== undefined) setOpen(key);
  };
  // Stable, so the memoised cards are passed by when the page re-renders for something else.
  const openCard = useCallback((sector: SectorResult) => setOpen(sector.sector), []);
  const refresh = () => active.refresh?.();
  // The stock panel, opened from any symbol; focus goes back to what opened it.
  const [stock, setStock] = useState<{ symbol: string; row?: ScannerRow } | null>(null);
  const stockOpener = useRef<HTMLElement | null>(null);
  const openStock = useCallback((symbol: string, row?: ScannerRow) => {
    stockOpener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setStock({ symbol, row });
  }, []);
  const closeStock = useCallback(() => {
    setStock(null);
    const opener = stockOpener.current;
    stockOpener.current = null;
    if (opener?.isConnected) opener.focus();
  }, []);
  const openSectorFromStock = useCallback((sector: SectorKey) => {
    stockOpener.current = null;
    setStock(null);
    setOpen(sector);
  }, []);
  const [scanner, setScanner] = useScannerOpen();
  const [rotation, setRotation] = useRotationOpen();
  // Any live update (a run, a significant move) is a reason for the scanner to ask again.
  const scannerRefresh = `${live.data?.as_of ?? ''}|${moves[0]?.at ?? ''}`;
  const [heatmapOpen, setHeatmapOpen] = useState(false);
  const closeHeatmap = useCallback(() => setHeatmapOpen(false), []);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const closeShortcuts = useCallback(() => setShortcutsOpen(false), []);
  const hasGrid = data !== null;
  const shortcuts = useMemo(
    () => ({
      focusLookup: () => document.querySelector<HTMLInputElement>('[data-testid=stock-lookup] input')?.focus(),
      openSector: (key: SectorKey) => {
        if (hasGrid && SECTOR_ORDER.includes(key)) setOpen(key);
      },
      toggleHelp: () => setShortcutsOpen((was) => !was),
      toggleScanner: () => setScanner((was) => (was === 'closed' ? 'keyboard' : 'closed')),
      toggleHeatmap: () => setHeatmapOpen((was) => hasGrid && !was),
      toggleRotation: () => setRotation((was) => (was === 'closed' ? 'keyboard' : 'closed')),
    }),
    [hasGrid, setScanner, setRotation],
  );
  useShortcuts(shortcuts);

  return (
    <OpenStockProvider value={openStock}>
    <div className="app">
      <Header data={data} stale={stale} connection={historic ? 'connected' : connection.state}>
        <div className="header-controls">
          <ConnectionIndicator {...connection} />
          <ScannerButton open={scanner !== 'closed'} onToggle={() => setScanner((was) => (was === 'closed' ? 'open' : 'closed'))} />
          <HeatmapButton open={heatmapOpen} onToggle={() => setHeatmapOpen((was) => !was)} />
          <RotationButton open={rotation !== 'closed'} onToggle={() => setRotation((was) => (was === 'closed' ? 'open' : 'closed'))} />
          <HistoryPicker onOpen={setHistoric} />
          <AlertsButton labels={labels} />
          <ThemeToggle />
          <AnalysisControls
            freshness={data?.freshness ?? null}
            recommendation={shownRecommendation(data, stale, historic ? 'connected' : connection.state)}
            progress={progress}
            onRefresh={refresh}
          />
          {account}
        </div>
      </Header>
      {historic && <HistoricBanner grid={historic} onBack={() => setHistoric(null)} />}
      <div className="lookup-bar">
        <StockLookup />
        <Legend />
      </div>
      <Watchlist asOf={data?.as_of ?? null} />
      {loading && (
        <p className="status" role="status" data-testid="status-loading">
          Loading sector analysis…
        </p>
      )}
      {error && <StatusMessage error={error} hasData={data !== null} />}
      <ChangeAnnouncer changes={changes} labels={labels} />
      <MoveAlerts moves={moves} labels={labels} onOpenSector={openSector} />
      {data && <ColourNote history={history} />}
      {rotation !== 'closed' && (
        <Suspense
          fallback={
            <p className="view-panel rotation status" role="status">
              Loading the rotation graph…
            </p>
          }
        >
          <RotationPanel
            refreshKey={data?.as_of ?? ''}
            runId={historic?.run_id ?? null}
            labels={labels}
            onClose={() => setRotation('closed')}
            focusOnOpen={rotation === 'keyboard'}
          />
        </Suspense>
      )}
      <div className={`board${scanner !== 'closed' ? ' with-scanner' : ''}`}>
        {scanner !== 'closed' && (
          <Suspense
            fallback={
              <p className="view-panel scanner status" role="status">
                Loading the scanner…
              </p>
            }
          >
            <ScannerPanel
              refreshKey={scannerRefresh}
              labels={labels}
              onClose={() => setScanner('closed')}
              focusOnOpen={scanner === 'keyboard'}
            />
          </Suspense>
        )}
        {data && (
          <SectorGrid
            sectors={data.sectors}
            changes={changes}
            onOpen={openCard}
            lists={lists}
            asOf={data.as_of}
            changedAsOf={changedAsOf}
            history={history}
          />
        )}
      </div>
      {shortcutsOpen && (
        <Suspense fallback={null}>
          <ShortcutsHelp labels={labels} onClose={closeShortcuts} />
        </Suspense>
      )}
      {heatmapOpen && (
        <Suspense fallback={null}>
          <HeatmapPanel labels={labels} refreshKey={live.data?.as_of ?? ''} onClose={closeHeatmap} />
        </Suspense>
      )}
      {open && <SectorDetail sector={open} label={labels[open]} onClose={() => setOpen(null)} />}
      {stock && (
        <Suspense fallback={null}>
          <StockPanel
            key={stock.symbol}
            symbol={stock.symbol}
            row={stock.row ?? null}
            onClose={closeStock}
            onOpenSector={openSectorFromStock}
          />
        </Suspense>
      )}
    </div>
    </OpenStockProvider>
  );
}
