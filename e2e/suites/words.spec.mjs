// Every page in Chinese says things in words: no code the server stores
// (straw_burning, cli, firms-viirs, dispatched…), no UTC timestamp, in the
// visible text of the main content, for every role, at 1366 and 375 px.
// What is meant to be typed or read as is (user names, file names, the
// server's own words kept as a detail, configuration names in <code>) is
// not judged; the map's own controls are the map suite's.
import { join } from 'node:path';
import { test, quiet, phone } from '../fixtures.mjs';

const RAW = /\b[a-z]+_[a-z]+\b|\bcli\b|\b(?:firms-viirs|firms-modis|himawari-wlf|dispatched|acknowledged|unassigned|supervisor|official|auditor|contains|nearest)\b|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(?::\d{2})?Z\b/;
// The registries give areas in one unit, m².
const AREA = /㎡|公顷/;

/** rawTexts lists the visible texts of #app that read as codes. */
async function rawTexts(p, re = RAW) {
  return p.evaluate((src) => {
    const re = new RegExp(src);
    const skip = 'pre, code, [lang=en], details:not([open]) > :not(summary), script, style, option, .leaflet-container, input, textarea';
    const out = [];
    const walk = document.createTreeWalker(document.getElementById('app'), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      const s = n.textContent.trim();
      if (!s || !el || el.closest(skip) || !el.getClientRects().length) continue;
      if (re.test(s)) out.push(s.slice(0, 80));
    }
    return [...new Set(out)];
  }, re.source);
}

const pages = {
  admin: ['map', 'tasks', 'sites', 'sites:stockpile', 'sites:nocoal', 'audit', 'auditlog', 'admin', 'warnings'],
  nongye: ['map', 'tasks', 'sites', 'audit', 'auditlog', 'auditlog?action=task.', 'warnings'],
  hunyuan: ['map', 'tasks', 'sites', 'audit', 'warnings'],
  wangge: ['tasks', 'sites', 'map'],
};

for (const [name, routes] of Object.entries(pages)) {
  for (const [w, vp] of [['1366', { width: 1366, height: 800 }], ['375', phone]]) {
    test(`${name} at ${w} px: words`, async ({ suite: { url, shots, page, login, check } }) => {
      const p = await page(vp, `${name} at ${w} px: words`);
      await login(p, name);
      for (const r of routes) {
        const [route, kind] = r.split(':');
        await p.goto(`${url}/#/${route}`);
        await quiet(p);
        if (kind) {
          await p.selectOption('[data-testid=site-kind]', kind);
          await quiet(p);
        }
        const raw = await rawTexts(p, route === 'sites' ? new RegExp(RAW.source + '|' + AREA.source) : RAW);
        check(raw.length === 0, `words: ${name} ${r} at ${w} px says things in words (${raw.slice(0, 4).join(' | ')})`);
        if (['audit', 'auditlog', 'admin', 'sites'].includes(route) && !kind) {
          await p.screenshot({ path: join(shots, `words-${route.replace(/\W.*/, '')}-${name}-${w}.png`), fullPage: w === '375' });
        }
      }
      await p.context().close();
    });
  }
}
