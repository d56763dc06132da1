// The English switch: every page the official uses reads in English, and
// the choice holds across pages; no console errors.
import { join } from 'node:path';
import { test, expect, quiet } from '../fixtures.mjs';

async function english({ url, shots, page, login, check, desktop }) {
  const p = await page(desktop);
  await login(p, 'hunyuan');
  await p.click('.topbar button:has-text("EN")');
  await p.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 5000 }).catch(() => {});
  const nav = await p.$$eval('.topbar nav a', (as) => as.map((a) => a.textContent));
  check(nav.includes('Map') && nav.includes('Tasks') && nav.includes('Audit'), `English: the navigation (${nav.join(', ')})`);
  // The demo's area in English is Datong ([server] area_name_en's default).
  const brand = await p.locator('.topbar .brand').innerText();
  check(brand === 'SkyGrid · Datong fire watch', `English: the app names Datong, not 大同市 ("${brand}")`);
  for (const route of ['map', 'tasks', 'sites', 'audit']) {
    await p.goto(`${url}/#/${route}`);
    // Place names and demo records stay Chinese; the interface does not.
    const words = { map: 'Layers', tasks: 'Dispatched', sites: 'Sites', audit: 'Statistics' }[route];
    await expect(p.locator('#app')).toContainText(words).catch(() => {});
    await quiet(p);
    const text = await p.locator('#app').innerText();
    const han = (text.match(/[\u4e00-\u9fff]/g) || []).length;
    check(text.includes(words), `English: the ${route} page says "${words}" (${han} Chinese characters left, in names)`);
    await p.screenshot({ path: join(shots, `${route}-hunyuan-en-desktop.png`) });
  }
  check(p.errors.length === 0, `English: no console errors (${p.errors.join('; ')})`);
  await p.context().close();
}

test('English: every page the official uses', ({ suite }) => english(suite));
