// The core checks (formerly run.mjs's own): the login page at both widths,
// every role's map, an event's and a site's popup, and one task's way from
// the supervisor's phone (acknowledged, reported with a photo, also
// offline) to the official who closes it. Screenshots go to e2e/screenshots/.
import { join } from 'node:path';
import { test, expect, check, desktop, phone, pixels, tilesDecoded, quiet, clickCentre } from './fixtures.mjs';

for (const [w, vp] of [['desktop', desktop], ['phone', phone]]) {
  test(`login page at ${w} width`, async ({ open, url, shots }) => {
    const p = await open(vp, `login page at ${w} width`);
    const res = await p.goto(url + '/#/login');
    // Every page of the app runs under the server's CSP: no inline script,
    // no framing; a violation is a console error and fails the page.
    const csp = res.headers()['content-security-policy'] ?? '';
    check(/script-src 'self';/.test(csp) && /frame-ancestors 'none'/.test(csp) && res.headers()['x-content-type-options'] === 'nosniff',
      `login page at ${w} width: served with the CSP and nosniff (${csp.slice(0, 60)}…)`);
    await p.waitForSelector('[data-testid=login-submit]');
    await p.screenshot({ path: join(shots, `login-${w}.png`) });
    check(p.errors.length === 0, `login page at ${w} width: no console errors (${p.errors.join('; ')})`);
  });
}

// Every role logs in; the map shows tiles.
for (const name of ['admin', 'nongye', 'hunyuan', 'wangge']) {
  test(`${name}: map`, async ({ open, login, url, shots }) => {
    const p = await open(desktop, `${name}: map`);
    await login(p, name);
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    // The fire layer's tiles are drawn (their dots counted below), and every tile decoded.
    await expect.poll(() => pixels(p, '#map .ov-hotspots img.leaflet-tile-loaded'), { timeout: 15000 }).toBeGreaterThan(50).catch(() => {});
    await tilesDecoded(p);
    await p.screenshot({ path: join(shots, `map-${name}-desktop.png`) });
    // The map canvas is not blank: some tile images have loaded.
    const tiles = await p.$$eval('#map img.leaflet-tile-loaded', (imgs) => imgs.length);
    check(tiles > 0, `${name}: the map shows ${tiles} tiles`);
    // Painted pixels of each layer's loaded tiles: the basemap is drawn,
    // and the fire layer shows fire dots in the user's area.
    const base = tiles - await p.$$eval('#map .leaflet-layer[class*=ov-] img.leaflet-tile-loaded', (imgs) => imgs.length);
    const fire = await pixels(p, '#map .ov-hotspots img.leaflet-tile-loaded');
    check(base > 0 && fire > 50, `${name}: the basemap (${base} tiles) and the fire layer (${fire} painted pixels) show`);
    check(p.errors.length === 0, `${name}: no console errors on the map (${p.errors.join('; ')})`);
  });
}

// An event popup on the map (admin, desktop), a site's, and the admin's pages.
test('admin: popups and pages', async ({ open, login, url, shots }) => {
  const p = await open(desktop, 'admin: popups and pages');
  await login(p, 'admin');
  const ev = await (await p.request.get(url + '/api/events?limit=1&class=straw_burning&since=2023-10-01&until=2023-11-01')).json();
  const [lon, lat] = ev.features[0].geometry.coordinates;
  await p.goto(url + '/#/map');
  await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
  await p.waitForFunction(() => !!window.skygridMap);
  await p.evaluate(([lat, lon]) => window.skygridMap.setView([lat, lon], 14, { animate: false }), [lat, lon]);
  await quiet(p);
  await clickCentre(p, '[data-testid=event-popup]');
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
  await quiet(p);
  await clickCentre(p, '[data-testid=site-popup]');
  const site = await p.waitForSelector('[data-testid=site-popup]', { timeout: 10000 }).catch(() => null);
  const siteText = site ? await site.innerText() : '';
  check(!!site && siteText.includes(sites.features[0].properties.name) && siteText.includes(sites.features[0].properties.violation_name),
    `admin: clicking a construction site shows its record and its violation (${siteText.slice(0, 60)})`);
  await p.screenshot({ path: join(shots, 'map-site-popup-desktop.png') });
  for (const route of ['tasks', 'sites', 'audit', 'admin']) {
    await p.goto(url + '/#/' + route);
    await quiet(p);
    await p.screenshot({ path: join(shots, `${route}-admin-desktop.png`), fullPage: true });
  }
  check(p.errors.length === 0, `admin: no console errors (${p.errors.join('; ')})`);
});

// One task's way: reported on the phone (online, then another offline),
// closed by the official. The steps share the demo's state: in order.
test.describe.serial('a task from the phone to the official', () => {
  let reported = 0;

  // The supervisor on a 375 px phone: open a task, acknowledge, report with
  // a real JPEG; other grids' tasks are not reachable.
  test('wangge: report and refusals', async ({ open, login, url, shots, root }) => {
    const p = await open(phone, 'wangge: report and refusals');
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
    const sent = p.waitForResponse((r) => r.url().endsWith(`/api/tasks/${reported}/report`) && r.request().method() === 'POST');
    await p.click('[data-testid=report-submit]');
    await (await sent).finished();
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
    await p.getByTestId('task-error').waitFor({ timeout: 15000 }).catch(() => {});
    await p.screenshot({ path: join(shots, 'task-forbidden-wangge-phone.png') });
    const why = await p.locator('[data-testid=task-error]').innerText().catch(() => '');
    check(why.startsWith('无权查看'), `wangge: another grid's task page says why in Chinese (${why})`);
    check(p.errors.filter((e) => !/403|Forbidden/.test(e)).length === 0, `wangge: no console errors (${p.errors.join('; ')})`);
  });

  // A report made without network is kept and sent when the network is
  // back (the supervisor on the phone).
  test('wangge: offline report', async ({ open, login, url, shots, root }) => {
    const p = await open(phone, 'wangge: offline report');
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
    await p.locator('text=待发送').first().waitFor({ timeout: 15000 }).catch(() => {});
    const pending = await p.locator('text=待发送').count();
    check(pending > 0, 'wangge offline: the report waits (待发送 shown)');
    await p.screenshot({ path: join(shots, 'task-offline-wangge-phone.png') });
    await p.context().setOffline(false);
    await p.evaluate(() => window.dispatchEvent(new Event('online')));
    const state = () => p.request.get(`${url}/api/tasks/${task.id}`).then((r) => r.json()).then((t) => t.state);
    await expect.poll(state, { timeout: 10000 }).toBe('reported').catch(() => {});
    const now = await state();
    check(now === 'reported', `wangge: the offline report was sent when the network came back (state ${now})`);
  });

  // The official sees the report and closes it.
  test('hunyuan: close', async ({ open, login, url, shots }) => {
    test.skip(!reported, 'no task was reported');
    const p = await open(desktop, 'hunyuan: close');
    await login(p, 'hunyuan');
    await p.goto(`${url}/#/tasks/${reported}`);
    await p.waitForSelector('[data-testid=close]', { timeout: 15000 });
    await p.screenshot({ path: join(shots, 'task-review-hunyuan-desktop.png'), fullPage: true });
    const closed = p.waitForResponse((r) => r.url().endsWith(`/api/tasks/${reported}/close`) && r.request().method() === 'POST');
    await p.click('[data-testid=close]');
    await (await closed).finished();
    const t = await (await p.request.get(`${url}/api/tasks/${reported}`)).json();
    check(t.state === 'closed', `hunyuan: task ${reported} closed (state ${t.state})`);
    check(p.errors.length === 0, `hunyuan: no console errors (${p.errors.join('; ')})`);
  });
});
