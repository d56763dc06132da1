// Fixtures of the browser suite (@playwright/test, Debian's Chromium):
//
//   url, db, bin, root, shots   the demo started by global-setup.mjs
//   open(viewport[, label[, contextOptions]])
//                                a guarded page in a fresh context
//   page                         the test's own page, guarded too
//   login(p, name[, password])   signs in through the login form (a cookie session); rejects when refused
//   pixels(p, selector, kind)    counts painted/inked/coloured pixels of images, canvases or SVG charts
//   textOverlaps(p, selector)    a chart's words drawn over one another
//   check(ok, what)              one named check (expect.soft)
//   suite                        the object the suites' scenarios take
//
// Guarded pages: every response of 400 or more and every failed request
// (but the tiles Leaflet abandons), the page's and its service worker's,
// and every console error fail the test when
// the page's context closes (or the test ends), unless the test declared it
// first with p.allow(/pattern/), matched against "STATUS METHOD URL",
// "failed METHOD URL REASON" and the console text. The guard is an auto
// fixture: no test can leave it out.
import { test as base, expect } from '@playwright/test';
import { root, bin } from './lib/demo.mjs';
import { check, shots } from './lib/checks.mjs';

export { expect, check, shots, root };

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 375, height: 740 };

/**
 * pictures: whether the screenshots kept for people are taken. With
 * SKYGRID_E2E_SCREENSHOTS=off (.ci/run: CI keeps only what the run prints,
 * no file) a screenshot saved to a file (a `path`) is skipped, the page's
 * and a locator's; one whose pixels a test reads (no `path`) is still
 * taken. Skipping them saved 7-11% of the words tour's CPU (two
 * alternated runs each: 227-247 CPU-s against 244-279).
 */
export const pictures = process.env.SKYGRID_E2E_SCREENSHOTS !== 'off';

const unpictured = (take) => function (options = {}) {
  return options.path ? Promise.resolve(Buffer.alloc(0)) : take.call(this, options);
};

function noPictures(p) {
  p.screenshot = unpictured(p.screenshot);
  const locator = Object.getPrototypeOf(p.locator('html'));
  if (!locator.unpictured) Object.assign(locator, { screenshot: unpictured(locator.screenshot), unpictured: true });
}

/** guard watches a page's responses, failed requests and console errors. */
export function guard(p, label) {
  if (!pictures) noPictures(p);
  p.errors = [];
  p.http = [];
  p.allowed = [];
  p.label = label;
  p.allow = (...res) => { p.allowed.push(...res); };
  p.on('console', (m) => { if (m.type() === 'error') p.errors.push(m.text()); });
  p.on('pageerror', (e) => p.errors.push(String(e.stack || e)));
  p.on('response', (r) => { if (r.status() >= 400) p.http.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  const failed = (r) => {
    const why = r.failure()?.errorText ?? '';
    // Leaflet abandons the tiles it no longer needs (ERR_ABORTED).
    if (!/ERR_ABORTED/.test(why)) p.http.push(`failed ${r.method()} ${r.url()} ${why}`);
  };
  p.on('requestfailed', failed);
  // The service worker's own requests (its precache, the open tasks it
  // keeps for offline) are the context's, not the page's: judged too.
  const ctx = p.context();
  ctx.on('response', (r) => { if (r.request().serviceWorker() && r.status() >= 400) p.http.push(`${r.status()} ${r.request().method()} ${r.url()} (service worker)`); });
  ctx.on('requestfailed', (r) => { if (r.serviceWorker()) failed(r); });
  return p;
}

/** unexpected lists what went wrong on a page that it did not allow. */
function unexpected(p) {
  // A line of the service worker's is allowed as the page's same line is.
  const ok = (line) => p.allowed.some((re) => re.test(line.replace(/ \(service worker\)$/, '')));
  // Chromium logs each refused resource as a console error too; the
  // response itself is judged by the allow list.
  const refused = /^Failed to load resource: the server responded with a status of \d+/;
  return [...p.http.filter((l) => !ok(l)), ...p.errors.filter((l) => !ok(l) && !refused.test(l))];
}

function verdict(p) {
  const bad = unexpected(p);
  check(bad.length === 0, `${p.label}: no failed request and no console error (${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` … ${bad.length} in all` : ''})`);
}

/**
 * pixels counts painted (not transparent), inked (not white) or coloured
 * (saturated) pixels of images, canvases and SVG drawings (the charts: an
 * SVG is drawn as an image of its own size first).
 */
export async function pixels(p, sel, kind = 'painted') {
  return p.$$eval(sel, async (els, kind) => {
    let sum = 0;
    for (let el of els) {
      if (el instanceof SVGSVGElement) {
        const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(el)], { type: 'image/svg+xml' }));
        const img = new Image();
        img.src = url;
        await img.decode().finally(() => URL.revokeObjectURL(url));
        el = img;
      }
      const w = el.naturalWidth ?? el.width, ht = el.naturalHeight ?? el.height;
      if (!w || !ht) continue;
      const c = document.createElement('canvas');
      c.width = w; c.height = ht;
      const g = c.getContext('2d');
      g.drawImage(el, 0, 0);
      const d = g.getImageData(0, 0, w, ht).data;
      for (let i = 0; i < d.length; i += 4) {
        const [r, gg, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        if (a === 0) continue;
        if (kind === 'painted' || (kind === 'inked' && (r < 235 || gg < 235 || b < 235)) || (kind === 'coloured' && Math.max(r, gg, b) - Math.min(r, gg, b) > 60)) sum++;
      }
    }
    return sum;
  }, kind).catch(() => 0);
}

/**
 * textOverlaps measures the words of a chart (an SVG under sel) with the
 * fonts the page has: how many are drawn (words) and those drawn over one
 * another (over, as "a × b": an axis name on the legend, a label on a label).
 */
export async function textOverlaps(p, sel) {
  return p.$$eval(`${sel} svg text`, (els) => {
    const boxes = els.filter((e) => e.textContent.trim() && Number(e.getAttribute('opacity') ?? 1) > 0)
      .map((e) => ({ t: e.textContent.trim(), r: e.getBoundingClientRect() })).filter((b) => b.r.width > 0 && b.r.height > 0);
    const out = [];
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 1 && h > 1) out.push(`${a.t} × ${b.t}`);
    }));
    return { words: boxes.length, over: out };
  });
}

/**
 * quiet resolves once the page has had no request in flight at four polls
 * 100 ms apart (or after timeout ms, as before: a page that never calms is
 * judged by the checks that follow).
 */
export async function quiet(p, timeout = 20000) {
  if (!p.inflight) {
    p.inflight = new Set();
    p.on('request', (r) => p.inflight.add(r));
    p.on('requestfinished', (r) => p.inflight.delete(r));
    p.on('requestfailed', (r) => p.inflight.delete(r));
  }
  let calm = 0;
  await expect.poll(() => (calm = p.inflight.size === 0 ? calm + 1 : 0), { intervals: [100], timeout })
    .toBeGreaterThanOrEqual(4).catch(() => {});
}

/** tilesDecoded resolves once every tile image of the map (sel) has loaded. */
export async function tilesDecoded(p, sel = '#map img.leaflet-tile', timeout = 15000) {
  await p.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((i) => i.complete), sel, { timeout }).catch(() => {});
}

/** frames resolves after the page has drawn two more frames (what it changed is on screen, what it received handled). */
export const frames = (p) => p.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

/**
 * slowNetwork is a page.route handler that holds a response back ms
 * milliseconds before letting it through: a slow network for the page (an
 * answer that arrives late), not a wait of the test.
 */
export const slowNetwork = (ms) => async (route) => {
  await new Promise((ok) => setTimeout(ok, ms));
  await route.continue();
};

/**
 * tapTwice clicks sel and at once again, as an impatient user on a slow
 * network: the POSTs to URLs ending in path are held back ms (the second
 * click is forced, the button may be disabled by then). It resolves a
 * function that counts those POSTs.
 */
export async function tapTwice(p, sel, path, ms = 1500) {
  await p.route(`**${path}`, slowNetwork(ms));
  let posts = 0;
  p.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith(path)) posts++; });
  await p.click(sel);
  await p.click(sel, { force: true, timeout: 1000 });
  return () => posts;
}

/** clickCentre clicks the middle of the map until sel shows (the layer under it may still be loading). */
export async function clickCentre(p, sel) {
  const box = await p.locator('#map').boundingBox();
  await expect(async () => {
    await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect(p.locator(sel).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10000 }).catch(() => {});
  return box;
}

export const test = base.extend({
  url: [async ({}, use) => use(process.env.SKYGRID_URL), { scope: 'worker' }],
  db: [async ({}, use) => use(process.env.SKYGRID_DB), { scope: 'worker' }],
  bin: [async ({}, use) => use(bin), { scope: 'worker' }],
  root: [async ({}, use) => use(root), { scope: 'worker' }],
  shots: [async ({}, use) => use(shots), { scope: 'worker' }],
  check: [async ({}, use) => use(check), { scope: 'worker' }],
  pixels: [async ({}, use) => use(pixels), { scope: 'worker' }],

  // guarded: the pages of this test still to be judged; auto, so that every
  // test's pages are judged when it ends, whatever it asserted.
  guarded: [async ({}, use) => {
    const pages = new Set();
    await use(pages);
    for (const p of pages) verdict(p);
  }, { auto: true }],

  page: async ({ page, guarded }, use, info) => {
    guarded.add(guard(page, info.title));
    await use(page);
  },

  open: async ({ browser, guarded }, use) => {
    const contexts = [];
    await use(async (viewport, label = `page at ${viewport.width} px`, options = {}) => {
      const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
      contexts.push(ctx);
      const p = guard(await ctx.newPage(), label);
      guarded.add(p);
      const close = ctx.close.bind(ctx);
      ctx.close = async (...a) => { if (guarded.delete(p)) verdict(p); return close(...a); };
      return p;
    });
    for (const ctx of contexts) await ctx.close().catch(() => {});
  },

  login: async ({ url }, use) => {
    await use(async (p, name, password = 'skygrid-demo') => {
      await p.goto(url + '/#/login');
      await p.fill('[data-testid=login-name]', name);
      await p.fill('[data-testid=login-password]', password);
      await p.click('[data-testid=login-submit]');
      // Logged in, or refused: a refused log-in ends at its message, not
      // at the 15 s limit (a test may expect a refusal).
      await expect(p.getByTestId('logout').or(p.getByTestId('login-error'))).toBeVisible({ timeout: 15000 });
      if (!(await p.getByTestId('logout').isVisible())) {
        throw new Error(`log-in of ${name} refused: ${await p.getByTestId('login-error').innerText().catch(() => '')}`);
      }
    });
  },

  // suite: what the scenarios in suites/*.mjs take; their pages are labelled with the suite's name.
  suite: async ({ url, db, bin, root, shots, open, login }, use, info) => {
    const name = info.file.replace(/^.*\//, '').replace(/\.spec\.mjs$/, '.mjs');
    const page = (vp, label, options) => open(vp, `${name}: ${label ?? `page at ${vp.width} px`}`, options);
    await use({ url, root, shots, page, login, check, desktop, phone, pixels, quiet, bin, db });
  },
});
