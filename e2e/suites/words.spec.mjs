// A tour of every page for every role at 1366 and 375 px: every link of
// the top bar, a task's page, and the map with every layer on at several
// zooms. The page guard of ../fixtures.mjs fails the run on any response
// of 400 or more, any failed request and any console error met on the way
// (a tour that only looked at what it asserted once passed while 33-72
// tile requests a page failed).
//
// On the way, every page in Chinese says things in words: no code the
// server stores (straw_burning, cli, firms-viirs, dispatched…), no UTC
// timestamp, in the visible text of the main content. What is meant to be
// typed or read as is (user names, file names, the server's own words
// kept as a detail, configuration names in <code>) is not judged; the
// map's own controls are the map suite's.
//
// One test per role and width does both (they were two files, tour and
// words, that logged in and opened the same pages twice). It runs after
// warnings.spec.mjs: the warnings page is judged with a lifted warning in
// its record.
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

const roles = ['admin', 'nongye', 'hunyuan', 'wangge'];
// Pages the top bar does not link to, judged for words too: the ledger's
// other kinds of site, the audit log filtered to tasks.
const more = { admin: ['sites:stockpile', 'sites:nocoal'], nongye: ['auditlog?action=task.'] };
// Long pages: on the phone, the whole page is kept.
const long = ['audit', 'auditlog', 'admin', 'sites'];

for (const name of roles) {
  for (const [w, vp] of [['desktop', { width: 1366, height: 800 }], ['phone', phone]]) {
    test(`${name} at ${w} width: tour`, async ({ suite: { url, shots, page, login, check } }) => {
      const p = await page(vp, `${name} at ${w} width: tour`);
      await quiet(p, 1);
      await login(p, name);
      await quiet(p);
      const links = await p.$$eval('#topbar nav a', (as) => as.map((a) => a.getAttribute('href')));
      const seen = [];
      const wide = [];
      // Nothing sticks out sideways: a page wider than the screen scrolls
      // sideways on a phone (tables scroll inside their own box).
      const sideways = async (what) => {
        const [sw, iw] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        if (sw > iw + 1) wide.push(`${what} ${sw} px`);
      };
      const words = async (what, route) => {
        const raw = await rawTexts(p, route === 'sites' ? new RegExp(RAW.source + '|' + AREA.source) : RAW);
        check(raw.length === 0, `words: ${name} ${what} at ${vp.width} px says things in words (${raw.slice(0, 4).join(' | ')})`);
      };
      for (const href of links) {
        await p.goto(url + '/' + href);
        await quiet(p);
        const route = href.replace('#/', '');
        seen.push(route);
        await sideways(route);
        await words(route, route);
        await p.screenshot({ path: `${shots}/${route}-${name}-${w}.png`, fullPage: w === 'phone' && long.includes(route) });
      }
      for (const r of more[name] ?? []) {
        const [route, kind] = r.split(':');
        await p.goto(`${url}/#/${route}`);
        await quiet(p);
        if (kind) {
          await p.selectOption('[data-testid=site-kind]', kind);
          await quiet(p);
        }
        seen.push(r);
        await words(r, route);
      }
      // A task's page, the first of the user's list.
      const tasks = (await (await p.request.get(url + '/api/tasks?limit=1')).json()).tasks ?? [];
      if (tasks.length) {
        await p.goto(`${url}/#/tasks/${tasks[0].id}`);
        await quiet(p);
        seen.push('task ' + tasks[0].id);
        await sideways('task');
        await words('task ' + tasks[0].id, 'task');
        await p.screenshot({ path: `${shots}/task-${name}-${w}.png`, fullPage: true });
      }
      check(wide.length === 0, `${name} at ${w} width: no page wider than the screen (${wide.join(', ')})`);
      // The map with every layer on, zoomed in and out.
      await p.goto(url + '/#/map');
      await p.waitForSelector('[data-layer]', { state: 'attached', timeout: 20000 });
      await p.$$eval('[data-layer]', (cbs) => cbs.forEach((cb) => { if (!cb.checked) cb.click(); }));
      await quiet(p);
      // Every time window, then back to the first.
      const windows = await p.$$eval('[data-testid=time-window] option', (os) => os.map((o) => o.value));
      for (const v of [...windows.filter((v) => v !== 'custom'), windows[0]]) {
        await p.$eval('[data-testid=time-window]', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, v);
        await quiet(p);
      }
      const zooms = [];
      for (const dz of [1, 2, -3.25]) {
        zooms.push(await p.evaluate((dz) => { const m = window.skygridMap; m.setZoom(m.getZoom() + dz, { animate: false }); return m.getZoom(); }, dz));
        await quiet(p);
      }
      seen.push(`map with every layer at zooms ${zooms.join(', ')}`);
      await p.screenshot({ path: `${shots}/map-all-layers-${name}-${w}.png` });
      check(seen.length >= 3, `${name} at ${w} width: toured ${seen.join(', ')}`);
      await p.context().close();
    });
  }
}
