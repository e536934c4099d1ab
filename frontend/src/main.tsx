import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { fetchColourHistory } from './api/colourHistory';
import { AuthGate } from './components/SignIn';
import { loadWatchlist } from './watchlist/store';
import './styles.css';
import { applyTheme } from './theme/theme';

// Before the first render, so the page is drawn in its theme from the start.
applyTheme();

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

createRoot(container).render(
  <StrictMode>
    <AuthGate>{(account) => <App loadColourHistory={fetchColourHistory} account={account} loadWatchlist={loadWatchlist} />}</AuthGate>
  </StrictMode>,
);
