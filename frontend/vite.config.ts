import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const BACKEND = 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
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
