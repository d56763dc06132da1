// A real map under the points (issue 12, points 2 and 10): place names
// drawn by the browser at county and grid zoom, the Tianditu basemaps and
// their switcher (a second demo server with a key; Tianditu's tiles are
// answered locally, nothing leaves the machine), the hint when there is no
// key, no seams between basemap tiles at fractional zooms, "you are here"
// with a faked position, site markers a thumb can hit, the legend, the
// credit line, and the popup of an industrial-heat event.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, quiet, frames } from '../fixtures.mjs';
import { startDemo } from '../lib/demo.mjs';

const wide = { width: 1366, height: 768 };
const narrow = { width: 375, height: 740 };
const widths = [['desktop', wide], ['phone', narrow]];

/** settle waits for the map: no request in flight, every tile decoded, and drawn (two frames). */
async function settle(p) {
  await quiet(p);
  await p.waitForFunction(() => [...document.querySelectorAll('#map img.leaflet-tile')].every((i) => i.complete), null, { timeout: 15000 }).catch(() => {});
  await frames(p);
}

async function openMap(p, base, hash = '#/map') {
  await p.goto(base + '/' + hash);
  await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
  await p.waitForFunction(() => !!window.skygridMap);
  await settle(p);
}

async function setView(p, lat, lon, z) {
  await p.evaluate(([lat, lon, z]) => window.skygridMap.setView([lat, lon], z, { animate: false }), [lat, lon, z]);
  await settle(p);
}

/** shownLabels: the place names drawn, with their boxes and whether they lie in the map. */
async function shownLabels(p, level) {
  return p.$$eval(`.region-label.rl-${level}:not([hidden]) span`, (spans) => {
    const m = document.querySelector('#map').getBoundingClientRect();
    return spans.map((s) => {
      const r = s.getBoundingClientRect();
      return { id: s.parentElement.dataset.id, text: s.textContent, x: r.left, y: r.top, w: r.width, h: r.height,
        inside: r.left >= m.left && r.top >= m.top && r.right <= m.right && r.bottom <= m.bottom && r.width > 0 };
    });
  });
}

function overlaps(ls) {
  const out = [];
  for (let i = 0; i < ls.length; i++) {
    for (let j = i + 1; j < ls.length; j++) {
      const a = ls[i], b = ls[j];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) out.push(`${a.text}/${b.text}`);
    }
  }
  return out;
}

/** openSwitcher opens the basemap switcher when it is folded (on a phone); a pointer over it opens it. */
async function openSwitcher(p) {
  if (await p.isVisible('[data-testid=basemap-switcher] .leaflet-control-layers-list')) return;
  await p.hover('[data-testid=basemap-switcher]');
  await p.waitForSelector('[data-testid=basemap-switcher] .leaflet-control-layers-list', { state: 'visible', timeout: 5000 }).catch(() => {});
}

/** loginAt signs in on another server (the second demo). */
async function loginAt(p, base, name) {
  await p.goto(base + '/#/login');
  await p.fill('[data-testid=login-name]', name);
  await p.fill('[data-testid=login-password]', 'skygrid-demo');
  await p.click('[data-testid=login-submit]');
  await p.waitForSelector('[data-testid=logout]', { timeout: 15000 });
}

/**
 * seams measures hairlines along the basemap's tile edges in a screenshot
 * of the map with everything but the basemap hidden: for each tile edge,
 * the share of its pixels that differ from both sides while the two sides
 * agree (a line one pixel wide that the map does not draw).
 */
async function seams(p) {
  // Hidden through the DOM: the page's CSP refuses an injected <style>.
  await p.evaluate((sel) => {
    for (const el of document.querySelectorAll(sel)) el.style.setProperty('visibility', 'hidden', 'important');
  }, '.leaflet-layer[class*=ov-], .region-labels, .leaflet-control-container, .mappanel, .paneltoggle, .leaflet-overlay-pane');
  await frames(p);
  const box = await p.locator('#map').boundingBox();
  const shot = (await p.screenshot({ clip: box })).toString('base64');
  const edges = await p.$$eval('#map .basemap-tiles img.leaflet-tile', (imgs) => {
    const m = document.querySelector('#map').getBoundingClientRect();
    const xs = new Set(), ys = new Set();
    for (const i of imgs) {
      const r = i.getBoundingClientRect();
      xs.add(r.left - m.left); ys.add(r.top - m.top);
    }
    return { xs: [...xs], ys: [...ys] };
  });
  const res = await p.evaluate(async ([png, edges]) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + png;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const px = (x, y) => { const i = (y * c.width + x) * 4; return [d[i], d[i + 1], d[i + 2]]; };
    const line = (vertical, at) => {
      let worst = 0;
      for (const k of [Math.floor(at) - 1, Math.floor(at), Math.floor(at) + 1]) {
        const n = vertical ? c.height : c.width;
        if (k < 3 || k > (vertical ? c.width : c.height) - 4) continue;
        let bad = 0, seen = 0;
        for (let j = 2; j < n - 2; j++) {
          const [a, b, m] = vertical ? [px(k - 2, j), px(k + 2, j), px(k, j)] : [px(j, k - 2), px(j, k + 2), px(j, k)];
          if (Math.max(...a.map((v, i) => Math.abs(v - b[i]))) > 6) continue; // an edge of the map itself
          seen++;
          if (Math.max(...m.map((v, i) => Math.abs(v - (a[i] + b[i]) / 2))) >= 10) bad++;
        }
        if (seen > 50) worst = Math.max(worst, bad / seen);
      }
      return worst;
    };
    const all = [...edges.xs.map((x) => ['x', x, line(true, x)]), ...edges.ys.map((y) => ['y', y, line(false, y)])];
    return all.filter(([, at]) => at > 3).sort((a, b) => b[2] - a[2]);
  }, [shot, edges]);
  return res;
}

/** markerAt measures the painted blob of a tile layer under a container point: width, height and the centre colour. */
async function markerAt(p, layer, x, y) {
  return p.evaluate(([layer, x, y]) => {
    const m = document.querySelector('#map').getBoundingClientRect();
    const img = [...document.querySelectorAll(`#map .ov-${layer} img.leaflet-tile-loaded`)].find((i) => {
      const r = i.getBoundingClientRect();
      return r.left <= m.left + x && m.left + x < r.right && r.top <= m.top + y && m.top + y < r.bottom;
    });
    if (!img) return null;
    const r = img.getBoundingClientRect();
    const k = img.naturalWidth / r.width;
    const cx = Math.round((m.left + x - r.left) * k), cy = Math.round((m.top + y - r.top) * k);
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const alpha = (x, y) => (x < 0 || y < 0 || x >= c.width || y >= c.height ? 0 : d[(y * c.width + x) * 4 + 3]);
    if (!alpha(cx, cy)) return { w: 0, h: 0 };
    let l = cx, rr = cx, t = cy, b = cy;
    while (alpha(l - 1, cy)) l--;
    while (alpha(rr + 1, cy)) rr++;
    while (alpha(cx, t - 1)) t--;
    while (alpha(cx, b + 1)) b++;
    const i = (cy * c.width + cx) * 4;
    return { w: (rr - l + 1) / k, h: (b - t + 1) / k, rgb: [d[i], d[i + 1], d[i + 2]] };
  }, [layer, x, y]);
}

async function labelChecks({ url, page, login, check, shots }) {
  for (const [w, vp] of widths) {
    // County zoom: the city for the auditor, the county for its official.
    for (const name of ['nongye', 'hunyuan']) {
      const p = await page(vp, `${name} ${w}: place names`);
      await login(p, name);
      const api = await (await p.request.get(url + '/api/regions?level=county&labels=true&geometry=false')).json();
      const names = new Map(api.features.map((f) => [f.properties.id, f.properties.name]));
      await openMap(p, url);
      await p.waitForSelector('.region-label.rl-county:not([hidden]) span', { timeout: 10000 }).catch(() => {});
      const ls = await shownLabels(p, 'county');
      const zoom = await p.evaluate(() => window.skygridMap.getZoom());
      const want = name === 'hunyuan' ? 1 : Math.min(names.size, vp.width > 700 ? 8 : 4);
      check(ls.length >= want && ls.every((l) => l.inside && names.get(l.id) === l.text) && overlaps(ls).length === 0,
        `${name} at ${vp.width} px, zoom ${zoom}: ${ls.length} county names drawn (want ${want} or more), inside the map, ` +
        `from /api/regions, none overlapping (${ls.map((l) => l.text).join(' ')}; overlaps ${overlaps(ls).join(',')})`);
      check((await shownLabels(p, 'grid')).length === 0, `${name} at ${vp.width} px: no grid names at zoom ${zoom}`);
      // One city: its name is the app's title, not a label over its counties.
      check((await shownLabels(p, 'city')).length === 0, `${name} at ${vp.width} px: no city name in a city's own deployment`);
      await p.screenshot({ path: join(shots, `map-labels-county-${name}-${w}.png`) });
      if (name === 'hunyuan') {
        // Grid zoom over the county's fires: grid names, short, from the API.
        await setView(p, 39.68, 113.68, 12.5);
        await p.waitForSelector('.region-label.rl-grid:not([hidden]) span', { timeout: 10000 }).catch(() => {});
        const gs = await shownLabels(p, 'grid');
        const bbox = await p.evaluate(() => window.skygridMap.getBounds().toBBoxString());
        const grids = await (await p.request.get(`${url}/api/regions?level=grid&labels=true&geometry=false&bbox=${bbox}`)).json();
        const gname = new Map(grids.features.map((f) => [f.properties.id, f.properties.name]));
        const fromApi = gs.filter((l) => gname.get(l.id)?.endsWith(l.text) && l.text.length < gname.get(l.id).length);
        check(gs.length >= (vp.width > 700 ? 20 : 4) && fromApi.length === gs.length && gs.every((l) => l.inside) && overlaps(gs).length === 0,
          `hunyuan at ${vp.width} px, zoom 12.5: ${gs.length} grid names, ${fromApi.length} of them the API's names without the county ` +
          `(${gs.slice(0, 4).map((l) => l.text).join(' ')}), inside the map, none overlapping`);
        check((await shownLabels(p, 'county')).length === 0, `hunyuan at ${vp.width} px: no county name at zoom 12.5`);
        await p.screenshot({ path: join(shots, `map-labels-grid-hunyuan-${w}.png`) });
      }
      await p.context().close();
    }
  }
  // A supervisor sees their own grid's name only.
  const p = await page(narrow, 'wangge: place names');
  await login(p, 'wangge');
  const mine = await (await p.request.get(url + '/api/regions?level=grid&labels=true&geometry=false')).json();
  const g = mine.features[0];
  await openMap(p, url);
  await setView(p, g.properties.label_point[1], g.properties.label_point[0], 13);
  const gs = await shownLabels(p, 'grid');
  check(mine.features.length === 1 && gs.length === 1 && gs[0].id === g.properties.id && (await shownLabels(p, 'county')).length === 0,
    `wangge: the map names only the supervisor's grid (${gs.map((l) => l.id + ' ' + l.text).join(', ')})`);
  await p.context().close();
}

async function noKeyChecks({ url, page, login, check, shots }) {
  for (const [w, vp] of widths) {
    const p = await page(vp, `admin ${w}: basemap without a key`);
    await login(p, 'admin');
    await openMap(p, url);
    if (vp.width <= 700) await p.click('.paneltoggle');
    const hint = await p.waitForSelector('[data-testid=tianditu-hint]', { state: 'attached', timeout: 10000 }).catch(() => null);
    const closed = hint && !(await hint.evaluate((d) => d.open));
    if (hint) await p.click('[data-testid=tianditu-hint] summary');
    const text = hint ? await hint.innerText() : '';
    check(!!hint && closed && /console\.tianditu\.gov\.cn/.test(text) && text.includes('--tianditu-key') && text.includes('SKYGRID_TIANDITU_KEY') && /密钥/.test(text),
      `no key, ${w}: the layers panel says, folded away, how to turn Tianditu on (${text.replace(/\s+/g, ' ').slice(0, 90)})`);
    check((await p.$$('[data-testid=basemap-switcher]')).length === 0, `no key, ${w}: no basemap switcher (one basemap)`);
    const overlays = await p.$$eval('[data-layer]', (cbs) => cbs.map((c) => c.dataset.layer));
    const base = await p.request.get(url + '/tiles/base/9/421/193.png');
    check(!overlays.includes('base') && overlays.includes('hotspots') && base.status() === 200,
      `no key, ${w}: 离线底图 is not listed among the overlays (${overlays.join(',')}); /tiles/base still answers ${base.status()}`);
    const credit = await p.$eval('.leaflet-control-attribution', (el) => ({ text: el.textContent.trim(), html: el.innerHTML }));
    check(credit.text === 'Leaflet | 边界 © 天地图' && !/<svg|<img|leafletjs\.com/.test(credit.html),
      `${w}: the credit line is plain, without the flag ("${credit.text}")`);
    if (w === 'desktop') {
      await p.screenshot({ path: join(shots, 'map-nokey-hint-desktop.png') });
      // The legend: one entry per meaning, saying what it is.
      const items = await p.$$eval('[data-testid=legend-item]', (li) => li.map((l) => l.textContent.trim()));
      const dup = items.filter((x, i) => items.indexOf(x) !== i);
      check(dup.length === 0 && items.includes('火情：工地内') && items.includes('台账：工地（合规）') && items.some((x) => x.includes('品红')),
        `legend: ${items.length} entries, none twice (${dup.join(',')}); event classes and registries told apart`);
      const ages = items.slice(0, 5);
      check(ages.join('|') === '6小时内|24小时内|3天内|7天内|7天以前', `legend: the fire points' ages in words, not "<6 h" (${ages.join(', ')})`);
    } else await p.screenshot({ path: join(shots, 'map-nokey-hint-phone.png') });
    await p.context().close();
  }
}

// One page per width, moved to each zoom (a page per zoom, each logged in
// and its map opened, had cost 47 CPU-s of the suite's 1,090); the tiles of
// the zoom before are gone before the edges are measured.
async function seamChecks({ url, page, login, check, shots }) {
  for (const [w, vp] of widths) {
    const p = await page(vp, `hunyuan ${w}: seams`);
    await login(p, 'hunyuan');
    await openMap(p, url);
    const levels = () => p.$$eval('#map .basemap-tiles .leaflet-tile-container', (cs) => cs.filter((c) => c.querySelector('img.leaflet-tile')).length);
    for (const z of [9.25, 10.75, 12.5]) {
      await setView(p, 39.75, 113.9, z);
      await expect.poll(levels, { timeout: 15000 }).toBe(1).catch(() => {});
      const left = await levels();
      check(left === 1, `${w} at zoom ${z}: one level of basemap tiles left, the zoom before's gone (${left})`);
      const frac = await p.$eval('#map', (el) => el.classList.contains('leaflet-fractional-zoom'));
      const lines = await seams(p);
      const worst = lines[0] ?? ['-', 0, 0];
      check(frac && lines.length > 0 && worst[2] < 0.05,
        `${w} at zoom ${z}: no hairline along the ${lines.length} basemap tile edges (worst ${worst[0]}=${Number(worst[1]).toFixed(2)}: ${(worst[2] * 100).toFixed(1)}% of its pixels)`);
      if (z === 10.75) await p.screenshot({ path: join(shots, `map-seams-z${z}-${w}.png`) });
    }
    await p.context().close();
  }
}

async function siteChecks({ url, page, login, check, shots }) {
  const p = await page(narrow, 'admin phone: site markers');
  await login(p, 'admin');
  const sites = (await (await p.request.get(url + '/api/sites?kind=construction&limit=100')).json()).features;
  const bad = sites.find((s) => s.properties.violation);
  const good = sites.find((s) => !s.properties.violation);
  await openMap(p, url);
  await p.click('.paneltoggle');
  await p.check('[data-layer=construction]');
  await p.click('.paneltoggle');
  for (const [what, s] of [['breaking a rule', bad], ['compliant', good]]) {
    const [w0, s0, e0, n0] = s.bbox;
    const lat = (s0 + n0) / 2, lon = (w0 + e0) / 2;
    await setView(p, lat, lon, 12);
    const pt = await p.evaluate(([lat, lon]) => window.skygridMap.latLngToContainerPoint([lat, lon]), [lat, lon]);
    const m = await markerAt(p, 'construction', pt.x, pt.y);
    const magenta = m?.rgb && m.rgb[0] > 150 && m.rgb[2] > 150 && m.rgb[1] < 90;
    check(!!m && m.w >= 12 && m.h >= 12 && (what === 'compliant' ? !magenta : magenta),
      `a construction site ${what} at zoom 12: a marker ${m?.w}×${m?.h} px, centre rgb(${m?.rgb})${what === 'compliant' ? '' : ', magenta'}`);
    if (what === 'breaking a rule') {
      await p.screenshot({ path: join(shots, 'map-site-marker-phone.png') });
      // A thumb 18 px off the marker's centre still opens its record.
      const box = await p.locator('#map').boundingBox();
      await p.mouse.click(box.x + pt.x + 18, box.y + pt.y + 10);
      const pop = await p.waitForSelector('[data-testid=site-popup]', { timeout: 10000 }).catch(() => null);
      const text = pop ? await pop.innerText() : '';
      check(text.includes(s.properties.name), `a tap 18 px beside the marker opens the site's record (${text.slice(0, 40)})`);
      await p.evaluate(() => window.skygridMap.closePopup());
    }
  }
  await p.context().close();
}

async function heatChecks({ url, page, login, check, shots }) {
  const p = await page(wide, 'nongye: industrial heat popup');
  await login(p, 'nongye');
  const hs = (await (await p.request.get(url + '/api/hotspots?status=static&limit=5000')).json()).features;
  const near = hs.find((h) => /^within \d+ m of known heat source /.test(h.properties.status_reason) && h.properties.event_id);
  const source = near.properties.status_reason.replace(/^within \d+ m of known heat source /, '');
  const ev = await (await p.request.get(`${url}/api/events/${near.properties.event_id}`)).json();
  const [lon, lat] = ev.geometry.coordinates;
  await openMap(p, url);
  await setView(p, lat, lon, 14);
  const box = await p.locator('#map').boundingBox();
  const pt = await p.evaluate(([lat, lon]) => window.skygridMap.latLngToContainerPoint([lat, lon]), [lat, lon]);
  await p.mouse.click(box.x + pt.x, box.y + pt.y);
  await p.waitForSelector('[data-testid=heat-source]', { timeout: 10000 }).catch(() => null);
  // The source as registered: its Chinese name where the data has one (GEM), else its English name, said so.
  const around = `${lon - 0.02},${lat - 0.02},${lon + 0.02},${lat + 0.02}`;
  const reg = (await (await p.request.get(`${url}/api/sites?kind=industrial&bbox=${around}`)).json()).features.find((f) => f.properties.name === source);
  const shown = reg?.properties.props?.name_zh || source;
  const why = await p.locator('[data-testid=heat-reason]').first().innerText().catch(() => '');
  const named = await p.locator('[data-testid=heat-source]').first().innerText().catch(() => '');
  check(ev.properties.class === 'industrial_heat' && !!reg && why.includes('为什么判为工业热源') && why.includes('距已知热源') && named.includes(shown) &&
    /距离约 [\d.]+ (米|公里)/.test(named) && named.includes('英文原名') === !reg.properties.props?.name_zh,
    `an industrial-heat event's popup says why and names the nearest source (${shown}) with its distance (${why.replace(/\s+/g, ' ')} | ${named.replace(/\s+/g, ' ')})`);
  await p.screenshot({ path: join(shots, 'map-heat-popup-desktop.png') });
  await p.context().close();
}

async function hereChecks({ url, page, login, check, shots }) {
  for (const [w, vp] of widths) {
    const p = await page(vp, `wangge ${w}: you are here`);
    // Count the position watches the page starts and stops.
    await p.addInitScript(() => {
      const g = navigator.geolocation;
      const watch = g.watchPosition.bind(g), clear = g.clearWatch.bind(g), once = g.getCurrentPosition.bind(g);
      window.__geo = { active: new Set(), started: 0, once: 0 };
      g.watchPosition = (...a) => { const id = watch(...a); window.__geo.active.add(id); window.__geo.started++; return id; };
      g.clearWatch = (id) => { window.__geo.active.delete(id); clear(id); };
      g.getCurrentPosition = (...a) => { window.__geo.once++; return once(...a); };
    });
    // Permission first: the task list the login lands on then takes one
    // fix (it may; the map may not). Granting it after the login raced the
    // list's own check of the permission, and the count saw the list's fix.
    await p.context().grantPermissions(['geolocation']);
    await p.context().setGeolocation({ latitude: 40.1, longitude: 113.3, accuracy: 25 });
    await login(p, 'wangge');
    await p.waitForFunction(() => window.__geo.once >= 1, null, { timeout: 10000 }).catch(() => {});
    const tasks = (await (await p.request.get(url + '/api/tasks?limit=1&class=straw_burning')).json()).tasks;
    const task = await (await p.request.get(`${url}/api/tasks/${tasks[0].id}`)).json();
    const fire = { lat: task.lat, lon: task.lon };
    // The supervisor stands 1.6 km south and 1.6 km west of the fire: it is
    // about 2.3 km away to the north-east.
    const dLat = 1.6 / 111.195, dLon = dLat / Math.cos((fire.lat * Math.PI) / 180);
    await p.context().setGeolocation({ latitude: fire.lat - dLat, longitude: fire.lon - dLon, accuracy: 25 });
    await p.evaluate(() => { window.__geo.once = 0; window.__geo.started = 0; });
    await openMap(p, url, `#/map?lat=${fire.lat}&lon=${fire.lon}&z=15`);
    const before = await p.evaluate(() => ({ ...window.__geo, active: window.__geo.active.size }));
    check(before.started === 0 && before.once === 0, `wangge ${w}: the map does not ask for the position on opening (${JSON.stringify(before)})`);
    await p.click('[data-testid=locate]');
    await p.waitForSelector('[data-testid=fire-direction]', { timeout: 10000 }).catch(() => null);
    const text = await p.locator('[data-testid=fire-direction]').innerText().catch(() => '');
    const dot = await p.$$eval('path.you-are-here', (ps) => ps.length);
    const ring = await p.$$eval('path.you-accuracy', (ps) => ps.length);
    check(/^距火点约 2\.[234] 公里，在您的东北方向$/.test(text) && dot === 1 && ring === 1,
      `wangge ${w}: "you are here" shows the position (${dot} dot, ${ring} accuracy circle) and says "${text}"`);
    await settle(p);
    await p.screenshot({ path: join(shots, `map-here-wangge-${w}.png`) });
    // Walking north past the fire: the words follow.
    await p.context().setGeolocation({ latitude: fire.lat + 0.5 / 111.195, longitude: fire.lon, accuracy: 15 });
    await p.waitForFunction(() => /南方向/.test(document.querySelector('[data-testid=fire-direction]')?.textContent ?? ''), null, { timeout: 10000 }).catch(() => {});
    const moved = await p.locator('[data-testid=fire-direction]').innerText().catch(() => '');
    check(moved === '距火点约 500 米，在您的南方向', `wangge ${w}: the words follow the position ("${moved}")`);
    // Leaving the map stops watching.
    const during = await p.evaluate(() => window.__geo.active.size);
    await p.goto(url + '/#/tasks');
    await expect.poll(() => p.evaluate(() => window.__geo.active.size), { timeout: 5000 }).toBe(0).catch(() => {});
    const after = await p.evaluate(() => window.__geo.active.size);
    check(during === 1 && after === 0, `wangge ${w}: one position watch while the map is open (${during}), none after leaving it (${after})`);
    await p.context().close();
  }
}

async function tiandituChecks({ root, page, check, shots }) {
  const second = await startDemo(['--tianditu-key', 'test-key']);
  const url = second.url;
  // Tianditu is not reachable from here: its tiles are answered with
  // local PNGs (a basemap and a label layer), and counted.
  const png = (f) => readFileSync(join(root, 'tiles', 'testdata', 'golden', f));
  const fake = { vec: png('base_z12_city.png'), img: png('nocoal_z10_city.png'), cva: png('regions_z8.png'), cia: png('regions_z8.png') };
  try {
    for (const [w, vp] of widths) {
      const p = await page(vp, `hunyuan ${w}: Tianditu basemaps`);
      const asked = { vec: 0, cva: 0, img: 0, cia: 0, key: true };
      await p.route(/tianditu\.gov\.cn/, (route) => {
        const u = new URL(route.request().url());
        const layer = u.searchParams.get('LAYER');
        asked[layer] = (asked[layer] ?? 0) + 1;
        asked.key &&= u.searchParams.get('tk') === 'test-key';
        asked.referer ??= route.request().headers().referer ?? 'none';
        return route.fulfill({ status: 200, contentType: 'image/png', body: fake[layer] ?? fake.cva });
      });
      await loginAt(p, url, 'hunyuan');
      await openMap(p, url);
      const sw = await p.waitForSelector('[data-testid=basemap-switcher]', { timeout: 10000 }).catch(() => null);
      if (sw) await openSwitcher(p);
      const opts = sw ? await p.$$eval('[data-testid=basemap-switcher] label', (ls) => ls.map((l) => ({ name: l.textContent.trim(), on: l.querySelector('input').checked }))) : [];
      const title = sw ? await p.$eval('[data-testid=basemap-switcher] .lc-title', (el) => el.textContent).catch(() => '') : '';
      check(title === '底图' && opts.map((o) => o.name).join('|') === '离线底图（本地边界）|天地图矢量|天地图影像' && opts[1].on,
        `Tianditu ${w}: the switcher 底图 offers ${opts.map((o) => o.name + (o.on ? ' ✓' : '')).join(', ')} (the map by default)`);
      check(asked.vec > 0 && asked.cva > 0 && asked.img === 0 && asked.key, `Tianditu ${w}: 矢量 is vec_w with its labels cva_w (${JSON.stringify(asked)})`);
      check((await p.$$('[data-testid=tianditu-hint]')).length === 0, `Tianditu ${w}: no hint when the key is set`);
      // The page sends no Referer beyond its origin; Tianditu's tiles send
      // the origin alone (a key restricted to domains checks it).
      check(asked.referer === url + '/', `Tianditu ${w}: its tiles are asked with the origin as Referer, no path (${asked.referer})`);
      // Tianditu names the counties itself: ours stay off, grids stay on.
      check((await shownLabels(p, 'county')).length === 0, `Tianditu ${w}: the county names are left to Tianditu's own labels`);
      await p.screenshot({ path: join(shots, `map-tianditu-vec-${w}.png`) });
      await openSwitcher(p);
      await p.click('[data-testid=basemap-switcher] label:has-text("天地图影像")');
      await settle(p);
      check(asked.img > 0 && asked.cia > 0, `Tianditu ${w}: 影像 is img_w with its labels cia_w (${JSON.stringify(asked)})`);
      await p.screenshot({ path: join(shots, `map-tianditu-img-${w}.png`) });
      await openSwitcher(p);
      await p.click('[data-testid=basemap-switcher] label:has-text("离线底图")');
      await settle(p);
      const back = (await shownLabels(p, 'county')).length;
      check(back === 1, `Tianditu ${w}: back on the offline basemap, the county's name is drawn again (${back})`);
      await p.context().close();
    }
    // Without internet Tianditu's tiles fail: the map goes back to the
    // offline basemap and says why.
    const p = await page(narrow, 'hunyuan phone: Tianditu unreachable');
    p.allow(/tianditu\.gov\.cn/, /ERR_INTERNET_DISCONNECTED/);
    await p.route(/tianditu\.gov\.cn/, (route) => route.abort('internetdisconnected'));
    await loginAt(p, url, 'hunyuan');
    await openMap(p, url);
    await p.waitForSelector('#toast:not(.hide)', { timeout: 10000 }).catch(() => null);
    const toast = await p.locator('#toast').innerText().catch(() => '');
    const offline = await p.$$eval('#map .basemap-tiles', (ls) => ls.map((l) => l.querySelector('img')?.src ?? '').filter((s) => s.includes('/tiles/base/')).length);
    check(toast.includes('无法访问') && offline > 0, `Tianditu unreachable: the map shows the offline basemap (${offline}) and says "${toast}"`);
    await p.context().close();
  } finally {
    second.proc.kill();
    rmSync(second.dir, { recursive: true, force: true });
  }
}

// One test per part (`npx playwright test suites/map.spec.mjs -g "map: tianditu"` runs one).
const parts = { labels: labelChecks, nokey: noKeyChecks, seams: seamChecks, sites: siteChecks, heat: heatChecks, here: hereChecks, tianditu: tiandituChecks };
for (const [name, run] of Object.entries(parts)) {
  test(`map: ${name}`, ({ suite }) => run(suite));
}
