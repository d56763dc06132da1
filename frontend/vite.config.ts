/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

// precacheServiceWorker fills in the service worker (sw/sw.js, built to
// dist/sw.js) with the list of this build's files under assets/ and a
// version made from that list and the worker's code: a new build is a new
// worker, which precaches the new files and drops the old cache.
function precacheServiceWorker(): Plugin {
  return {
    name: 'skygrid-precache-sw',
    apply: 'build',
    // After Vite's own plugins: they drop the empty JavaScript chunk of a
    // stylesheet-only import (leaflet's CSS), which would else be listed
    // and answered 404 at every install.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') this.error('the service worker chunk sw.js is missing');
      const files = Object.keys(bundle).filter((f) => f.startsWith('assets/')).sort();
      // FNV-1a over the file names and the worker: enough to tell builds apart.
      let h = 0x811c9dc5;
      for (const c of files.join('\n') + sw.code) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
      sw.code = `self.__SKYGRID_PRECACHE__=${JSON.stringify(files)};self.__SKYGRID_VERSION__=${JSON.stringify(h.toString(36))};\n` + sw.code;
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [precacheServiceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: { index: 'index.html', public: 'public.html', sw: 'sw/sw.js' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/tiles': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
