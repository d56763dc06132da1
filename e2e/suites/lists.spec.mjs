// The reviewers' task list (frontend/src/reviewlist.ts): the county official
// hunyuan at 1366 and 375 px filters by state and township, searches by a
// task id and by a grid name, sorts by deadline, goes to page 2, opens the
// map-and-list view and closes two reported tasks with one note; the
// auditor nongye filters by county. Every time, what the page shows (the
// page text and every row, in order) is compared with the API's answer for
// the same filters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiSessions } from '../lib/api.mjs';
import { test, phone } from '../fixtures.mjs';

const wide = { width: 1366, height: 850 };
const NOTE = '批量核实：现场已处理（浏览器测试）';

const rowsOf = (p) => p.$$eval('[data-testid=task-item]', (rs) => rs.map((r) => Number(r.dataset.id)));

// One reviewer's scenario: the tasks reported first are closed at one width,
// then the other; the steps share those tasks, so they run in order.
test.describe.serial('the reviewers\' task list', () => {
  let county, townships;
  const reported = [];
  const users = apiSessions(test, ['admin', 'hunyuan']);

  test('lists: five tasks reported to review', async ({ suite: { url, root, check } }) => {
  const photo = readFileSync(join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg'));

  // Reported tasks to review: the admin (who may act as a supervisor)
  // acknowledges and reports five open tasks of 浑源县 in grids other than
  // the demo supervisor's.
  const me = await users.hunyuan.get('/api/me');
  county = me.user.regions[0];
  const open = (await users.admin.get(`/api/tasks?county=${county}&state=dispatched&sort=created&order=asc&limit=200`)).tasks
    .filter((x) => x.grid_id && x.grid_id !== '140225-005-009');
  for (const x of open.slice(0, 5)) {
    const ack = await users.admin.post(`/api/tasks/${x.id}/acknowledge`, { version: x.version });
    const v = await ack.json();
    const rep = await users.admin.multipart(`/api/tasks/${x.id}/report`, {
      finding: 'straw_burning', notes: '现场核查（浏览器测试）', version: String(v.version),
      photos: { name: 'at_event.jpg', mimeType: 'image/jpeg', buffer: photo },
    });
    if (rep.ok()) reported.push(x.id);
  }
  check(reported.length === 5, `lists: five tasks of ${county} reported to review (${reported.join(', ')})`);

  // The townships of the official's area: the demo may have none yet.
  townships = (await users.hunyuan.get('/api/regions?level=township&geometry=false')).features ?? [];
  });

  for (const [w, vp] of [['desktop', wide], ['phone', phone]]) {
  test(`hunyuan at ${vp.width} px: the task list`, async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(vp, `hunyuan at ${vp.width} px: the task list`);
    // The stale close below is refused on purpose.
    p.allow(/^409 POST .*\/api\/tasks\/close$/);
    await login(p, 'hunyuan');
    const who = `hunyuan ${vp.width} px`;

    /** same waits until the page shows what the API answers for params, page `n`, and says whether it does. */
    const same = async (what, params, n = 1) => {
      const q = new URLSearchParams({ ...params, limit: '50', offset: String((n - 1) * 50) });
      const api = await (await p.request.get(`${url}/api/tasks?${q}`)).json();
      const text = `第 ${n}/${Math.max(1, Math.ceil(api.total / 50))} 页，共 ${api.total} 条`;
      const ids = api.tasks.map((x) => x.id);
      const ok = await p.waitForFunction(([text, ids]) => {
        const rows = [...document.querySelectorAll('[data-testid=task-item]')].map((r) => Number(r.dataset.id));
        return document.querySelector('[data-testid=page-text]')?.textContent === text && rows.length === ids.length && rows.every((id, i) => id === ids[i]);
      }, [text, ids], { timeout: 15000 }).then(() => true, () => false);
      const shown = await p.textContent('[data-testid=page-text]');
      const first = (await rowsOf(p))[0];
      check(ok, `${who}: ${what}: the page shows "${shown}", first #${first ?? '-'} (API: ${api.total} tasks, first #${ids[0] ?? '-'})`);
      return api;
    };
    const openFilters = async () => {
      if (!(await p.$eval('details.rlmore', (d) => d.open))) await p.click('[data-testid=f-more]');
    };

    await p.goto(url + '/#/tasks');
    await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
    const page1 = await same('open tasks by deadline (the default)', { state: 'open', sort: 'deadline', order: 'asc' });
    const places = await p.$$eval('[data-testid=task-item] [data-testid=task-place]', (els) => els.map((e) => e.textContent));
    check(places.length > 0 && places.every((s) => s.startsWith('浑源县 · ')), `${who}: each row names its place (${places[0]})`);
    const row1 = await p.$eval('[data-testid=task-item]', (r) => r.innerText.replace(/\s+/g, ' '));
    const t1 = page1.tasks[0];
    check(row1.includes(`#${t1.id}`) && row1.includes(t1.supervisor_name) && /待签收|已签收|已上报/.test(row1) && /2023-10-\d\d \d\d:\d\d/.test(row1) && /截止/.test(row1),
      `${who}: the first row says the place, class, state, when seen, the deadline and the supervisor (${row1.slice(0, 120)})`);
    await p.screenshot({ path: join(shots, `lists-hunyuan-${w}.png`) });

    // Page 2 continues page 1: no repeats, no gaps (every state: more than a page).
    await openFilters();
    await p.selectOption('[data-testid=f-state]', 'all');
    const all1 = await same('every state by deadline', { sort: 'deadline', order: 'asc' });
    check(all1.total > 50, `${who}: more than a page of tasks to page through (${all1.total})`);
    await p.click('[data-testid=page-next]');
    const page2 = await same('page 2', { sort: 'deadline', order: 'asc' }, 2);
    const both = await (await p.request.get(`${url}/api/tasks?sort=deadline&order=asc&limit=100`)).json();
    const joined = [...all1.tasks, ...page2.tasks].map((x) => x.id);
    check(p.url().includes('page=2') && joined.length === new Set(joined).size && joined.join() === both.tasks.slice(0, joined.length).map((x) => x.id).join(),
      `${who}: page 2 (${p.url().split('#')[1]}) continues page 1 without repeats or gaps`);
    await p.click('[data-testid=page-prev]');
    await same('back to page 1', { sort: 'deadline', order: 'asc' });

    // Filter by state, then township (when the demo has townships).
    await openFilters();
    await p.selectOption('[data-testid=f-state]', 'reported');
    const rep = await same('reported (待审核)', { state: 'reported', sort: 'deadline', order: 'asc' });
    check(p.url().includes('state=reported') && rep.total >= 2, `${who}: the state is kept in the address (${p.url().split('#')[1]}), ${rep.total} to review`);
    if (townships.length) {
      const tw = townships[0].properties;
      await p.selectOption('[data-testid=f-township]', tw.id);
      await same(`reported in ${tw.name}`, { state: 'reported', township: tw.id, sort: 'deadline', order: 'asc' });
      check(p.url().includes(`township=${tw.id}`), `${who}: the township is kept in the address`);
      await p.selectOption('[data-testid=f-township]', '');
    } else {
      check(!(await p.isVisible('[data-testid=f-township]')), `${who}: no townships in the demo yet: no township filter offered`);
    }
    // The date range (of first sight, Beijing days).
    await p.fill('[data-testid=f-from]', '2023-10-01');
    await p.fill('[data-testid=f-to]', '2023-10-31');
    await same('reported, first seen in October', { state: 'reported', date: 'first_seen', since: '2023-10-01T00:00:00+08:00', until: '2023-11-01T00:00:00+08:00', sort: 'deadline', order: 'asc' });
    await p.click('[data-testid=f-clear]');
    await same('filters cleared', { state: 'open', sort: 'deadline', order: 'asc' });

    // Search by a task id, then by a grid name.
    const target = page1.tasks[Math.min(3, page1.tasks.length - 1)]; // an open task: the search keeps the open filter
    await p.fill('[data-testid=f-q]', `#${target.id}`);
    await p.click('[data-testid=f-q-go]');
    await same(`search #${target.id}`, { state: 'open', q: `#${target.id}`, sort: 'deadline', order: 'asc' });
    check((await rowsOf(p)).join() === String(target.id), `${who}: searching #${target.id} finds that task alone`);
    await p.fill('[data-testid=f-q]', target.grid_name);
    await p.click('[data-testid=f-q-go]');
    const byGrid = await same(`search "${target.grid_name}"`, { state: 'open', q: target.grid_name, sort: 'deadline', order: 'asc' });
    check(byGrid.total >= 1 && byGrid.tasks.every((x) => x.grid_name.includes(target.grid_name)), `${who}: the grid's tasks (${byGrid.total})`);
    await p.fill('[data-testid=f-q]', '');
    await p.click('[data-testid=f-q-go]');

    // Sort: by first sight, then by deadline (the column header on a
    // desktop, the sort list on a phone).
    await openFilters();
    await p.selectOption('[data-testid=f-sort]', 'first_seen');
    await same('newest fire first', { state: 'open', sort: 'first_seen', order: 'desc' });
    if (w === 'desktop') await p.click('[data-testid=sort-deadline]');
    else await p.selectOption('[data-testid=f-sort]', 'deadline');
    const byDeadline = await same('sorted by deadline', { state: 'open', sort: 'deadline', order: 'asc' });
    const due = (x) => (x.state === 'dispatched' ? x.ack_due : x.state === 'acknowledged' ? x.report_due : '9999');
    check(byDeadline.tasks.every((x, i, a) => i === 0 || due(a[i - 1]) <= due(x)), `${who}: the rows by deadline, nearest first`);
    // Overdue at the server's clock (in the demo's first half hour, none).
    await openFilters();
    await p.check('[data-testid=f-overdue]');
    const over = await same('overdue only', { state: 'open', overdue: 'true', sort: 'deadline', order: 'asc' });
    if (!over.total) check(await p.isVisible('[data-testid=list-empty]'), `${who}: no overdue task: the page says so`);
    await p.uncheck('[data-testid=f-overdue]');

    // The map and the list: one marker per row; a marker marks its row, a row its marker.
    await p.click('[data-testid=view-map]');
    await p.waitForSelector('[data-testid=list-map] path.task-marker', { timeout: 15000 });
    await p.waitForSelector('[data-testid=list-map] img.leaflet-tile-loaded', { timeout: 15000 }).catch(() => {});
    const rows = await rowsOf(p);
    const marks = await p.$$eval('[data-testid=list-map] path.task-marker', (ms) => ms.map((m) => Number(m.dataset.id)));
    check(rows.length > 0 && marks.length === rows.length && rows.every((id) => marks.includes(id)), `${who}: the map shows one marker per row (${marks.length} markers, ${rows.length} rows)`);
    const pick = rows[Math.min(2, rows.length - 1)];
    await p.dispatchEvent(`[data-testid=list-map] path.task-marker[data-id="${pick}"]`, 'click');
    const hl = await p.$$eval('[data-testid=task-item].hl', (rs) => rs.map((r) => Number(r.dataset.id)));
    check(hl.join() === String(pick), `${who}: clicking marker #${pick} marks its row (${hl})`);
    const other = rows[0];
    await p.click(`[data-testid=task-item][data-id="${other}"] [data-testid=task-place]`);
    const stroke = await p.$eval(`[data-testid=list-map] path.task-marker[data-id="${other}"]`, (m) => m.getAttribute('stroke'));
    const hl2 = await p.$$eval('[data-testid=task-item].hl', (rs) => rs.map((r) => Number(r.dataset.id)));
    check(stroke === '#facc15' && hl2.join() === String(other), `${who}: clicking row #${other} marks its marker (stroke ${stroke})`);
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: join(shots, `lists-map-hunyuan-${w}.png`) });
    await p.click('[data-testid=view-list]');

    // Bulk close: two reported tasks with one note.
    await openFilters();
    await p.selectOption('[data-testid=f-state]', 'reported');
    const toReview = await same('reported, to close', { state: 'reported', sort: 'deadline', order: 'asc' });
    const two = toReview.tasks.map((x) => x.id).filter((id) => reported.includes(id)).slice(0, 2);
    for (const id of two) await p.check(`[data-testid=task-item][data-id="${id}"] [data-testid=bulk-check]`);
    await p.fill('[data-testid=bulk-notes]', NOTE);
    const label = await p.textContent('[data-testid=bulk-close]');
    check(label === '批量办结（2）', `${who}: the button says ${label}`);
    await p.click('[data-testid=bulk-close]');
    const ask = await p.textContent('[data-testid=bulk-confirm]');
    check(two.every((id) => ask.includes(`#${id}`)) && ask.includes(NOTE), `${who}: asked to confirm (${ask.replace(/\s+/g, ' ').slice(0, 100)})`);
    await p.screenshot({ path: join(shots, `lists-bulk-confirm-hunyuan-${w}.png`) });
    await p.click('[data-testid=bulk-confirm-yes]');
    await p.waitForFunction(() => document.querySelector('[data-testid=bulk-result]')?.textContent, null, { timeout: 15000 });
    const said = await p.textContent('[data-testid=bulk-result]');
    const after = await Promise.all(two.map(async (id) => (await p.request.get(`${url}/api/tasks/${id}`)).json()));
    check(said === '已办结 2 条任务。' && after.every((x) => x.state === 'closed' && x.review_note === NOTE),
      `${who}: "${said}": #${two.join(', #')} closed with the note (${after.map((x) => `${x.state}: ${x.review_note}`).join('; ')})`);
    await same('reported, after the close', { state: 'reported', sort: 'deadline', order: 'asc' });
    await p.evaluate(() => window.scrollTo(0, 0));
    await p.screenshot({ path: join(shots, `lists-bulk-hunyuan-${w}.png`) });

    // A task that changed meanwhile: nothing is closed, and the page says which.
    if (w === 'desktop') {
      const left = (await rowsOf(p)).filter((id) => reported.includes(id));
      const [a, b] = left;
      for (const id of [a, b]) await p.check(`[data-testid=task-item][data-id="${id}"] [data-testid=bulk-check]`);
      const tb = await (await p.request.get(`${url}/api/tasks/${b}`)).json();
      const ret = await users.admin.post(`/api/tasks/${b}/return`, { version: tb.version, reason: '照片不清晰（浏览器测试）' });
      await p.click('[data-testid=bulk-close]');
      await p.click('[data-testid=bulk-confirm-yes]');
      await p.waitForFunction(() => /未办结/.test(document.querySelector('[data-testid=bulk-result]')?.textContent ?? ''), null, { timeout: 15000 }).catch(() => {});
      const said2 = await p.textContent('[data-testid=bulk-result]');
      const ta = await (await p.request.get(`${url}/api/tasks/${a}`)).json();
      check(ret.ok() && said2.includes(`#${b}（现为已签收）`) && ta.state === 'reported',
        `${who}: a task returned meanwhile stops the close: "${said2}"; #${a} is still ${ta.state}`);
      await p.screenshot({ path: join(shots, `lists-bulk-conflict-hunyuan-${w}.png`) });
    }
    await p.context().close();
  });
  }

  // The auditor: every county, filtered by one.
  test('nongye at 1366 px: the task list by county', async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(wide, 'nongye at 1366 px: the task list by county');
    await login(p, 'nongye');
    await p.goto(url + '/#/tasks');
    await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
    const all = await (await p.request.get(`${url}/api/tasks?state=open&limit=1`)).json();
    const counties = (await (await p.request.get(`${url}/api/regions?level=county&geometry=false`)).json()).features.map((x) => x.properties);
    const text = await p.textContent('[data-testid=page-text]');
    check(text.endsWith(`共 ${all.total} 条`) && counties.length >= 8, `nongye: every county's open tasks (${text}), ${counties.length} counties to choose from`);
    let best = null;
    for (const c of counties) {
      const n = (await (await p.request.get(`${url}/api/tasks?state=open&county=${c.id}&limit=1`)).json()).total;
      if (c.id !== county && n > 0 && (!best || n > best.n)) best = { ...c, n };
    }
    await p.selectOption('[data-testid=f-county]', best.id);
    const q = new URLSearchParams({ state: 'open', county: best.id, sort: 'deadline', order: 'asc', limit: '50' });
    const api = await (await p.request.get(`${url}/api/tasks?${q}`)).json();
    const want = `第 1/${Math.max(1, Math.ceil(api.total / 50))} 页，共 ${api.total} 条`;
    const ok = await p.waitForFunction(([want, first]) => document.querySelector('[data-testid=page-text]')?.textContent === want &&
      document.querySelector('[data-testid=task-item]')?.dataset.id === String(first), [want, api.tasks[0].id], { timeout: 15000 }).then(() => true, () => false);
    const places = await p.$$eval('[data-testid=task-place]', (els) => els.map((e) => e.textContent));
    check(ok && places.every((s) => s.startsWith(best.name)), `nongye: filtered by ${best.name}: ${await p.textContent('[data-testid=page-text]')} (API ${api.total}), every row in ${best.name}`);
    check(p.url().includes(`county=${best.id}`), `nongye: the county is kept in the address (${p.url().split('#')[1]})`);
    await p.screenshot({ path: join(shots, 'lists-nongye-desktop.png') });
    await p.context().close();
  });
});
