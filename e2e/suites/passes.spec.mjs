// 卫星过境: the supervisor's map lists the fire satellites' next passes over
// their grid in Beijing time with the embedded orbital elements' age, and
// draws the last passes' swaths with 无火点不等于未观测; a fire task says
// which pass saw it; the public page (no login) lists the next passes over
// Datong. The demo never fetches elements: they are the embedded ones.
import { join } from 'node:path';
import { test } from '../fixtures.mjs';

// Beijing "12月5日 13:42" of an ISO time, as the page must show it.
const beijing = (iso) => {
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
};

test('wangge: the 卫星过境 panel, the coverage and the pass that saw a fire', async ({ suite: { url, shots, page, login, check, desktop } }) => {
  const p = await page(desktop);
  await login(p, 'wangge');
  const api = await (await p.request.get(url + '/api/passes?hours=48')).json();
  check(api.tle_source === 'embedded' && api.tle_age_days >= 0 && api.passes.length >= 10,
    `passes: the API answers from the embedded elements (${api.tle_source}, ${api.tle_age_days} days, ${api.passes.length} passes)`);
  await p.goto(url + '/#/map');
  await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
  await p.click('[data-testid=pass-panel] summary');
  await p.waitForSelector('[data-testid=pass-item]', { timeout: 15000 });
  const items = await p.$$eval('[data-testid=pass-item]', (els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  const first = api.passes[0];
  check(items.length === Math.min(10, api.passes.length) && items[0] === `${beijing(first.peak)} ${first.satellite} ${first.night ? '夜间' : '白天'}`,
    `passes: the panel lists the next passes in Beijing time (${items[0]}; API ${first.peak} ${first.satellite})`);
  const age = (await p.textContent('[data-testid=pass-age]')).trim();
  check(age === `轨道根数为内置数据，已有${api.tle_age_days}天未更新`, `passes: the panel says the elements are built in and their age (${age})`);
  // The coverage: one swath per satellite, and what it means.
  await p.check('[data-testid=pass-coverage]');
  await p.waitForFunction(() => document.querySelectorAll('path.pass-swath').length === 5, null, { timeout: 15000 });
  const note = (await p.textContent('[data-testid=pass-notseen]')).trim();
  check(note === '无火点不等于未观测：图中为最近一次过境覆盖范围' && await p.isVisible('[data-testid=pass-notseen]'), `passes: the coverage says no fire is not "not seen" (${note})`);
  // Zoomed out to see the swaths' edges beside the city, the note in view.
  await p.evaluate(() => window.skygridMap.setZoom(6, { animate: false }));
  await p.waitForFunction(() => [...document.querySelectorAll('path.pass-swath')].every((e) => e.getBoundingClientRect().width > 30), null, { timeout: 10000 });
  await p.locator('[data-testid=pass-notseen]').scrollIntoViewIfNeeded();
  await p.screenshot({ path: join(shots, 'passes-map-wangge-desktop.png') });
  // A fire task says which pass saw its first detection.
  const tasks = (await (await p.request.get(url + '/api/tasks?limit=20')).json()).tasks;
  const fire = tasks.find((x) => x.event_class !== undefined && !/dust|monitor|inspection/.test(x.event_class)) ?? tasks[0];
  const view = await (await p.request.get(`${url}/api/tasks/${fire.id}`)).json();
  await p.goto(`${url}/#/tasks/${fire.id}`);
  await p.waitForSelector('.taskpage [data-testid=task-pass]', { timeout: 15000 });
  const saw = (await p.textContent('.taskpage [data-testid=task-pass]')).trim();
  check(view.pass && saw === `${view.pass.satellite} ${beijing(view.pass.peak)} 过境` && Math.abs(Date.parse(view.pass.peak) - Date.parse(view.event.first_seen)) <= 10 * 60_000,
    `passes: the task says which pass saw it (${saw}; first seen ${view.event?.first_seen})`);
  await p.screenshot({ path: join(shots, 'passes-task-wangge-desktop.png') });
  await p.context().close();
});

test('wangge on the phone: the panel behind ☰', async ({ suite: { url, shots, page, login, check, phone } }) => {
  const p = await page(phone);
  await login(p, 'wangge');
  await p.goto(url + '/#/map');
  await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
  await p.click('.paneltoggle');
  await p.locator('[data-testid=pass-panel] summary').scrollIntoViewIfNeeded();
  await p.click('[data-testid=pass-panel] summary');
  await p.waitForSelector('[data-testid=pass-item]', { timeout: 15000 });
  await p.locator('[data-testid=pass-age]').scrollIntoViewIfNeeded();
  const box = await p.locator('[data-testid=pass-panel]').boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= phone.width + 1, `passes: the panel fits the phone's width (${JSON.stringify(box)})`);
  await p.screenshot({ path: join(shots, 'passes-map-wangge-phone.png') });
  await p.context().close();
});

test('public: the next passes over Datong without a login', async ({ suite: { url, shots, page, check, phone } }) => {
  const p = await page(phone);
  const api = await (await p.request.get(url + '/public/api/passes')).json();
  await p.goto(url + '/public');
  await p.waitForSelector('#pub-passes [data-testid=pub-pass]', { timeout: 15000 });
  const rows = await p.$$eval('#pub-passes [data-testid=pub-pass]', (els) => els.map((e) => [...e.children].map((c) => c.textContent).join('　')));
  const note = await p.textContent('#pub-passes .pub-note');
  check(rows.length === Math.min(12, api.passes.length) && rows[0] === `${beijing(api.passes[0].peak)}　${api.passes[0].satellite}　${api.passes[0].night ? '夜间' : '白天'}`,
    `passes: the public page lists the next passes (${rows[0]})`);
  // The heading says 48 hours and the list shows 12: the rest are counted (they were left unsaid).
  check(api.passes.length <= 12 || note.includes(`另有 ${api.passes.length - 12} 次过境未列出`), `passes: the passes not listed are counted (${api.passes.length} in 48 hours: ${note})`);
  check(note.includes(`过境时间按${api.tle_age_days}天前的卫星轨道数据推算，仅供参考。`) && !note.includes('轨道根数'),
    `passes: the public page says how old the orbit data is, in plain words (${note})`);
  await p.screenshot({ path: join(shots, 'passes-public-phone.png'), fullPage: true });
  await p.context().close();
});
