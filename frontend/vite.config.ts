import { defineConfig } from 'vitest/config';

// The UI is served from the api's origin: every request is relative. In development the dev server
// forwards the api's paths to the api on :8080.
const api = 'http://127.0.0.1:8080';
const proxy = { '/api': api, '/q': api };

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  server: { proxy },
  preview: { proxy },
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
