// The public page (/public): no login, Chinese, small and fast on a phone.
// It does not load the web app (no Leaflet, no ECharts up front): each
// section is its own module under src/public/, loaded when the page opens,
// and draws itself into its own <section>. A section that fails says so in
// its place; the others still show.
//
// To add a section: write src/public/NAME.ts exporting
// `mount(el: HTMLElement): Promise<void>` and add it to SECTIONS in the
// order the page shows it.

import './public.css';

type Section = { mount(el: HTMLElement): Promise<void> };

const SECTIONS: Array<[id: string, load: () => Promise<Section>]> = [
  ['warning', () => import('./warning')],
  ['ranking', () => import('./ranking')],
  ['fires', () => import('./fires')],
  ['violations', () => import('./violations')],
  ['reports', () => import('./reports')],
  ['report', () => import('./report')],
  ['passes', () => import('./passes')],
];

function start(): void {
  const root = document.getElementById('public');
  if (!root) return;
  for (const [id, load] of SECTIONS) {
    const el = document.createElement('section');
    el.id = 'pub-' + id;
    el.className = 'pub-section';
    root.appendChild(el);
    load()
      .then((m) => m.mount(el))
      .catch(() => {
        el.textContent = '此栏目暂时无法显示，请稍后刷新。';
      });
  }
}

start();
