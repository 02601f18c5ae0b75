/**
 * The console's build: Preact through Vite, from this folder into `dist/`, served by the
 * management port at /console/ (server/console/). Asset names carry a content hash, so the
 * server can let browsers cache them for a year; nothing is inlined, so the page runs under a
 * CSP without 'unsafe-inline'.
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // An inlined asset would be a data: URL, which the CSP refuses; the polyfill is for browsers the console does not target.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
