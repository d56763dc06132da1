// The map never goes blank (issue 12, point 1). Leaflet's TileLayer.redraw()
// (called by setUrl when the time window changes) took the map's zoom as
// the tile zoom without rounding it: at a fractional map zoom such as 10.75
// the fire layers then asked for /tiles/hotspots/10.75/…, which the server
// refuses (400), and every fire and event disappeared. This suite replays
// what users did, at both widths, and counts the painted fire pixels after
// each change.
import { test, quiet } from '../fixtures.mjs';

/** tileZooms: the z of every tile request the page made, by layer. */
function watchTiles(p) {
  const seen = [];
  p.on('request', (r) => {
    const m = r.url().match(/\/tiles\/([a-z]+)\/([^/]+)\/\d+\/\d+(@2x)?\.(png|mvt)/);
    if (m) seen.push({ layer: m[1], z: m[2] });
  });
  return seen;
}

/** settle waits until the fire layer has no tile still loading and the page no request in flight. */
async function settle(p) {
  await p.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('#map .ov-hotspots img')];
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, null, { timeout: 20000 }).catch(() => {});
  await quiet(p);
}

/** busiestDay: the October day (Beijing) with the most fire detections in view. */
async function busiestDay(p, url) {
  const [w, s, e, n] = await p.evaluate(() => {
    const b = window.skygridMap.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  });
  const fc = await (await p.request.get(`${url}/api/hotspots?bbox=${w},${s},${e},${n}&since=2023-10-01&until=2023-11-01&status=fire&limit=5000`)).json();
  const days = {};
  for (const f of fc.features ?? []) {
    const d = new Date(Date.parse(f.properties.acq_time) + 8 * 3600e3).getUTCDate();
    days[d] = (days[d] ?? 0) + 1;
  }
  return Number(Object.entries(days).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 28);
}

async function choose(p, value) {
  // A phone shows the panel behind a button.
  if (!(await p.isVisible('[data-testid=time-window]'))) await p.click('.paneltoggle');
  await p.selectOption('[data-testid=time-window]', value);
}

const wide = { width: 1366, height: 768 };
const narrow = { width: 375, height: 740 };
const cases = [
  ['hunyuan', wide, 'desktop'],
  ['hunyuan', narrow, 'phone'],
  ['wangge', narrow, 'phone'],
  ['nongye', wide, 'desktop'],
  ['nongye', narrow, 'phone'],
];
for (const [name, vp, w] of cases) {
  test(`${name} ${w} blank-map sequence`, async ({ suite: { url, page, login, check, pixels, shots } }) => {
    const p = await page(vp, `${name} ${w} blank-map sequence`);
    const zs = watchTiles(p);
    await login(p, name);
    await p.goto(url + '/#/map');
    await p.waitForSelector('#map .ov-hotspots img', { timeout: 20000 });
    await settle(p);
    const zoom = await p.evaluate(() => window.skygridMap.getZoom());
    const fire = async (what) => {
      await settle(p);
      const n = await pixels(p, '#map .ov-hotspots img.leaflet-tile-loaded');
      return { what, n };
    };
    const steps = [await fire(`opened at zoom ${zoom}`)];
    if (name === 'nongye') {
      // The by-day view: a day with fires, then the next day.
      await choose(p, 'day');
      for (const d of ['28', '29']) {
        await p.$eval('[data-testid=day-slider]', (el, d) => { el.value = d; el.dispatchEvent(new Event('change')); }, d);
        steps.push(await fire(`day ${d}`));
      }
    }
    await choose(p, '7d');
    const week = await fire('最近7天');
    await choose(p, 'month');
    steps.push(await fire('2023年10月全月 again'));
    // A fractional zoom reached by the user (a pinch), then a window change
    // to the day with the most fires in view.
    await p.evaluate(() => window.skygridMap.setZoom(window.skygridMap.getZoom() + 0.5, { animate: false }));
    const day = await busiestDay(p, url);
    await choose(p, 'day');
    await p.$eval('[data-testid=day-slider]', (el, d) => { el.value = String(d); el.dispatchEvent(new Event('change')); }, day);
    steps.push(await fire(`zoom +0.5, then day ${day}`));
    await choose(p, 'month');
    steps.push(await fire('2023年10月全月 after the zoom'));
    await p.screenshot({ path: `${shots}/blankmap-${name}-${w}.png` });
    const blank = steps.filter((s) => s.n <= 50);
    check(blank.length === 0, `${name} at ${vp.width} px: fire pixels after each change ` +
      `(${[...steps, week].map((s) => `${s.what}: ${s.n}`).join('; ')})`);
    const fractional = zs.filter((t) => !/^\d+$/.test(t.z));
    check(fractional.length === 0, `${name} at ${vp.width} px: no tile request with a fractional zoom ` +
      `(${zs.length} requests; ${fractional.slice(0, 3).map((t) => `${t.layer}/${t.z}`).join(', ')})`);
    await p.context().close();
  });
}
