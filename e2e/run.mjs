// Browser tests: the real skygrid demo server on 127.0.0.1 (port 0), Debian's
// Chromium driven by playwright-core. Screenshots of each page at desktop and
// phone width go to e2e/screenshots/. Run by `make test`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

const failures = [];
const only = process.env.E2E_ONLY ? process.env.E2E_ONLY.split(',') : null;
function check(ok, what) {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

// Start the demo: the binary is built by make (bin/skygrid).
const bin = process.env.SKYGRID_BIN || join(root, 'bin', 'skygrid');
const server = spawn(bin, ['demo', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
// db is the demo's database file (suites run the CLI on it: token create).
let db = '';
const url = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('demo did not start in 90 s:\n' + out)), 90000);
  server.stdout.on('data', (d) => {
    out += d;
    db = out.match(/^database: (.+)$/m)?.[1] ?? db;
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on('exit', (code) => reject(new Error(`demo exited ${code}:\n${out}`)));
});
console.log('demo at', url);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

// Every page is watched: a response of 400 or more, a request that failed
// (other than one the page itself abandoned) or a console error fails the
// run when the page's context closes, whatever the test asserted. A test
// that provokes one on purpose says so first with p.allow(/pattern/),
// matched against "STATUS METHOD URL", "failed METHOD URL REASON" and the
// console text.
const open = new Set();
async function page(viewport, label = `page at ${viewport.width} px`, options = {}) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  const p = await ctx.newPage();
  p.errors = [];
  p.http = [];
  p.allowed = [];
  p.label = label;
  p.allow = (...res) => { p.allowed.push(...res); };
  p.on('console', (m) => { if (m.type() === 'error') p.errors.push(m.text()); });
  p.on('pageerror', (e) => p.errors.push(String(e.stack || e)));
  p.on('response', (r) => { if (r.status() >= 400) p.http.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  p.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    // Leaflet abandons the tiles it no longer needs (ERR_ABORTED).
    if (!/ERR_ABORTED/.test(why)) p.http.push(`failed ${r.method()} ${r.url()} ${why}`);
  });
  const close = ctx.close.bind(ctx);
  ctx.close = async (...a) => { audit(p); return close(...a); };
  open.add(p);
  return p;
}

/** unexpected lists what went wrong on a page that it did not allow. */
function unexpected(p) {
  const ok = (line) => p.allowed.some((re) => re.test(line));
  // Chromium logs each refused resource as a console error too; the
  // response itself is judged by the allow list.
  const refused = /^Failed to load resource: the server responded with a status of \d+/;
  return [...p.http.filter((l) => !ok(l)), ...p.errors.filter((l) => !ok(l) && !refused.test(l))];
}

function audit(p) {
  if (!open.delete(p)) return;
  const bad = unexpected(p);
  check(bad.length === 0, `${p.label}: no failed request and no console error (${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` … ${bad.length} in all` : ''})`);
}

// pixels counts the pixels of the images or canvases matching sel that are
// painted (not transparent), inked (painted and not white) or coloured
// (saturated: a bar's or a dot's colour, not grey text or grid lines).
async function pixels(p, sel, kind = 'painted') {
  return p.$$eval(sel, (els, kind) => els.reduce((sum, el) => {
    const w = el.naturalWidth ?? el.width, ht = el.naturalHeight ?? el.height;
    if (!w || !ht) return sum;
    const c = document.createElement('canvas');
    c.width = w; c.height = ht;
    const g = c.getContext('2d');
    g.drawImage(el, 0, 0);
    const d = g.getImageData(0, 0, w, ht).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gg, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
      if (a === 0) continue;
      if (kind === 'painted' || (kind === 'inked' && (r < 235 || gg < 235 || b < 235)) || (kind === 'coloured' && Math.max(r, gg, b) - Math.min(r, gg, b) > 60)) n++;
    }
    return sum + n;
  }, 0), kind).catch(() => 0);
}

async function login(p, name, password = 'skygrid-demo') {
  await p.goto(url + '/#/login');
  await p.fill('[data-testid=login-name]', name);
  await p.fill('[data-testid=login-password]', password);
  await p.click('[data-testid=login-submit]');
  await p.waitForSelector('[data-testid=logout]', { timeout: 15000 });
}

const desktop = { width: 1280, height: 800 };
const phone = { width: 375, height: 740 };

try {
  // E2E_ONLY=name[,name] runs only those suites (a quicker loop while
  // working on one); the full run is what make test does.
  if (!only) {
    // The login page, as each user first sees it.
    for (const [w, vp] of [['desktop', desktop], ['phone', phone]]) {
      const p = await page(vp, `login page at ${w} width`);
      const res = await p.goto(url + '/#/login');
      // Every page of the app runs under the server's CSP: no inline script,
      // no framing; a violation is a console error and fails the page.
      const csp = res.headers()['content-security-policy'] ?? '';
      check(/script-src 'self';/.test(csp) && /frame-ancestors 'none'/.test(csp) && res.headers()['x-content-type-options'] === 'nosniff',
        `login page at ${w} width: served with the CSP and nosniff (${csp.slice(0, 60)}…)`);
      await p.waitForSelector('[data-testid=login-submit]');
      await p.screenshot({ path: join(shots, `login-${w}.png`) });
      check(p.errors.length === 0, `login page at ${w} width: no console errors (${p.errors.join('; ')})`);
      await p.context().close();
    }
    // Every role logs in; the map shows tiles.
    for (const name of ['admin', 'nongye', 'hunyuan', 'wangge']) {
      const p = await page(desktop, `${name}: map`);
      await login(p, name);
      await p.goto(url + '/#/map');
      await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
      await p.waitForTimeout(1500);
      await p.screenshot({ path: join(shots, `map-${name}-desktop.png`) });
      // The map canvas is not blank: some tile images have loaded.
      const tiles = await p.$$eval('#map img.leaflet-tile-loaded', (imgs) => imgs.length);
      check(tiles > 0, `${name}: the map shows ${tiles} tiles`);
      // Painted pixels of each layer's loaded tiles: the basemap is drawn,
      // and the fire layer shows fire dots in the user's area.
      await p.waitForSelector('#map .ov-hotspots img.leaflet-tile-loaded', { timeout: 15000 }).catch(() => {});
      const base = tiles - await p.$$eval('#map .leaflet-layer[class*=ov-] img.leaflet-tile-loaded', (imgs) => imgs.length);
      const fire = await pixels(p, '#map .ov-hotspots img.leaflet-tile-loaded');
      check(base > 0 && fire > 50, `${name}: the basemap (${base} tiles) and the fire layer (${fire} painted pixels) show`);
      check(p.errors.length === 0, `${name}: no console errors on the map (${p.errors.join('; ')})`);
      await p.context().close();
    }

    // An event popup on the map (admin, desktop).
    {
      const p = await page(desktop, 'admin: popups and pages');
      await login(p, 'admin');
      const ev = await (await p.request.get(url + '/api/events?limit=1&since=2023-10-01&until=2023-11-01')).json();
      const [lon, lat] = ev.features[0].geometry.coordinates;
      await p.goto(url + '/#/map');
      await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
      await p.waitForFunction(() => !!window.skygridMap);
      await p.evaluate(([lat, lon]) => window.skygridMap.setView([lat, lon], 14, { animate: false }), [lat, lon]);
      await p.waitForTimeout(800);
      const box = await p.locator('#map').boundingBox();
      await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const popup = await p.waitForSelector('[data-testid=event-popup]', { timeout: 10000 }).catch(() => null);
      check(!!popup, 'admin: clicking an event on the map opens its popup');
      await p.waitForSelector('[data-testid=event-hotspots] li', { timeout: 10000 }).catch(() => null);
      const listed = await p.$$eval('[data-testid=event-hotspots] li', (li) => li.length);
      const ringed = await p.$$eval('#map .leaflet-overlay-pane path', (ps) => ps.filter((x) => x.getAttribute('stroke') === '#f59e0b').length);
      const evDetail = await (await p.request.get(`${url}/api/events/${ev.features[0].properties.id}`)).json();
      const nHot = evDetail.properties.hotspots.features.length;
      check(listed >= Math.min(nHot, 8) && nHot > 0 && ringed >= nHot,
        `admin: the popup lists the event's hotspots (${listed} of ${nHot}) and the map rings them (${ringed})`);
      await p.screenshot({ path: join(shots, 'map-popup-desktop.png') });
      // A site: its record and compliance.
      const sites = await (await p.request.get(url + '/api/sites?kind=construction&violation=true&limit=1')).json();
      const [sw, ss, se, sn] = sites.features[0].bbox;
      await p.evaluate(([lat, lon]) => { window.skygridMap.closePopup(); window.skygridMap.setView([lat, lon], 17, { animate: false }); }, [(ss + sn) / 2, (sw + se) / 2]);
      await p.waitForTimeout(800);
      await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const site = await p.waitForSelector('[data-testid=site-popup]', { timeout: 10000 }).catch(() => null);
      const siteText = site ? await site.innerText() : '';
      check(!!site && siteText.includes(sites.features[0].properties.name) && siteText.includes(sites.features[0].properties.violation_name),
        `admin: clicking a construction site shows its record and its violation (${siteText.slice(0, 60)})`);
      await p.screenshot({ path: join(shots, 'map-site-popup-desktop.png') });
      for (const route of ['tasks', 'sites', 'audit', 'admin']) {
        await p.goto(url + '/#/' + route);
        await p.waitForTimeout(1500);
        await p.screenshot({ path: join(shots, `${route}-admin-desktop.png`), fullPage: true });
      }
      check(p.errors.length === 0, `admin: no console errors (${p.errors.join('; ')})`);
      await p.context().close();
    }

    // The supervisor on a 375 px phone: open a task, acknowledge, report with
    // a real JPEG; other grids' tasks are not reachable.
    let reported = 0;
    {
      const p = await page(phone, 'wangge: report and refusals');
      // The other grid's task page, opened on purpose below, is refused.
      p.allow(/^403 GET .*\/api\/tasks\/\d+$/);
      await login(p, 'wangge');
      await p.goto(url + '/#/tasks');
      await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
      await p.screenshot({ path: join(shots, 'tasks-wangge-phone.png'), fullPage: true });
      await p.click('[data-testid=task-item] >> nth=0');
      await p.waitForSelector('[data-testid=ack]', { timeout: 15000 });
      reported = Number((p.url().match(/tasks\/(\d+)/) || [])[1]);
      await p.click('[data-testid=ack]');
      // Acknowledged: the page redraws without the button (a form filled
      // before that redraw would be replaced).
      await p.waitForSelector('[data-testid=ack]', { state: 'detached', timeout: 15000 });
      await p.waitForSelector('[data-testid=report-submit]', { timeout: 15000 });
      await p.check('[data-testid=finding-straw_burning]');
      await p.fill('[data-testid=notes]', '现场核实，已扑灭');
      await p.setInputFiles('[data-testid=photos]', join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg'));
      await p.screenshot({ path: join(shots, 'task-report-wangge-phone.png'), fullPage: true });
      await p.click('[data-testid=report-submit]');
      await p.waitForTimeout(2000);
      const t = await (await p.request.get(`${url}/api/tasks/${reported}`)).json();
      check(t.state === 'reported' && t.photos && t.photos.length === 1, `wangge: task ${reported} reported with a photo (state ${t.state})`);
      // Other grids' tasks: every id not in the supervisor's list is 403.
      const mine = new Set((await (await p.request.get(url + '/api/tasks?limit=1000')).json()).tasks.map((t) => t.id));
      let refused = 0, leaked = 0, otherId = 0;
      for (let id = 1; id <= 60; id++) {
        if (mine.has(id)) continue;
        const st = (await p.request.get(`${url}/api/tasks/${id}`)).status();
        if (st === 403) { refused++; otherId = otherId || id; } else leaked++;
      }
      check(refused > 0 && leaked === 0, `wangge: ${refused} other grids' tasks refused, ${leaked} reachable`);
      await p.goto(`${url}/#/tasks/${otherId}`);
      await p.waitForTimeout(1500);
      await p.screenshot({ path: join(shots, 'task-forbidden-wangge-phone.png') });
    const why = await p.locator('[data-testid=task-error]').innerText().catch(() => '');
    check(why.startsWith('无权查看'), `wangge: another grid's task page says why in Chinese (${why})`);
      check(p.errors.filter((e) => !/403|Forbidden/.test(e)).length === 0, `wangge: no console errors (${p.errors.join('; ')})`);
      await p.context().close();
    }

    // The tour of every page for every role is suites/tour.mjs.

    // A report made without network is kept and sent when the network is
    // back (the supervisor on the phone).
    {
      const p = await page(phone, 'wangge: offline report');
      // Without network the page's requests fail, as they should.
      p.allow(/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/);
      await login(p, 'wangge');
      const mine = (await (await p.request.get(url + '/api/tasks?state=dispatched&limit=100')).json()).tasks;
      const task = mine[0];
      await p.goto(`${url}/#/tasks/${task.id}`);
      await p.click('[data-testid=ack]');
      // Acknowledged: the page redraws without the button (a form filled
      // before that redraw would be replaced).
      await p.waitForSelector('[data-testid=ack]', { state: 'detached', timeout: 15000 });
      await p.waitForSelector('[data-testid=report-submit]', { timeout: 15000 });
      await p.check('[data-testid=finding-false_alarm]');
      await p.setInputFiles('[data-testid=photos]', join(root, 'evidence', 'testdata', 'photos', 'no_gps.jpg'));
      await p.context().setOffline(true);
      await p.click('[data-testid=report-submit]');
      await p.waitForTimeout(1500);
      const pending = await p.locator('text=待发送').count();
      check(pending > 0, 'wangge offline: the report waits (待发送 shown)');
      await p.screenshot({ path: join(shots, 'task-offline-wangge-phone.png') });
      await p.context().setOffline(false);
      await p.evaluate(() => window.dispatchEvent(new Event('online')));
      let state = '';
      for (let i = 0; i < 20 && state !== 'reported'; i++) {
        await p.waitForTimeout(500);
        state = (await (await p.request.get(`${url}/api/tasks/${task.id}`)).json()).state;
      }
      check(state === 'reported', `wangge: the offline report was sent when the network came back (state ${state})`);
      await p.context().close();
    }

    // The official sees the report and closes it.
    if (reported) {
      const p = await page(desktop, 'hunyuan: close');
      await login(p, 'hunyuan');
      await p.goto(`${url}/#/tasks/${reported}`);
      await p.waitForSelector('[data-testid=close]', { timeout: 15000 });
      await p.screenshot({ path: join(shots, 'task-review-hunyuan-desktop.png'), fullPage: true });
      await p.click('[data-testid=close]');
      await p.waitForTimeout(1500);
      const t = await (await p.request.get(`${url}/api/tasks/${reported}`)).json();
      check(t.state === 'closed', `hunyuan: task ${reported} closed (state ${t.state})`);
      check(p.errors.length === 0, `hunyuan: no console errors (${p.errors.join('; ')})`);
      await p.context().close();
    }
  }

  // Further suites: e2e/suites/*.mjs, each `export default async function (ctx)`,
  // run in name order with the same server, browser and helpers.
  const suiteDir = join(here, 'suites');
  const suites = (existsSync(suiteDir) ? readdirSync(suiteDir).filter((f) => f.endsWith('.mjs')).sort() : [])
    .filter((f) => !only || only.includes(f.replace(/\.mjs$/, '')));
  for (const f of suites) {
    console.log('suite', f);
    const mod = await import(pathToFileURL(join(suiteDir, f)).href);
    try {
      const suitePage = (vp, label, options) => page(vp, `${f}: ${label ?? `page at ${vp.width} px`}`, options);
      await mod.default({ url, root, shots, page: suitePage, login, check, desktop, phone, pixels, bin, db });
    } catch (e) {
      failures.push(`${f}: ${e.stack || e}`);
      console.error(e);
    }
  }
} catch (e) {
  failures.push(String(e.stack || e));
  console.error(e);
} finally {
  for (const p of [...open]) audit(p);
  await browser.close();
  server.kill();
}
writeFileSync(join(shots, 'RESULT.txt'), failures.length ? failures.join('\n') : 'all passed\n');
if (failures.length) {
  console.error(`${failures.length} browser checks failed`);
  process.exit(1);
}
console.log('browser tests passed');
