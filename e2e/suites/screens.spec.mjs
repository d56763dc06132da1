// The supervisor's screens and the official's review page (issue 12,
// points 7 and 8), as their users meet them: a village supervisor on a
// 375 px phone with the position allowed, a county official at 1366 px
// and on a phone. Screenshots: screens-*.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiAs } from '../lib/api.mjs';
import { test, phone, slowNetwork, tapTwice } from '../fixtures.mjs';

/** shown: the page's visible text. */
const shown = (p) => p.evaluate(() => document.querySelector('main').innerText);

/** internals are what a supervisor must never have to read. */
const internals = /版本|geo:|FRP|MW\b|⚑|\b[a-z]+_[a-z]+\b|T\d\d:\d\d:\d\dZ/;

/** smallTargets: visible buttons and links under 44 px high (the app's own, not the map's). */
const smallTargets = (p) => p.$$eval('main button, main a.btn, main label.btn, main label.finding', (els) => els
  .filter((e) => e.offsetParent !== null && !e.closest('.leaflet-container'))
  .map((e) => ({ text: e.textContent.trim().slice(0, 20), h: e.getBoundingClientRect().height }))
  .filter((x) => x.h < 44));

/** buttonNow: a button as shown ({ disabled, text }; '(gone)' when it is not on the page). */
const buttonNow = async (p, sel) => (await p.$$eval(sel, (bs) => bs.map((b) => ({ disabled: b.disabled, text: b.innerText }))))[0] ?? { disabled: false, text: '(gone)' };

async function top(p) { await p.evaluate(() => window.scrollTo(0, 0)); }

/**
 * fieldUser adds a supervisor for the grid of 浑源县 (other than wangge's,
 * whose tasks the other suites work) with the most tasks to acknowledge,
 * so that these screens are the first to touch them.
 */
async function fieldUser(url, hunyuan) {
  const admin = await apiAs(url, 'admin');
  const wangge = await apiAs(url, 'wangge');
  const me = await wangge.get('/api/me');
  await wangge.ctx.dispose();
  const open = (await hunyuan.get('/api/tasks?state=dispatched&limit=1000')).tasks.filter((x) => x.grid_id && x.grid_id !== me.user.regions[0]);
  const count = {};
  for (const x of open) count[x.grid_id] = (count[x.grid_id] ?? 0) + 1;
  const grid = Object.keys(count).sort((a, b) => count[b] - count[a] || a.localeCompare(b))[0];
  const name = 'e2e-wg-' + grid;
  const res = await admin.post('/api/users', { name, role: 'supervisor', regions: [grid], password: FIELD_PASSWORD });
  if (!res.ok()) throw new Error(`add ${name}: ${res.status()} ${await res.text()}`);
  await admin.ctx.dispose();
  return name;
}

const FIELD_PASSWORD = 'screens-e2e-password';

// One field user's tasks, met in order: listed, reported, reviewed, closed.
test.describe.serial('the supervisor\'s screens and the review page', () => {
  let hunyuan, sup, field, mine, task, other, near, photo;
  test.afterAll(async () => { await Promise.all([field?.ctx.dispose(), hunyuan?.ctx.dispose()]); });

  // The field user signs in with its own password, the others with the demo's.
  const as = (loginAs) => (p, name) => (name === sup ? loginAs(p, sup, FIELD_PASSWORD) : loginAs(p, name));

  test('screens: a field user with tasks to acknowledge', async ({ suite: { url, root, check } }) => {
  photo = join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg');
  hunyuan = await apiAs(url, 'hunyuan');
  sup = await fieldUser(url, hunyuan);
  field = await apiAs(url, sup, FIELD_PASSWORD);
  mine = (await field.get('/api/tasks?state=dispatched&limit=100')).tasks;
  check(mine.length >= 2, `screens: the field user ${sup} has ${mine.length} tasks to acknowledge`);
  [task, other] = mine;
  // The supervisor's list: near the fire (a 1.5 km walk to the north-east of it).
  near = { latitude: task.lat - 0.0095, longitude: task.lon - 0.0125, accuracy: 12 };
  });

  test('supervisor: the list and the task page', async ({ suite: { url, shots, page, check, login: loginAs } }) => {
  const login = as(loginAs);
  {
    const p = await page(phone, 'supervisor: the list and the task page');
    await p.context().grantPermissions(['geolocation']);
    await p.context().setGeolocation(near);
    await login(p, sup);
    await p.goto(url + '/#/tasks');
    await p.waitForSelector('[data-testid=task-distance]', { timeout: 15000 });
    const card = await p.$eval(`[data-testid=task-item]:has(a[href="#/tasks/${task.id}"])`, (e) => e.innerText);
    check(card.includes('疑似') && card.includes(task.county_name) && /前/.test(card) && /距火点约 [\d.]+ (米|公里)，在您的(东北|北|东)方向/.test(card),
      `supervisor: a task card says what, where, when seen and how far (${card.replace(/\n/g, ' | ')})`);
    const listText = await shown(p);
    check(!internals.test(listText), `supervisor: the list shows no internal field (${(listText.match(internals) || [''])[0]})`);
    const size = await p.$eval('[data-testid=task-item] .title', (e) => parseFloat(getComputedStyle(e).fontSize));
    check(size >= 18, `supervisor: the card's title is large (${size} px)`);
    check((await smallTargets(p)).length === 0, `supervisor: every tap target on the list is at least 44 px high (${JSON.stringify(await smallTargets(p))})`);
    await top(p);
    await p.screenshot({ path: join(shots, 'screens-tasks-supervisor-phone.png'), fullPage: true });

    await p.click(`a[href="#/tasks/${task.id}"]`);
    await p.waitForSelector('[data-testid=ack]', { timeout: 15000 });
    const pageText = await shown(p);
    check(!internals.test(pageText), `supervisor: the task page shows no internal field (${(pageText.match(internals) || [''])[0]})`);
    check(/距火点约/.test(pageText) && /请在 .* 前签收|签收已超时/.test(pageText) && /高德地图/.test(pageText),
      `supervisor: the task page says how far, the deadline in words and how to navigate`);
    await top(p);
    await p.screenshot({ path: join(shots, 'screens-task-supervisor-phone.png'), fullPage: true });
    // A slow network and an impatient second tap: one acknowledgement is
    // sent, the page says it is on its way, and no "someone else changed
    // this task" follows (the second tap once sent a stale version: 409).
    const ackURL = `/api/tasks/${task.id}/acknowledge`;
    const acked = await tapTwice(p, '[data-testid=ack]', ackURL);
    const waiting = await p.textContent('.toast');
    const tapped = await buttonNow(p, '[data-testid=ack]');
    await p.screenshot({ path: join(shots, 'screens-ack-sending-phone.png') });
    await p.waitForSelector('[data-testid=ack]', { state: 'detached', timeout: 15000 });
    const after = await p.textContent('.toast');
    const acks = acked();
    check(acks === 1 && waiting.includes('正在提交') && tapped.disabled && tapped.text.includes('正在提交') && after === '操作成功',
      `supervisor: a second tap on 签收 while it is sent sends nothing more (${acks} sent; "${waiting}" then "${after}"; button "${tapped.text}", disabled ${tapped.disabled})`);
    await p.unroute(`**${ackURL}`);
    await p.waitForSelector('[data-testid=report-submit]');
    // No finding is chosen for the supervisor; submitting without one is refused on the phone.
    const chosen = await p.$$eval('[data-testid=finding] input:checked', (els) => els.length);
    check(chosen === 0, `supervisor: 核查结论 has no default (${chosen} chosen)`);
    const camera = await p.$eval('[data-testid=photos]', (e) => [e.getAttribute('capture'), e.getAttribute('accept')]);
    check(camera[0] === 'environment' && camera[1] === 'image/*', `supervisor: the photo button asks for the camera (${camera})`);
    // A gallery offers what the server will not take, and more than five:
    // the phone says at once which were not added and why (a HEIC went up
    // to be refused in English; the sixth and seventh were dropped unsaid).
    const jpeg = readFileSync(photo);
    await p.setInputFiles('[data-testid=photos-gallery]', [{ name: 'IMG_0412.HEIC', mimeType: 'image/heic', buffer: jpeg },
      ...Array.from({ length: 7 }, (_, i) => ({ name: `相册${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: jpeg }))]);
    const picked = await p.$$eval('[data-testid=photo-preview]', (els) => els.length);
    const notAdded = await p.textContent('[data-testid=photo-refused]');
    check(picked === 5 && notAdded.includes('「IMG_0412.HEIC」不是 JPEG 或 PNG 照片') && notAdded.includes('最多 5 张，另外 2 张没有加上'),
      `supervisor: photos the report cannot take are named at once (${picked} kept; "${notAdded}")`);
    await top(p);
    await p.screenshot({ path: join(shots, 'screens-photos-refused-phone.png'), fullPage: true });
    while (await p.$('[data-testid=photo-preview] .remove')) await p.click('[data-testid=photo-preview] .remove');
    await p.setInputFiles('[data-testid=photos]', photo);
    const cleared = await p.$eval('[data-testid=photo-refused]', (e) => e.hidden);
    check(cleared, 'supervisor: the note of photos not added goes with the next photo taken');
    let posted = 0;
    p.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/report')) posted++; });
    await p.click('[data-testid=report-submit]');
    await p.waitForSelector('.toast:not(.hide)', { timeout: 5000 });
    const said = await p.textContent('.toast');
    check(posted === 0 && said.includes('请先选择核查结论'), `supervisor: a report without a finding is not sent (${posted} sent; "${said}")`);
    await p.check('[data-testid=finding-straw_burning]');
    // The finding chosen, the red 请先选择核查结论 goes at once (it stayed its 4 s over the choice made).
    const stale = await p.$eval('#toast', (e) => !e.classList.contains('hide') && e.textContent);
    check(!stale, `supervisor: once a finding is chosen its reminder is gone (${stale || 'gone'})`);
    await p.fill('[data-testid=notes]', '现场为秸秆焚烧，已扑灭');
    const form = await shown(p);
    check(/已附上您的位置/.test(form), 'supervisor: the report carries the phone position, and says so');
    check((await smallTargets(p)).length === 0, `supervisor: every tap target on the task page is at least 44 px high (${JSON.stringify(await smallTargets(p))})`);
    await top(p);
    await p.screenshot({ path: join(shots, 'screens-report-supervisor-phone.png'), fullPage: true });
    // A photo the server refuses for its content: the toast says so in
    // Chinese, as a refused offline report does (it gave the server's
    // English), and the form stays to mend.
    p.allow(new RegExp(`^400 POST .*/api/tasks/${task.id}/report$`));
    await p.setInputFiles('[data-testid=photos-gallery]', { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo at all') });
    await p.click('[data-testid=report-submit]');
    await p.waitForSelector('.toast.err:not(.hide)', { timeout: 15000 });
    const refusedSaid = await p.textContent('.toast');
    check(refusedSaid.includes('照片不符合要求') && !/photo|image|not a|corrupt/i.test(refusedSaid),
      `supervisor: a report refused for a photo says so in Chinese ("${refusedSaid}")`);
    await p.click('[data-testid=photo-preview]:nth-child(2) .remove');
    // The photos take a while on a phone's network: the page says they
    // are on their way, and the button cannot be pressed twice.
    await p.route(`**/api/tasks/${task.id}/report`, slowNetwork(1500));
    await p.click('[data-testid=report-submit]');
    const sending = await p.textContent('.toast');
    const button = await buttonNow(p, '[data-testid=report-submit]');
    check(sending.includes('正在上传') && button.disabled && button.text.includes('正在上传'),
      `supervisor: while the report is sent the page says so ("${sending}"; button "${button.text}", disabled ${button.disabled})`);
    await p.waitForSelector('[data-testid=task-title]:has-text("待审核")', { timeout: 15000 });
    check(posted === 2, `supervisor: the report was sent once after the refused one (${posted} POSTs)`);
    // What was sent is on the page, as the reviewer will see it: the photo
    // drawn (its thumbnail fetched with the supervisor's session).
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=sent-photo] img')].some((i) => i.complete && i.naturalWidth > 0), null, { timeout: 10000 }).catch(() => {});
    const sentShown = await p.$$eval('[data-testid=sent-photo] img', (is) => is.map((i) => i.naturalWidth));
    const sentHead = await p.textContent('[data-testid=sent-photos] h2').catch(() => '');
    check(sentShown.length === 1 && sentShown[0] > 0 && sentHead === '已上报的照片（1 张）',
      `supervisor: the reported task shows the photo sent ("${sentHead}", widths ${sentShown})`);
    await top(p);
    await p.screenshot({ path: join(shots, 'screens-reported-supervisor-phone.png'), fullPage: true });
    await p.context().close();
  }

  });

  // The same screens on a desktop (1366 px): the list, a task page with its form.
  test('supervisor: desktop', async ({ suite: { url, shots, page, check, login: loginAs } }) => {
  const login = as(loginAs);
  {
    const p = await page({ width: 1366, height: 900 }, 'supervisor: the list and a task page at 1366 px');
    await p.context().grantPermissions(['geolocation']);
    await p.context().setGeolocation(near);
    await login(p, sup);
    await p.goto(url + '/#/tasks');
    await p.waitForSelector('[data-testid=task-distance]', { timeout: 15000 });
    // A task reported is the reviewer's now: its card raises no alarm of lateness (the history keeps it).
    const done = await p.$$eval('[data-testid=task-item]:has(.badge.s-reported), [data-testid=task-item]:has(.badge.s-closed)', (els) => els.map((e) => e.innerText.replace(/\n/g, ' ')));
    check(done.length >= 1 && done.every((c) => !/超时|已通知/.test(c)), `supervisor: a reported task's card says nothing late (${done.join(' || ')})`);
    await p.screenshot({ path: join(shots, 'screens-tasks-supervisor-desktop.png'), fullPage: true });
    // 台账: no construction site registered in this supervisor's grid; the table says so, and why.
    await p.goto(url + '/#/sites');
    const noSites = await p.locator('[data-testid=site-none]').innerText({ timeout: 10000 }).catch(() => '(no line)');
    check(noSites === '您负责的区域内暂无此类登记', `supervisor: an empty 台账 says there is none in their area ("${noSites}")`);
    await p.goto(`${url}/#/tasks/${(mine[2] ?? other).id}`);
    await p.waitForSelector('[data-testid=report-submit]', { timeout: 15000 });
    const text = await shown(p);
    check(!internals.test(text) && /请在 .* 前签收|签收已超时/.test(text), `supervisor at 1366 px: the task page in words (${(text.match(internals) || [''])[0]})`);
    // The hidden file inputs once stuck out 700 px to the right of the page.
    const [sw, iw] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(sw <= iw, `supervisor at 1366 px: the task page is no wider than the screen (${sw} px in ${iw})`);
    await p.screenshot({ path: join(shots, 'screens-task-supervisor-desktop.png'), fullPage: true });
    await p.context().close();
  }

  });

  // The official's review page, at both widths.
  for (const [w, vp] of [['desktop', { width: 1366, height: 900 }], ['phone', phone]]) {
  test(`hunyuan ${w}: the review page`, async ({ suite: { url, shots, page, check, login: loginAs } }) => {
  const login = as(loginAs);
    const p = await page(vp, `hunyuan ${w}: the review page`);
    await login(p, 'hunyuan');
    await p.goto(`${url}/#/tasks/${task.id}`);
    await p.waitForSelector('[data-testid=timeline] li', { timeout: 15000 });
    await p.waitForSelector('[data-testid=review-photo] img', { timeout: 15000 });
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=review-photo] img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 15000 });
    const title = await p.textContent('[data-testid=task-title]');
    check(title.startsWith('秸秆焚烧（待审核）'), `hunyuan ${w}: the title follows the reported finding (${title})`);
    const steps = await p.$$eval('[data-testid=timeline] li', (li) => li.map((x) => x.innerText));
    check(steps.length >= 3 && /派单/.test(steps[0]) && steps.some((s) => s.includes(`${sup}签收`)) && steps.some((s) => s.includes(`${sup}上报`) && /结论：秸秆焚烧.*照片1张/.test(s)),
      `hunyuan ${w}: the history says who did what and when (${steps.join(' | ')})`);
    const where = await p.textContent('[data-testid=report-where]');
    check(/上报位置距火点约 1\.\d 公里/.test(where) && /超过1公里/.test(where), `hunyuan ${w}: where the report was made, 1.5 km from the fire, is flagged (${where})`);
    const stamped = await p.$eval('[data-testid=review-photo] img', (i) => i.getAttribute('src'));
    check(/\/api\/photos\/[0-9a-f]{64}\?task=\d+/.test(stamped), `hunyuan ${w}: the photo shown is the stamped copy (${stamped})`);
    const call = await p.$eval('[data-testid=call]', (a) => a.getAttribute('href'));
    check(/^tel:[\d+]+$/.test(call), `hunyuan ${w}: the supervisor's phone is a tap to call (${call})`);
    // Scrolled until the small map's zoom buttons pass under the sticky top
    // bar: the bar is there (on a phone it once scrolled away after one
    // screen) and on top of them (they were drawn over it).
    const under = await p.evaluate(() => {
      const zoom = document.querySelector('[data-testid=review-map] .leaflet-control-zoom-in').getBoundingClientRect();
      const bar = document.querySelector('.topbar').getBoundingClientRect();
      window.scrollBy(0, zoom.top + zoom.height / 2 - bar.height / 2);
      const z = document.querySelector('[data-testid=review-map] .leaflet-control-zoom-in').getBoundingClientRect();
      const hit = document.elementFromPoint(z.left + z.width / 2, z.top + z.height / 2);
      return { y: Math.round(z.top), bar: Math.round(bar.height), hit: hit?.closest('.topbar') ? 'the top bar' : `${hit?.tagName}.${hit?.className} in ${hit?.parentElement?.outerHTML.slice(0, 60)}` };
    });
    await p.screenshot({ path: join(shots, `screens-review-zoom-under-bar-${w}.png`) });
    // Every tab of the bar on the screen, none scrolled out of sight past its edge.
    const tabs = await p.$$eval('.topbar nav a', (as) => as.map((a) => { const r = a.getBoundingClientRect(); return { t: a.innerText, in: r.left >= 0 && r.right <= window.innerWidth + 0.5 }; }));
    check(tabs.length >= 6 && tabs.every((x) => x.in), `hunyuan ${w}: every tab of the top bar is on the screen (${tabs.map((x) => x.t + (x.in ? '' : ' (cut)')).join(' ')})`);
    // The map fills the screen below the bar, however high the bar is: nothing of it below the fold.
    await p.goto(`${url}/#/map`);
    await p.waitForSelector('#map .leaflet-control-zoom-in', { timeout: 15000 });
    const fit = await p.evaluate(() => ({ bar: Math.round(document.querySelector('.topbar').getBoundingClientRect().height),
      bottom: Math.round(document.querySelector('#map').getBoundingClientRect().bottom), screen: window.innerHeight, page: document.documentElement.scrollHeight }));
    check(Math.abs(fit.bottom - fit.screen) <= 1 && fit.page <= fit.screen + 1, `hunyuan ${w}: the map ends at the screen's bottom edge under a ${fit.bar} px bar (map to ${fit.bottom} px, page ${fit.page} px, screen ${fit.screen} px)`);
    check(under.hit === 'the top bar', `hunyuan ${w}: the top bar stays, and the map's zoom buttons pass under it (at ${under.y} px in a ${under.bar} px bar: ${under.hit})`);
    await top(p);
    await p.screenshot({ path: join(shots, `screens-review-hunyuan-${w}.png`), fullPage: true });
    await p.context().close();
  });
  }

  // Decide: a note, then close; reassign another task by choosing from the list.
  test('hunyuan: close and reassign', async ({ suite: { url, shots, page, check, login: loginAs } }) => {
  const login = as(loginAs);
  {
    const p = await page({ width: 1366, height: 900 }, 'hunyuan: note, close, reassign');
    await login(p, 'hunyuan');
    await p.goto(`${url}/#/tasks/${task.id}`);
    await p.waitForSelector('[data-testid=note-text]', { timeout: 15000 });
    await p.fill('[data-testid=note-text]', '已电话联系网格员核实');
    await p.click('[data-testid=note-save]');
    await p.waitForSelector('[data-testid=timeline] li:has-text("已电话联系网格员核实")', { timeout: 10000 });
    await p.fill('[data-testid=close-notes]', '同意办结');
    // A double click on a slow network closes once, with no "changed by someone else".
    const closes = await tapTwice(p, '[data-testid=close]', `/api/tasks/${task.id}/close`);
    await p.waitForSelector('[data-testid=task-title]:has-text("已核实")', { timeout: 10000 });
    check(closes() === 1 && (await p.textContent('.toast')) === '操作成功', `hunyuan: a double click on 关闭任务 sends one close (${closes()})`);
    const closed = await hunyuan.get(`/api/tasks/${task.id}`);
    check(closed.state === 'closed' && closed.review_note === '同意办结' && closed.timeline.some((e) => e.action === 'note'),
      `hunyuan: noted and closed (${closed.state}, "${closed.review_note}")`);

    await p.goto(`${url}/#/tasks/${other.id}`);
    await p.waitForSelector('[data-testid=candidate]', { timeout: 15000 });
    const offered = await p.$$eval('[data-testid=candidate]', (b) => b.map((x) => x.innerText));
    check(offered.length >= 5 && offered.every((s) => /[\u4e00-\u9fff]/.test(s)), `hunyuan: reassignment offers grids by name with their supervisors (${offered.slice(0, 2).join(' | ')})`);
    const target = await p.$eval('[data-testid=candidate] >> nth=0', (b) => b.dataset.grid);
    await p.click('[data-testid=candidate] >> nth=0');
    await p.screenshot({ path: join(shots, 'screens-reassign-hunyuan-desktop.png'), fullPage: true });
    // The reassignment's own answer, not a toast: the close's "操作成功"
    // may still be up (4 s) as the button is pressed, and a CI run once
    // read the task before the reassignment was stored. Over a slow
    // network (the answer 1.5 s late) the old wait failed every time.
    await p.route(`**/api/tasks/${other.id}/reassign`, slowNetwork(1500));
    const answered = p.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/tasks/${other.id}/reassign`), { timeout: 15000 });
    await p.click('[data-testid=reassign]');
    const res = await answered;
    check(res.ok(), `hunyuan: the reassignment is accepted (${res.status()})`);
    const moved = await hunyuan.get(`/api/tasks/${other.id}`);
    check(moved.grid_id === target && moved.timeline.some((e) => e.action === 'reassign' && e.to_grid === target),
      `hunyuan: the task went to the grid chosen from the list (${moved.grid_id}, want ${target})`);
    await p.context().close();
  }
  });

  test('supervisor: a new task while the app is open', async ({ suite: { url, shots, page, check, login: loginAs } }) => {
    await newTaskWhileOpen({ url, page, check, login: as(loginAs), phone, shots, field, sup });
  });
});

/** quietSpot: a point of the grid with no detection within about 1.5 km (a new fire there is a new event). */
async function quietSpot(api, grid) {
  const [w, s, e, n] = (await api.get(`/api/regions/${grid}`)).bbox;
  for (const fy of [0.5, 0.2, 0.8]) {
    for (const fx of [0.5, 0.2, 0.8]) {
      const lat = s + (n - s) * fy, lon = w + (e - w) * fx;
      const d = 0.015;
      const near = await api.get(`/api/hotspots?bbox=${lon - d * 1.3},${lat - d},${lon + d * 1.3},${lat + d}&limit=1`);
      if (!near.features?.length) return [lon, lat];
    }
  }
  return [(w + e) / 2, (s + n) / 2];
}

// A new task while the supervisor has the app open: the 任务 tab counts
// the tasks to acknowledge, and a new one rings and says what and where.
// The app installs (manifest and icons).
async function newTaskWhileOpen({ url, page, check, login, phone, shots, field, sup }) {
  const admin = await apiAs(url, 'admin');
  const p = await page(phone, 'supervisor: a new task while the app is open');
  await p.goto(url + '/#/login');
  await p.evaluate(() => sessionStorage.setItem('skygrid.pollMs', '1000'));
  await login(p, sup);
  const waiting = (await field.get('/api/tasks?state=dispatched&limit=500')).total;
  // The tab counts them (no count when there is none), after the first look.
  await p.waitForFunction((n) => {
    const b = document.querySelector('[data-testid=task-badge]');
    return document.querySelector('[data-testid=nav-tasks]') && (n ? b?.textContent === String(n) : !b) && sessionStorage.getItem('skygrid.seenTasks');
  }, waiting, { timeout: 15000 });
  await p.mouse.click(200, 300); // a touch: the browser then lets the page play sound
  const me = await field.get('/api/me');
  const grid = me.user.regions[0];
  const [lon, lat] = await quietSpot(field, grid);
  const at = new Date(Date.parse(me.now) - 10 * 60000);
  const day = at.toISOString().slice(0, 10), hhmm = at.toISOString().slice(11, 16).replace(':', '');
  const csv = 'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n' +
    `${lat.toFixed(5)},${lon.toFixed(5)},345.2,0.4,0.4,${day},${hhmm},N20,VIIRS,h,2.0NRT,291.3,8.4,D\n`;
  const res = await admin.upload('/api/imports/fires', { file: { name: 'e2e-new-fire.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) } });
  check(res.ok(), `admin: a fire file with a new detection in the supervisor's grid is taken (${res.status()} ${(await res.text()).slice(0, 120)})`);
  const badge = await p.waitForSelector(`[data-testid=task-badge]:has-text("${waiting + 1}")`, { timeout: 15000 }).catch(() => null);
  const rings = await p.evaluate(() => window.skygridRings ?? 0);
  const said = await p.textContent('.toast').catch(() => '');
  check(!!badge && rings >= 1 && said.startsWith('新任务'), `supervisor: the new task shows on the 任务 tab (${waiting} -> ${waiting + 1}: ${!!badge}), rings (${rings}) and says so ("${said}")`);
  await p.screenshot({ path: join(shots, 'screens-newtask-supervisor-phone.png') });
  const manifest = await p.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]')?.getAttribute('href');
    const m = await (await fetch(href)).json();
    const icons = await Promise.all(m.icons.map(async (i) => (await fetch(i.src)).headers.get('content-type')));
    return { name: m.short_name, display: m.display, icons };
  });
  check(manifest.name === '天网格' && manifest.display === 'standalone' && manifest.icons.length >= 2 && manifest.icons.every((c) => c === 'image/png'),
    `the app installs: a manifest with its name and PNG icons (${JSON.stringify(manifest)})`);
  await p.context().close();
  await admin.ctx.dispose();
}
