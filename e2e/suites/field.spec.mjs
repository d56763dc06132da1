// Field polish: search by place on the map, place names on tasks, the app
// shell without network (service worker), and offline reports the server
// refuses (kept and shown, not dropped). Run after the core checks (the
// "suites" project depends on "core"), against the same demo server.
import { join } from 'node:path';
import { apiAs, apiSessions } from '../lib/api.mjs';
import { test, expect, quiet, frames, slowNetwork, clickCentre, desktop, phone } from '../fixtures.mjs';

/** mapBounds reads the map view as [west, south, east, north]. */
async function mapBounds(p) {
  return p.evaluate(() => {
    const b = window.skygridMap.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  });
}

async function searchAndPick(p, text, kind, name) {
  await p.fill('[data-testid=grid-search]', '');
  await p.fill('[data-testid=grid-search]', text);
  const sel = `[data-testid=search-result][data-kind=${kind}]` + (name ? `:has-text("${name}")` : '');
  const item = await p.waitForSelector(sel, { timeout: 10000 }).catch(() => null);
  return item;
}

async function waitSettled(p) {
  // flyToBounds takes 0.6 s; wait until the view stops changing (the same
  // at two reads 250 ms apart; 5 s at most, as before).
  let last = '';
  await expect.poll(async () => {
    const now = JSON.stringify(await mapBounds(p));
    const still = now === last;
    last = now;
    return still;
  }, { intervals: [250], timeout: 5000 }).toBe(true).catch(() => {});
}

/**
 * flyThere does act (a click or a key that sends the map to a place) and
 * waits for the map's next moveend (the flight's end; 10 s at most), then
 * for the view to stay still. Two equal reads alone were not enough: on a
 * busy machine the page can draw no frame for 250 ms in mid-flight.
 */
async function flyThere(p, act) {
  await p.evaluate(() => {
    window.skygridMoveEnded = false;
    window.skygridMap.once('moveend', () => { window.skygridMoveEnded = true; });
  });
  await act();
  await p.waitForFunction(() => window.skygridMoveEnded === true, null, { timeout: 10000 }).catch(() => {});
  await waitSettled(p);
}

const inside = (outer, inner) => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

const users = apiSessions(test, ['admin', 'hunyuan']);

// (a) Search by place, as admin: a county, then a registered site.
test('admin: search by place', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(desktop);
    await login(p, 'admin');
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    await waitSettled(p);
    const county = (await users.admin.get('/api/search?q=' + encodeURIComponent('浑源县'))).results.find((r) => r.kind === 'county');
    check(county && county.id === '140225' && county.bbox.length === 4, `search API: 浑源县 is county 140225 (${JSON.stringify(county)})`);
    const item = await searchAndPick(p, '浑源县', 'county', '浑源县');
    check(!!item, 'admin: typing 浑源县 offers the county');
    await p.screenshot({ path: join(shots, 'field-search-suggest-admin-desktop.png') });
    if (item && county) {
      const before = await mapBounds(p);
      await flyThere(p, () => item.click());
      const b = await mapBounds(p);
      const [w, s, e, n] = county.bbox;
      const wide = (b[2] - b[0]) / (e - w), tall = (b[3] - b[1]) / (n - s);
      check(inside(b, county.bbox) && Math.min(wide, tall) < 1.6,
        `admin: the map fits 浑源县 (view ${b.map((x) => x.toFixed(3))}, county ${county.bbox.map((x) => x.toFixed(3))}, before ${before.map((x) => x.toFixed(3))})`);
      const hl = await p.evaluate(() => window.skygridHighlight);
      const outlined = await p.$$eval('#map path.leaflet-interactive, #map svg path, #map canvas', (els) => els.length);
      check(hl && hl.id === '140225' && outlined > 0, `admin: 浑源县 is outlined (${JSON.stringify(hl)})`);
      await p.screenshot({ path: join(shots, 'field-search-county-admin-desktop.png') });
    }
    // A site by name.
    const site = (await users.admin.get('/api/search?q=' + encodeURIComponent('示例工地02'))).results[0];
    check(site && site.kind === 'site' && site.name === '示例工地02', `search API: 示例工地02 is a site (${JSON.stringify(site)})`);
    const sItem = await searchAndPick(p, '示例工地02', 'site', '示例工地02');
    check(!!sItem, 'admin: typing 示例工地02 offers the site');
    if (sItem && site) {
      await flyThere(p, () => sItem.click());
      const b = await mapBounds(p);
      const zoom = await p.evaluate(() => window.skygridMap.getZoom());
      check(inside(b, site.bbox) && zoom >= 15, `admin: the map flies to 示例工地02 (zoom ${zoom})`);
      await p.screenshot({ path: join(shots, 'field-search-site-admin-desktop.png') });
    }
    // Enter picks the best match; a grid by its id.
    await p.fill('[data-testid=grid-search]', '140225-005-009');
    await flyThere(p, () => p.press('[data-testid=grid-search]', 'Enter'));
    const hl = await p.evaluate(() => window.skygridHighlight);
    check(hl && hl.kind === 'grid' && hl.id === '140225-005-009', `admin: Enter on a grid id goes to that grid (${JSON.stringify(hl)})`);
    check(p.errors.length === 0, `admin: no console errors searching the map (${p.errors.join('; ')})`);
    await p.context().close();
  }
});

// On a slow network the user's area (every county's outline, for admin)
// comes after the user has already searched and flown to a place: it is
// drawn, but it does not take the map back to the whole area.
test('admin: a place chosen before the area outline comes stays in view', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(desktop);
    // Held from the start: the app may open the map as soon as admin logs in.
    const area = /\/api\/regions\?level=county&geometry=true$/;
    let release = () => {};
    const held = new Promise((ok) => { release = ok; });
    await p.route(area, async (route) => { await held; await route.continue(); });
    await login(p, 'admin');
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    const site = (await users.admin.get('/api/search?q=' + encodeURIComponent('示例工地02'))).results[0];
    const item = await searchAndPick(p, '示例工地02', 'site', '示例工地02');
    check(!!item && !!site, 'admin (area outline held back): typing 示例工地02 offers the site');
    if (item && site) {
      await flyThere(p, () => item.click());
      const answered = p.waitForResponse(area);
      release();
      await (await answered).finished();
      // The outline is drawn (dashed red), then the map is read.
      const drawn = await p.waitForSelector('#map path[stroke="#b3261e"]', { state: 'attached', timeout: 10000 }).catch(() => null);
      await frames(p);
      const b = await mapBounds(p);
      const zoom = await p.evaluate(() => window.skygridMap.getZoom());
      check(!!drawn && inside(b, site.bbox) && zoom >= 15,
        `admin: the area outline coming late is drawn and leaves the map on 示例工地02 (outline ${!!drawn}, zoom ${zoom}, view ${b.map((x) => x.toFixed(3))})`);
      await p.screenshot({ path: join(shots, 'field-search-late-outline-admin-desktop.png') });
    }
    release();
    await p.unroute(area);
    await p.context().close();
  }
});

// At phone width: the panel opens, suggestions fit.
test('admin at 375 px: search by place', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(phone);
    await login(p, 'admin');
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    await p.click('.paneltoggle');
    const item = await searchAndPick(p, '浑源', 'county', '浑源县');
    const box = item ? await item.boundingBox() : null;
    check(!!item && box && box.x >= 0 && box.x + box.width <= 375 + 1, `admin at 375 px: 浑源 offers 浑源县 within the screen (${JSON.stringify(box)})`);
    await p.screenshot({ path: join(shots, 'field-search-admin-phone.png') });
    if (item) {
      await flyThere(p, () => item.click());
      check(!(await p.isVisible('.mappanel')), 'admin at 375 px: choosing a place closes the panel to show the map');
      await p.screenshot({ path: join(shots, 'field-search-county-admin-phone.png') });
    }
    await p.context().close();
  }
});

// As the official of 浑源县: another county's places are not offered.
test('hunyuan: search within the county', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const other = await users.hunyuan.get('/api/search?q=' + encodeURIComponent('广灵'));
    check(other.results && other.results.length === 0, `hunyuan: the search API offers nothing of 广灵县 (${JSON.stringify(other.results)})`);
    const otherSite = await users.hunyuan.get('/api/search?q=' + encodeURIComponent('示例工地01'));
    check(otherSite.results && otherSite.results.length === 0, `hunyuan: 示例工地01 (in 左云县) is not offered (${JSON.stringify(otherSite.results)})`);
    const p = await page(desktop);
    await login(p, 'hunyuan');
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    await p.fill('[data-testid=grid-search]', '广灵县');
    const none = await p.waitForSelector('[data-testid=search-none]', { timeout: 10000 }).catch(() => null);
    const offered = await p.$$eval('[data-testid=search-result]', (els) => els.map((e) => e.textContent));
    check(!!none && offered.length === 0, `hunyuan: typing 广灵县 offers nothing (${offered.join(', ')})`);
    await p.screenshot({ path: join(shots, 'field-search-none-hunyuan-desktop.png') });
    const own = await searchAndPick(p, '浑源', 'county', '浑源县');
    check(!!own, 'hunyuan: their own county is offered');
    check(p.errors.length === 0, `hunyuan: no console errors searching (${p.errors.join('; ')})`);
    await p.context().close();
  }
});

// (b) Place names on the task page and the list, as the supervisor; and in the map's event popup.
test('wangge: place names on tasks', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(phone);
    await login(p, 'wangge');
    const tasks = (await (await p.request.get(url + '/api/tasks?limit=100')).json()).tasks;
    const task = tasks[0];
    await p.goto(`${url}/#/tasks`);
    await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
    const places = await p.$$eval('[data-testid=task-place]', (els) => els.map((e) => e.textContent));
    check(places.length > 0 && places.every((s) => s.includes('浑源县')), `wangge: the task list names the place (${places[0]})`);
    // On a slow network the answer for the filter left behind comes last:
    // the list must still show the state asked for after it.
    const late = /\/api\/tasks\?limit=\d+$/;
    await p.route(late, slowNetwork(1500));
    const slow = p.waitForResponse(late);
    // The answer asked for last (closed) may itself come after the late one
    // on a busy machine: both are in before the list is read.
    const asked = p.waitForResponse((r) => r.url().includes('/api/tasks?') && r.url().includes('state=closed'));
    await p.selectOption('[data-testid=task-state]', 'dispatched');
    await p.selectOption('[data-testid=task-state]', '');
    await p.selectOption('[data-testid=task-state]', 'closed');
    await (await slow).finished();
    await (await asked).finished();
    // The page has had the late answer (its JSON read and any redraw).
    await frames(p);
    await p.unroute(late);
    const states = await p.$$eval('[data-testid=task-item]', (els) => els.map((e) => [...e.classList].find((c) => /^(dispatched|acknowledged|reported|closed)$/.test(c))));
    const closedAPI = tasks.filter((x) => x.state === 'closed').length;
    check(states.every((s) => s === 'closed') && states.length === closedAPI, `wangge: a late answer for another filter is not drawn over the one asked for (${states.length} shown, ${closedAPI} closed: ${states.join(",")})`);
    await p.goto(`${url}/#/tasks/${task.id}`);
    await p.waitForSelector('.taskpage [data-testid=task-place]', { timeout: 15000 });
    // The supervisor reads names, not codes: the county, the township when
    // there is one, and the grid's own name (without the county it repeats).
    const place = (await p.textContent('.taskpage [data-testid=task-place]')).trim();
    const gridOwn = task.grid_name.replace(task.township_name ?? '', '').replace(task.county_name, '').trim();
    check(place.startsWith('浑源县') && place.includes(gridOwn) && !place.includes(task.grid_id) && !/\d{6}/.test(place),
      `wangge: the task page names the place in words (${place})`);
    await p.screenshot({ path: join(shots, 'field-task-names-wangge-phone.png'), fullPage: true });
    await p.context().close();
  }
});

// A notice's link to a task (/#/tasks/ID, 查看任务 in the group robots'
// messages and the DingTalk work notice's button) opened on a phone with
// no session: the log-in page, then that
// task, not the task list the supervisor would have to search; an
// official's link to the audit page the same. Before, every log-in ended
// on the role's start page.
test('a link opened logged out opens its page after the log-in', async ({ suite: { url, shots, page, check } }) => {
  const w = await apiAs(url, 'wangge');
  const task = (await w.get('/api/tasks?limit=1')).tasks[0];
  await w.ctx.dispose();
  // The app's address alone still opens the role's start page (a supervisor's is the task list).
  for (const [name, vp, asked, hash, sel] of [
    ['wangge', phone, `#/tasks/${task.id}`, `#/tasks/${task.id}`, '.taskpage [data-testid=task-place]'],
    ['hunyuan', desktop, '#/audit', '#/audit', '[data-testid=audit-filter]'],
    ['wangge', phone, '', '#/tasks', '[data-testid=task-item]'],
  ]) {
    const p = await page(vp, `${name} opens ${asked || 'the app'} logged out`);
    // With no session yet, the app's question who is logged in is answered 401.
    p.allow(/^401 GET .*\/api\/me$/);
    await p.goto(`${url}/${asked}`);
    await p.fill('[data-testid=login-name]', name);
    check(p.url().includes('#/login'), `${name}: ${asked || 'the app'} with no session asks to log in first (${p.url()})`);
    await p.fill('[data-testid=login-password]', 'skygrid-demo');
    await p.click('[data-testid=login-submit]');
    await expect(p.getByTestId('logout')).toBeVisible({ timeout: 15000 });
    await expect(p).toHaveURL(new RegExp(hash.replace(/[/?.]/g, '\\$&') + '$'), { timeout: 5000 }).catch(() => {});
    check(p.url().endsWith(hash), `${name}: after the log-in ${asked ? 'the page asked for' : 'the start page'}, ${hash}, opens (${p.url()})`);
    if (p.url().endsWith(hash)) {
      await p.waitForSelector(sel, { timeout: 15000 });
      await quiet(p);
    }
    await p.screenshot({ path: join(shots, `field-link-after-login-${name}${asked ? '' : '-app'}.png`) });
    // The phone's back button does not bring the log-in form back: the
    // log-in page took the link's place in the history and gave it back.
    await p.goBack();
    await quiet(p);
    check(!(await p.getByTestId('login-submit').isVisible()), `${name}: back from ${hash} after the log-in does not show the log-in form (${p.url()})`);
    await p.context().close();
  }
});

test('admin: the event popup names the place', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(desktop);
    await login(p, 'admin');
    const ev = (await users.admin.get('/api/events?limit=1&class=straw_burning&county=140225&since=2023-10-01&until=2023-11-01')).features[0];
    const [lon, lat] = ev.geometry.coordinates;
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
    await p.evaluate(([lat, lon]) => window.skygridMap.setView([lat, lon], 14, { animate: false }), [lat, lon]);
    await quiet(p);
    await clickCentre(p, '[data-testid=event-popup] .ev');
    const popup = await p.waitForSelector('[data-testid=event-popup] .ev', { timeout: 10000 }).catch(() => null);
    const text = popup ? await popup.innerText() : '';
    check(text.includes('浑源县') && text.includes(ev.properties.grid_name || '?'), `admin: the event popup names 浑源县 and the grid (${text.replace(/\s+/g, ' ').slice(0, 120)})`);
    await p.screenshot({ path: join(shots, 'field-popup-names-admin-desktop.png') });
    await p.context().close();
  }
});

// (c) The app shell without network: the supervisor's phone loads the app
// once online, loses the network, and reloads.
test('wangge: the app without network', async ({ suite: { url, root, shots, page, login, check } }) => {
  {
    const p = await page(phone, 'wangge: the app without network');
    // Offline, the page's own requests fail (the worker answers from its copy).
    p.allow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch|NetworkError/);
    await login(p, 'wangge');
    await p.goto(`${url}/#/tasks`);
    await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
    // The worker is installed, active and takes the page over (20 s at most, as before).
    await expect.poll(() => p.evaluate(() => !!navigator.serviceWorker?.controller), { timeout: 20000 }).toBe(true).catch(() => {});
    const ready = await p.evaluate(async () => {
      if (!navigator.serviceWorker) return 'no serviceWorker';
      const reg = await navigator.serviceWorker.getRegistration();
      if (!reg?.active) return 'not ready';
      return navigator.serviceWorker.controller ? 'controlled ' + reg.active.scriptURL : 'not controlling';
    });
    check(ready.startsWith('controlled') && ready.endsWith('/sw.js'), `wangge: the service worker is active and controls the page (${ready})`);
    // The open tasks were fetched while online, so the worker keeps them.
    const mine = (await (await p.request.get(url + '/api/tasks?state=dispatched&limit=100')).json()).tasks;
    await expect.poll(() => p.evaluate(async (id) => {
      const c = await caches.open('skygrid-data');
      return (await c.keys()).some((r) => r.url.endsWith('/api/tasks/' + id));
    }, mine[0].id), { timeout: 15000 }).toBe(true).catch(() => {});
    const cached = await p.evaluate(async () => {
      const out = {};
      for (const k of await caches.keys()) out[k.startsWith('skygrid-shell-') ? 'skygrid-shell-*' : k] = (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname);
      return out;
    });
    const shellN = (cached['skygrid-shell-*'] ?? []).length;
    const data = cached['skygrid-data'] ?? [];
    check(shellN >= 3 && data.includes('/api/me') && data.includes('/api/tasks') && data.includes('/api/tasks/' + mine[0].id),
      `wangge: the app shell (${shellN} files) and the user's open tasks (${data.length} answers) are kept on the phone (${data.join(' ')})`);
    // No network. setOffline does not reach the requests the worker makes
    // for the page (Chromium), so the context's routing refuses them too.
    const offlineFrom = p.errors.length;
    await p.context().setOffline(true);
    await p.context().route('**', (r) => r.abort('internetdisconnected'));
    // The offline emulation reaches the worker too: what it answers comes from its cache.
    const sw = p.context().serviceWorkers()[0];
    const swNet = sw ? await sw.evaluate(() => fetch('/healthz').then(() => 'online', () => 'offline')) : 'no worker';
    check(swNet === 'offline', `offline: the service worker has no network either (${swNet})`);
    let resp = null, err = '';
    try { resp = await p.reload({ waitUntil: 'load' }); } catch (e) { err = String(e).split('\n')[0]; }
    const shell = await p.waitForSelector('[data-testid=task-item]', { timeout: 10000 }).catch(() => null);
    const title = await p.title().catch(() => '');
    check(!err && !!shell && p.url().startsWith(url) && title.includes('天网格') && resp && resp.fromServiceWorker(),
      `wangge offline: reloading shows the app and the task list from the phone, not the browser's offline page (${err || title}, ${p.url()})`);
    const note = await p.waitForSelector('[data-testid=saved-copy]:not([hidden])', { timeout: 5000 }).then((e) => e.innerText()).catch(() => '');
    check(note.startsWith('无网络'), `wangge offline: the page says the list is the phone's saved copy (${note})`);
    await p.screenshot({ path: join(shots, 'field-offline-wangge-phone.png'), fullPage: true });
    // Offline, a task not yet acknowledged is opened and reported on site.
    const task = mine[0];
    await p.goto(`${url}/#/tasks/${task.id}`);
    await p.waitForSelector('[data-testid=report-submit]', { timeout: 10000 });
    await p.check('[data-testid=finding-not_found]');
    await p.fill('[data-testid=notes]', '无信号处现场核查');
    await p.setInputFiles('[data-testid=photos]', join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg'));
    await p.click('[data-testid=report-submit]');
    const waiting = await p.waitForSelector('text=待发送 1 条', { timeout: 10000 }).catch(() => null);
    check(!!waiting, 'wangge offline: the report of the task opened offline waits on the phone');
    // Saved on the phone, the form gives way to a note: no second 提交上报
    // to queue the report twice (the copy was refused later as changed, 409).
    const waitNote = await p.waitForSelector('[data-testid=report-waiting]', { timeout: 5000 }).then((e) => e.innerText()).catch(() => '');
    const again = await p.$$eval('[data-testid=report-submit]', (bs) => bs.filter((b) => !b.disabled).length);
    check(waitNote.includes('已保存在手机上') && again === 0, `wangge offline: the page says the report waits and offers no second 提交上报 ("${waitNote}", ${again} enabled)`);
    await p.evaluate(() => window.scrollTo(0, 0)); // a full-page shot draws the sticky top bar where the page is scrolled to
    await p.screenshot({ path: join(shots, 'field-offline-report-wangge-phone.png'), fullPage: true });
    const offlineTo = p.errors.length;
    await p.context().unroute('**');
    await p.context().setOffline(false);
    await p.evaluate(() => window.dispatchEvent(new Event('online')));
    const stateOf = async () => (await (await p.request.get(`${url}/api/tasks/${task.id}`)).json()).state;
    await expect.poll(stateOf, { timeout: 15000 }).toBe('reported').catch(() => {});
    const state = await stateOf();
    check(state === 'reported', `wangge: back online, the task is acknowledged and reported (state ${state})`);
    const back = await p.waitForSelector('[data-testid=task-item], [data-testid=report-submit], .taskpage', { timeout: 15000 }).catch(() => null);
    check(!!back, 'wangge: back online, the app goes on');
    // Online, a new index.html is taken from the network (network first): the worker answers with the server's page.
    const fresh = await p.evaluate(async () => (await fetch('./', { cache: 'no-store' })).headers.get('cache-control'));
    check(fresh === 'no-cache', `online: the page comes from the network, not the cache (Cache-Control ${fresh})`);
    // Offline, a request the worker cannot answer from its cache fails as
    // net::ERR_FAILED (Chromium's word for a worker's refused fetch) and
    // one it lets through as ERR_INTERNET_DISCONNECTED: both are the
    // network's absence. Before and after, only the latter is forgiven
    // (a request made offline may end after the network is back).
    const offlineErr = /ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch|NetworkError/;
    const bad = p.errors.filter((e, i) => !(i >= offlineFrom && i < offlineTo ? offlineErr : /ERR_INTERNET_DISCONNECTED|Failed to fetch|NetworkError/).test(e));
    check(bad.length === 0, `wangge: no console errors around the offline reload but the network's absence (${bad.join('; ')}; all: ${p.errors.join('; ')})`);
    // Logging out forgets the saved answers (a phone may be shared).
    await p.click('[data-testid=logout]');
    await p.waitForSelector('[data-testid=login-submit]', { timeout: 10000 });
    const left = await p.evaluate(async () => (await caches.keys()).includes('skygrid-data'));
    check(!left, 'wangge: logging out deletes the saved answers');
    await p.context().close();
  }
});

// (d) An offline report the server refuses is kept and shown. Two tasks:
// one reassigned to another grid (403), dismissed; one reassigned away and
// back (409: it changed), reported again with the saved photos.
test('wangge: refused offline reports', async ({ suite: { url, root, shots, page, login, check } }) => {
  const photo = join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg');
  {
    let p = await page(phone, 'wangge: refused offline reports');
    // Offline sends fail; the server then refuses the two reports (403, 409).
    p.allow(/ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch/, /^40[39] (GET|POST) .*\/api\/tasks\/\d+/);
    await login(p, 'wangge');
    const errors = p.errors;
    const mine = (await (await p.request.get(url + '/api/tasks?state=dispatched&limit=100')).json()).tasks;
    check(mine.length >= 2, `wangge has ${mine.length} dispatched tasks for the rejection tests`);
    const [gone, changed] = mine;
    // 浑源县's grids (the official's scope): they hang under its townships.
    const grids = (await users.hunyuan.get('/api/regions?level=grid&geometry=false&limit=50')).features.map((f) => f.properties.id);
    const elsewhere = grids.find((g) => g !== gone.grid_id);
    // Queue a report for each, offline: each task open in its own tab,
    // acknowledged and filled in while online, then sent without network.
    const tabs = [];
    for (const [task, notes] of [[changed, '离线上报乙'], [gone, '离线上报甲']]) {
      let tab = p;
      if (tabs.length) {
        tab = await p.context().newPage();
        tab.errors = [];
        tab.on('console', (m) => { if (m.type() === 'error') tab.errors.push(m.text()); });
        tab.on('pageerror', (e) => tab.errors.push(String(e)));
      }
      await tab.goto(`${url}/#/tasks/${task.id}`);
      await tab.click('[data-testid=ack]');
      // Acknowledged: the page redraws without the button (a form filled
      // before that redraw would be replaced).
      await tab.waitForSelector('[data-testid=ack]', { state: 'detached', timeout: 15000 });
      await tab.waitForSelector('[data-testid=report-submit]', { timeout: 15000 });
      await tab.check('[data-testid=finding-straw_burning]');
      await tab.fill('[data-testid=notes]', notes);
      await tab.setInputFiles('[data-testid=photos]', photo);
      tabs.push(tab);
    }
    await p.context().setOffline(true);
    for (const tab of tabs) {
      await tab.click('[data-testid=report-submit]');
      await tab.waitForSelector('[data-testid=pending-banner]', { timeout: 5000 }).catch(() => null);
    }
    await expect(tabs[1].getByTestId('pending-banner')).toContainText('待发送 2 条', { timeout: 5000 }).catch(() => {});
    const pending = (await tabs[1].textContent('[data-testid=pending-banner]').catch(() => '')) || '';
    check(pending.includes('待发送 2 条'), `wangge offline: two reports wait (${pending})`);
    // One tab stays open, on the first task's page.
    await tabs[0].close();
    // Meanwhile the official reassigns them.
    const tGone = await users.hunyuan.get(`/api/tasks/${gone.id}`);
    const r1 = await users.hunyuan.post(`/api/tasks/${gone.id}/reassign`, { grid_id: elsewhere, version: tGone.version });
    const tChanged = await users.hunyuan.get(`/api/tasks/${changed.id}`);
    const r2 = await users.hunyuan.post(`/api/tasks/${changed.id}/reassign`, { grid_id: elsewhere, version: tChanged.version });
    const tAway = await users.hunyuan.get(`/api/tasks/${changed.id}`);
    const r3 = await users.hunyuan.post(`/api/tasks/${changed.id}/reassign`, { grid_id: changed.grid_id, version: tAway.version });
    check(r1.ok() && r2.ok() && r3.ok(), `hunyuan reassigns task ${gone.id} to ${elsewhere}, and ${changed.id} away and back (${r1.status()} ${r2.status()} ${r3.status()})`);
    p = tabs[1];
    p.on('dialog', (d) => d.accept());
    // Back online (on the first task's page): the queue is sent.
    await p.context().setOffline(false);
    await p.evaluate(() => window.dispatchEvent(new Event('online')));
    const banner = await p.waitForSelector('[data-testid=rejected-banner]', { timeout: 15000 }).catch(() => null);
    const bannerText = banner ? await banner.innerText() : '';
    check(bannerText.includes('2 条离线上报未被接受'), `wangge: a banner says two offline reports were not accepted (${bannerText})`);
    const toastText = await p.textContent('#toast').catch(() => '');
    check(/离线上报未被接受/.test(toastText || ''), `wangge: a notice pops up (${toastText})`);
    const card = await p.waitForSelector(`[data-testid=rejected-report][data-task="${gone.id}"]`, { timeout: 10000 }).catch(() => null);
    const cardText = card ? await card.innerText() : '';
    check(cardText.includes('该任务已不在您的网格') && cardText.includes('not in your area') && cardText.includes('离线上报甲') && cardText.includes('照片 1 张'),
      `wangge: task ${gone.id}'s page explains the refusal with the server's reason (${cardText.replace(/\s+/g, ' ').slice(0, 160)})`);
    // The page itself, the task gone from wangge's grid, says so in words of its own (no server English).
    const pageError = await p.textContent('[data-testid=task-error]', { timeout: 10000 }).catch(() => '(none)');
    check(pageError === '无权查看：该任务不在您的网格或管辖范围内（可能已改派）', `wangge: task ${gone.id}'s page says it is no longer in the grid ("${pageError}")`);
    await p.screenshot({ path: join(shots, 'field-rejected-403-wangge-phone.png'), fullPage: true });
    // Nothing is lost: the task list lists both.
    await p.goto(`${url}/#/tasks`);
    await p.waitForSelector('[data-testid=rejected-list] [data-testid=rejected-report]', { timeout: 10000 }).catch(() => null);
    const listed = await p.$$eval('[data-testid=rejected-list] [data-testid=rejected-report]', (els) => els.map((e) => e.dataset.task));
    check(listed.includes(String(gone.id)) && listed.includes(String(changed.id)), `wangge: the task list keeps both refused reports (${listed})`);
    await p.screenshot({ path: join(shots, 'field-rejected-list-wangge-phone.png'), fullPage: true });
    // Dismiss the first.
    await p.click(`[data-testid=rejected-report][data-task="${gone.id}"] [data-testid=rejected-dismiss]`);
    await expect(p.locator('[data-testid=rejected-list] [data-testid=rejected-report]')).toHaveCount(1, { timeout: 5000 }).catch(() => {});
    const left = await p.$$eval('[data-testid=rejected-list] [data-testid=rejected-report]', (els) => els.map((e) => e.dataset.task));
    check(left.length === 1 && left[0] === String(changed.id), `wangge: dismissing removes only that notice (${left})`);
    // The changed task: open it, acknowledge, report again with the saved content.
    await p.click(`[data-testid=rejected-report][data-task="${changed.id}"] [data-testid=rejected-open]`);
    const c2 = await p.waitForSelector(`[data-testid=rejected-report][data-task="${changed.id}"]`, { timeout: 10000 }).catch(() => null);
    const c2Text = c2 ? await c2.innerText() : '';
    check(c2Text.includes('任务在您离线期间已被修改') && /changed since you loaded it/.test(c2Text), `wangge: task ${changed.id} explains the 409 (${c2Text.replace(/\s+/g, ' ').slice(0, 140)})`);
    await p.click('[data-testid=ack]');
    // Acknowledged: the page redraws without the button (a form filled
    // before that redraw would be replaced).
    await p.waitForSelector('[data-testid=ack]', { state: 'detached', timeout: 15000 });
    await p.waitForSelector('[data-testid=rejected-again]', { timeout: 10000 });
    await p.click('[data-testid=rejected-again]');
    await p.waitForSelector('[data-testid=prefilled]', { timeout: 5000 });
    const form = await p.evaluate(() => ({
      finding: document.querySelector('[data-testid=finding] input:checked')?.value, notes: document.querySelector('[data-testid=notes]').value,
      photos: document.querySelectorAll('[data-testid=photo-preview]').length,
    }));
    check(form.finding === 'straw_burning' && form.notes === '离线上报乙' && form.photos === 1, `wangge: the report form is filled with the saved report (${JSON.stringify(form)})`);
    await p.evaluate(() => window.scrollTo(0, 0)); // a full-page shot draws the sticky top bar where the page is scrolled to
    await p.screenshot({ path: join(shots, 'field-rejected-again-wangge-phone.png'), fullPage: true });
    await p.click('[data-testid=report-submit]');
    const taskNow = async () => (await p.request.get(`${url}/api/tasks/${changed.id}`)).json();
    await expect.poll(async () => (await taskNow()).state, { timeout: 10000 }).toBe('reported').catch(() => {});
    const t2 = await taskNow();
    check(t2.state === 'reported' && t2.photos?.length === 1 && t2.notes === '离线上报乙', `wangge: task ${changed.id} reported again with the kept photo (state ${t2.state}, ${t2.photos?.length} photos)`);
    await expect(p.locator('[data-testid=rejected-report], [data-testid=rejected-banner]')).toHaveCount(0, { timeout: 5000 }).catch(() => {});
    const still = await p.$$('[data-testid=rejected-report], [data-testid=rejected-banner]');
    check(still.length === 0, `wangge: once reported again, the notice is gone (${still.length} left)`);
    const unexpected = [...errors, ...p.errors].filter((e) => !/403|409|Forbidden|Conflict|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e));
    check(unexpected.length === 0, `wangge: no unexpected console errors (${unexpected.join('; ')})`);
    await p.context().close();
  }
});
