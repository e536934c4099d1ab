import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const BACKEND = 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // The chart library in a chunk of its own, loaded with the first chart, whichever lazy view
        // (the drill-down's history, the stock panel) and whichever shared helper asks for it first.
        codeSplitting: { groups: [{ name: 'lightweight-charts', test: /node_modules[\\/]lightweight-charts/ }] },
      },
    },
  },
  // The backend (auth off) serves only its own origin's writes and /ws: the dev server's requests
  // arrive as if from the backend's own page.
  server: {
    proxy: {
      '/api': { target: BACKEND, changeOrigin: true, headers: { origin: BACKEND } },
      '/health': { target: BACKEND, changeOrigin: true },
      '/ws': { target: BACKEND, changeOrigin: true, ws: true, headers: { origin: BACKEND } },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
  },
});
