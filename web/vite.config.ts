// Vite builds the UI into dist/, which the build embeds into the varn binary (scripts/build_web.py).
// The server's Content-Security-Policy allows scripts, styles, images and fonts only from files of
// the same origin: nothing may be inlined into index.html or turned into a data: URL.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  // `npm run dev` serves the UI with hot reload and passes the API to a running varn serve.
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
