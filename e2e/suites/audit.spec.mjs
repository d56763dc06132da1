// The bureau's audit page (charts, the confirmed-burning map, tables,
// exports) as the auditor and as an official, and the audit-log viewer
// (auditors yes, officials no), at desktop and phone width.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, quiet, tilesDecoded, desktop, phone, pixels, textOverlaps } from '../fixtures.mjs';

const inkedPixels = (p, sel) => pixels(p, sel + ' svg', 'inked');
const colouredPixels = (p, sel) => pixels(p, sel + ' svg', 'coloured');
const api = async (url, ctx, name) => {
  const r = await ctx.request.post(url + '/api/login', { data: { name, password: 'skygrid-demo' } });
  return (await r.json()).csrf;
};

// The audit page's checks need a confirmed straw burning: the first test
// makes one when the demo has none; the others, after it in this file
// (one worker runs a file's tests in order), read it.

// A confirmed straw burning in October 2023: if the demo has none closed
// yet, the supervisor reports one and the official closes it.
test('audit: a confirmed straw burning for the map', async ({ suite: { url, root, page, check } }) => {
  {
    const p = await page(desktop);
    const ctx = p.context();
    await api(url, ctx, 'nongye');
    const s = await (await ctx.request.get(url + '/api/stats/series?period=2023-10')).json();
    if (!s.confirmed?.length) {
      const csrf = await api(url, ctx, 'wangge');
      const mine = (await (await ctx.request.get(url + '/api/tasks?state=dispatched&limit=100')).json()).tasks;
      const task = mine[0];
      let v = await (await ctx.request.post(`${url}/api/tasks/${task.id}/acknowledge`, { headers: { 'X-CSRF-Token': csrf }, data: { version: task.version } })).json();
      const rep = await ctx.request.post(`${url}/api/tasks/${task.id}/report`, {
        headers: { 'X-CSRF-Token': csrf },
        multipart: {
          finding: 'straw_burning', notes: '现场核实：秸秆焚烧，已扑灭', version: String(v.version),
          photos: { name: 'at_event.jpg', mimeType: 'image/jpeg', buffer: readFileSync(join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg')) },
        },
      });
      v = await rep.json();
      const csrf2 = await api(url, ctx, 'hunyuan');
      const cl = await ctx.request.post(`${url}/api/tasks/${task.id}/close`, { headers: { 'X-CSRF-Token': csrf2 }, data: { version: v.version } });
      check(cl.ok(), `audit: task ${task.id} reported as straw burning and closed for the confirmed map (${rep.status()}, ${cl.status()})`);
    }
    await ctx.close();
  }
});

// The audit page as the auditor (every county) and as an official (one).
for (const [name, counties] of [['nongye', null], ['hunyuan', ['浑源县']]]) {
  for (const [w, vp] of [['desktop', desktop], ['phone', phone]]) {
    test(`${name} ${w}: the audit page`, async ({ suite: { url, shots, page, login, check } }) => {
      const p = await page(vp);
      await login(p, name);
      // What the API says, for the expected rows.
      const st = await (await p.request.get(url + '/api/stats?period=2023-10&by=county')).json();
      const series = await (await p.request.get(url + '/api/stats/series?period=2023-10')).json();
      await p.goto(url + '/#/audit?period=2023-10&by=county');
      await p.waitForSelector('[data-testid=stats-row]', { timeout: 20000 });
      await p.waitForSelector('[data-testid=chart-daily] svg', { timeout: 20000 });
      if (!counties) await p.waitForSelector('[data-testid=chart-ranking] svg', { timeout: 20000 });
      else await p.waitForSelector('[data-testid=own-county]', { timeout: 20000 });
      await p.waitForSelector('[data-testid=chart-response] svg, [data-testid=chart-response-empty]', { timeout: 20000 });
      // Tiles and charts settle: every chart inked, every marker drawn, no request in flight.
      for (const c of counties ? ['chart-daily', 'chart-response'] : ['chart-daily', 'chart-ranking', 'chart-response']) {
        await expect.poll(() => colouredPixels(p, `[data-testid=${c}]`), { timeout: 10000 }).toBeGreaterThan(200).catch(() => {});
      }
      await expect.poll(() => p.locator('[data-testid=confirmed-map] path.confirmed-marker').count(), { timeout: 10000 }).toBe(series.confirmed.length).catch(() => {});
      await quiet(p);
      await tilesDecoded(p, '[data-testid=confirmed-map] img.leaflet-tile');
      for (const c of counties ? ['chart-daily', 'chart-response'] : ['chart-daily', 'chart-ranking', 'chart-response']) {
        const ink = await inkedPixels(p, `[data-testid=${c}]`);
        const bars = await colouredPixels(p, `[data-testid=${c}]`);
        check(ink > 500 && bars > 200, `${name} ${w}: ${c} draws (${ink} inked, ${bars} bar pixels)`);
        const { words, over } = await textOverlaps(p, `[data-testid=${c}]`);
        check(words >= 8 && over.length === 0, `${name} ${w}: ${c}'s words are not drawn over one another (${words} words; ${over.join('; ')})`);
        await p.locator(`[data-testid=${c}]`).screenshot({ path: join(shots, `audit-${c}-${name}-${w}.png`) });
      }
      // The dust hours by county: a chart where some county has any, words where none has (a chart of empty bars).
      if (st.dust?.counties?.length) {
        const hot = st.dust.counties.filter((c) => c.exceedance_hours > 0).length;
        const drawn = await p.$$eval('[data-testid=chart-dust-hours] svg', (els) => els.length);
        const none = await p.$$eval('[data-testid=dust-hours-none]', (els) => els.map((e) => e.textContent).join(''));
        check(hot ? drawn === 1 && !none : drawn === 0 && none === '本时段各区县均无超标小时。',
          `${name} ${w}: the dust hours by county, ${hot} with any (${drawn} chart; "${none}")`);
      }
      const rows = await p.$$eval('[data-testid=stats-row] th', (ths) => ths.map((x) => x.textContent.trim()));
      const want = st.stats.areas.map((a) => a.region_name);
      check(rows.length === want.length && want.every((n) => rows.includes(n)), `${name} ${w}: a stats row per county in scope (${rows.join(',')})`);
      if (counties) check(rows.length === 1 && rows[0] === counties[0], `${name} ${w}: only ${counties.join(',')} in the table (${rows.join(',')})`);
      else check(rows.length >= 8, `${name} ${w}: the auditor sees ${rows.length} counties`);
      const heads = await p.$$eval('[data-testid=stats-table] thead th', (ths) => ths.map((x) => x.textContent));
      check(heads.includes('疑似秸秆焚烧') && heads.includes('上报中位(分)') && !heads.some((h) => /_/.test(h)), `${name} ${w}: Chinese table headers (${heads.slice(0, 4).join(',')}…)`);
      const rankRows = await p.$$eval('[data-testid=ranking-row]', (r) => r.length);
      if (counties) {
        // One county is no ranking: its figures, said as such; no chart of one bar.
        const own = await p.textContent('[data-testid=own-county]').catch(() => '');
        const bars = await p.$('[data-testid=chart-ranking]');
        check(rankRows === 0 && !bars && own.includes(`${counties[0]}的数据`) && !/名次|第\s*1\s*名|排名/.test(own.replace(/不作区县排名/, '')),
          `${name} ${w}: one county's figures, not a ranking of one (${own.replace(/\s+/g, ' ').slice(0, 60)})`);
      } else check(rankRows === st.stats.areas.filter((a) => a.region_id).length, `${name} ${w}: ${rankRows} ranking rows`);
      // The year before: no data is said in words, not as a change from 0.
      const yo = await p.$$eval('[data-testid^=fig-] .yo', (els) => els.map((e) => e.textContent));
      if (st.stats.year_ago?.no_data) check(yo.length >= 5 && yo.every((x) => x === '去年无数据'), `${name} ${w}: no data a year ago is said so (${[...new Set(yo)].join(',')})`);
      else check(yo.every((x) => !/^同比 \+\d+$/.test(x) || !x), `${name} ${w}: no change from 0 shown as a number (${yo.join(',')})`);
      // One number for one figure: the page's totals, the stats CSV and the monthly report agree, under the same names.
      const pageHeads = await p.$$eval('[data-testid=stats-table] thead th', (ths) => ths.map((x) => x.textContent));
      const pageTotal = await p.$$eval('[data-testid=stats-total] > *', (cells) => cells.map((x) => x.textContent.replace(/,/g, '')));
      const csvText = (await (await p.request.get(url + '/api/stats?period=2023-10&by=county&format=csv')).text()).replace(/^\ufeff/, '');
      const csvRows = csvText.trim().split(/\r?\n/).map((l) => l.split(','));
      const csvTotal = csvRows.find((r) => r[1] === '合计') ?? [];
      const monthly = await (await p.request.get(url + '/api/reports/monthly?month=2023-10')).text();
      const same = [];
      for (const fig of ['火情所含火点', '火情', '疑似秸秆焚烧', '任务', '核实秸秆焚烧', '误报', '未核实任务', '超时任务']) {
        const i = pageHeads.indexOf(fig), j = csvRows[0].indexOf(fig);
        const inReport = new RegExp(`<td>(其中)?${fig}</td><td class="num">([^<]*)</td>`).exec(monthly)?.[2];
        const ok = i >= 0 && j >= 0 && pageTotal[i] === csvTotal[j] && (inReport === undefined || inReport === pageTotal[i]);
        if (!ok) same.push(`${fig}: page ${pageTotal[i]}, CSV ${csvTotal[j]}, report ${inReport}`);
      }
      check(same.length === 0 && /<td>火情<\/td>/.test(monthly), `${name} ${w}: the page, the stats CSV and the monthly report name and count each figure alike (${same.join('; ')})`);
      const summary = await p.textContent('[data-testid=fig-events] .v');
      check(summary.replace(/\D/g, '') === String(st.stats.total.events), `${name} ${w}: summary shows ${summary} events (API ${st.stats.total.events})`);
      // The confirmed-burning map: tiles, and one marker per confirmed fire.
      const tiles = await p.$$eval('[data-testid=confirmed-map] img.leaflet-tile-loaded', (i) => i.length);
      const markers = await p.$$eval('[data-testid=confirmed-map] path.confirmed-marker', (m) => m.length).catch(() => 0);
      check(tiles > 0, `${name} ${w}: the confirmed-burning map shows ${tiles} basemap tiles`);
      check(series.confirmed.length > 0 && markers === series.confirmed.length,
        `${name} ${w}: ${markers} confirmed-burning markers (API ${series.confirmed.length})`);
      if (markers && w === 'desktop') {
        await p.locator('[data-testid=confirmed-map] path.confirmed-marker').first().click({ force: true });
        const pop = await p.waitForSelector('[data-testid=confirmed-popup]', { timeout: 5000 }).catch(() => null);
        const txt = pop ? await pop.innerText() : '';
        check(/秸秆焚烧/.test(txt) && /网格/.test(txt), `${name}: the marker's popup tells place, grid, finding (${txt.slice(0, 50).replace(/\s+/g, ' ')})`);
      }
      // An export downloads a CSV with a BOM.
      const href = await p.getAttribute('[data-testid=export-events-csv]', 'href');
      const csv = await (await p.request.get(new URL(href, url + '/').href)).body();
      check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf && csv.length > 100, `${name} ${w}: events CSV export starts with a BOM (${csv.length} bytes)`);
      if (w === 'desktop') {
        const [dl] = await Promise.all([p.waitForEvent('download', { timeout: 10000 }).catch(() => null), p.click('[data-testid=export-stats-csv]')]);
        const path = dl ? await dl.path() : null;
        const b = path ? readFileSync(path) : Buffer.alloc(0);
        check(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf, `${name}: clicking 统计表 CSV downloads ${dl?.suggestedFilename()} with a BOM`);
        check(await p.$('[data-testid=monthly]') !== null, `${name}: the monthly report button is there for a month`);
        // The report opens in a tab of its own, under its own CSP (no script,
        // its inline stylesheet): styled, and no violation in the console.
        const rp = await page(desktop, `${name}: the monthly report in its tab`, { storageState: await p.context().storageState() });
        const res = await rp.goto(url + '/api/reports/monthly?month=2023-10');
        const align = await rp.$eval('h1', (h) => getComputedStyle(h).textAlign).catch(() => '');
        check(res.status() === 200 && align === 'center' && /default-src 'none'/.test(res.headers()['content-security-policy'] ?? ''),
          `${name}: the monthly report is styled under its CSP (h1 ${align})`);
        await rp.context().close();
      }
      await p.evaluate(() => window.scrollTo(0, 0));
      await p.screenshot({ path: join(shots, `audit-${name}-${w}.png`), fullPage: true });
      // No horizontal overflow of the page at phone width (tables scroll in their box).
      const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(over <= 1, `${name} ${w}: the page fits the width (overflow ${over}px)`);
      check(p.errors.length === 0, `${name} ${w}: no console errors on the audit page (${p.errors.join('; ')})`);
      await p.context().close();
    });
  }
}

// A township official (xiahancun, 下韩村乡): the figures are the
// township's and say so. They were one row named 浑源县, its straw
// burning rated against the whole county's cropland (0.04 a 1,000 ha
// against the township's 6.17), under 浑源县的数据, and the monthly
// report was 浑源县秸秆焚烧卫星监测月报.
test('xiahancun phone: a township official\'s audit page, monthly report and registry', async ({ suite: { url, shots, page, login, check } }) => {
  const p = await page(phone);
  await login(p, 'xiahancun');
  const rk = await (await p.request.get(url + '/api/stats/ranking?period=2023-10&by=county')).json();
  await p.goto(url + '/#/audit?period=2023-10&by=county');
  await p.waitForSelector('[data-testid=own-county]', { timeout: 20000 });
  await p.waitForSelector('[data-testid=stats-row]', { timeout: 20000 });
  const own = await p.textContent('[data-testid=own-county]');
  const row = await p.textContent('[data-testid=stats-row] > :first-child');
  const by = await p.$eval('[data-testid=group-by]', (s) => s.value);
  const rate = rk.ranking?.[0]?.score?.toFixed(2);
  check(rk.by === 'township' && rk.ranking?.length === 1 && rk.ranking[0].region_name === '下韩村乡',
    `xiahancun: the ranking asked by county is of the township (${rk.by}, ${rk.ranking?.map((r) => r.region_name)})`);
  check(own.includes('下韩村乡的数据') && own.includes('不作乡镇排名') && !own.includes('浑源县') && own.includes(`${rate} 起/千公顷`),
    `xiahancun: the own card is 下韩村乡's, its rate ${rate} a 1,000 ha of the township's cropland (${own.slice(0, 160)})`);
  check(row.trim() === '下韩村乡' && by === 'township', `xiahancun: the figures' row is 下韩村乡 (${row}), grouped 按乡镇 (${by})`);
  const report = await (await p.request.get(url + '/api/reports/monthly?month=2023-10')).text();
  check(report.includes('下韩村乡秸秆焚烧卫星监测月报') && report.includes('不作乡镇排名') && !report.includes('浑源县秸秆焚烧'),
    `xiahancun: the monthly report is 下韩村乡's (${(report.match(/<h1>[^<]*/) ?? [''])[0]})`);
  await p.screenshot({ path: join(shots, 'audit-xiahancun-phone.png'), fullPage: true });
  // 台账: no site and no monitor in the township, each table says so (the
  // monitors' table was a header over nothing).
  await p.goto(url + '/#/sites');
  await p.waitForSelector('[data-testid=site-none]', { timeout: 20000 });
  const none = await p.locator('[data-testid=monitor-none]').textContent({ timeout: 20000 }).catch(() => '');
  check(none === '您负责的区域内暂无监测设备', `xiahancun: the empty monitors' table says why (${none})`);
  await p.context().close();
});

// Other periods through the filter form: a week, a key period and a range.
test('nongye: other periods', async ({ suite: { url, page, login, check } }) => {
  {
    const p = await page(desktop);
    await login(p, 'nongye');
    await p.goto(url + '/#/audit?period=2023-10&by=county');
    await p.waitForSelector('[data-testid=stats-row]', { timeout: 20000 });
    await p.selectOption('[data-testid=period-kind]', 'week');
    await p.fill('[data-testid=period-day]', '2023-10-24');
    await p.click('[data-testid=audit-submit]');
    await p.waitForFunction(() => location.hash.includes('period=2023-W43'), null, { timeout: 5000 }).catch(() => {});
    check(p.url().includes('period=2023-W43'), `nongye: a week in the filter goes to the hash (${p.url().split('#')[1]})`);
    await p.waitForSelector('[data-testid=chart-daily] svg', { timeout: 20000 });
    check(await p.$('[data-testid=monthly]') === null, 'nongye: no monthly report button for a week');
    await p.selectOption('[data-testid=period-kind]', 'key');
    await p.fill('[data-testid=period-year]', '2023');
    await p.selectOption('[data-testid=period-key]', 'autumn');
    await p.selectOption('[data-testid=group-by]', 'grid');
    await p.click('[data-testid=audit-submit]');
    await p.waitForFunction(() => location.hash.includes('period=2023-autumn'), null, { timeout: 5000 }).catch(() => {});
    check(/period=2023-autumn&by=grid/.test(p.url()), `nongye: the autumn key period by grid (${p.url().split('#')[1]})`);
    await p.waitForSelector('[data-testid=stats-row]', { timeout: 20000 });
    const gridRows = await p.$$eval('[data-testid=stats-row]', (r) => r.length);
    check(gridRows > 10, `nongye: ${gridRows} grid rows for autumn 2023`);
    await p.selectOption('[data-testid=period-kind]', 'range');
    await p.fill('[data-testid=period-from]', '2023-10-20');
    await p.fill('[data-testid=period-to]', '2023-10-26');
    await p.selectOption('[data-testid=group-by]', 'county');
    await p.click('[data-testid=audit-submit]');
    await p.waitForFunction(() => location.hash.includes('2023-10-20..2023-10-27'), null, { timeout: 5000 }).catch(() => {});
    await p.waitForSelector('[data-testid=chart-daily] svg', { timeout: 20000 });
    const label = await p.textContent('[data-testid=period-name]');
    check(label.includes('2023-10-20..2023-10-27'), `nongye: a custom range, the end day included (${label})`);
    check(p.errors.length === 0, `nongye: no console errors with other periods (${p.errors.join('; ')})`);
    await p.context().close();
  }
});

// The audit log: by task (the first confirmed fire's, whose log ends in 办结), by user.
for (const [w, vp] of [['desktop', desktop], ['phone', phone]]) {
  test(`nongye ${w}: the audit log`, async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(vp);
    await login(p, 'nongye');
    const nav = await p.$('[data-testid=nav-auditlog]');
    check(!!nav, `nongye ${w}: 操作日志 in the nav`);
    await p.goto(url + '/#/auditlog');
    await p.waitForSelector('[data-testid=log-row]', { timeout: 15000 });
    const taskWithLog = (await (await p.request.get(url + '/api/stats/series?period=2023-10')).json()).confirmed[0]?.task_id ?? 0;
    const id = taskWithLog || 1;
    await p.fill('[data-testid=log-task]', String(id));
    await p.click('[data-testid=log-submit]');
    await p.waitForFunction((id) => location.hash.includes('task=' + id), id, { timeout: 5000 }).catch(() => {});
    await p.waitForSelector('[data-testid=log-row]', { timeout: 15000 });
    const api = await (await p.request.get(`${url}/api/audit?entity=task&id=${id}`)).json();
    // The task's rows replace the whole log's.
    await expect(p.locator('[data-testid=log-row]')).toHaveCount(api.entries.length).catch(() => {});
    const rows = await p.$$eval('[data-testid=log-row]', (rs) => rs.map((r) => ({ entity: r.dataset.entity, id: r.dataset.id, text: r.innerText })));
    check(rows.length > 0 && rows.length === api.entries.length && rows.every((r) => r.entity === 'task' && r.id === String(id)),
      `nongye ${w}: the log of task ${id} shows its ${rows.length} entries (API ${api.entries.length})`);
    check(rows.some((r) => /派单/.test(r.text)) && (!taskWithLog || rows.some((r) => /办结/.test(r.text))),
      `nongye ${w}: actions in Chinese (${rows.map((r) => r.text.split('\t')[2]).join(',')})`);
    check(rows.every((r) => /2\d{3}-\d{2}-\d{2} \d{2}:\d{2}/.test(r.text)), `nongye ${w}: times shown`);
    // The change in words and Beijing time, not the recorded codes.
    const changes = await p.$$eval('[data-testid=log-change]', (tds) => tds.map((x) => x.textContent));
    const raw = changes.filter((c) => /[a-z]+_[a-z]+|\b[a-z]+=|\d{2}:\d{2}:\d{2}Z/.test(c));
    check(changes.some((c) => /签收截止：\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(c)) && raw.length === 0,
      `nongye ${w}: changes in words (${changes[changes.length - 1]?.slice(0, 60)}; ${raw.length} raw: ${raw[0] ?? ''})`);
    check(!(await p.isVisible('[data-testid=log-more]')), `nongye ${w}: no 加载更多 under a short list`);
    await p.screenshot({ path: join(shots, `auditlog-task-nongye-${w}.png`), fullPage: true });
    // By user: the supervisor's actions only.
    await p.goto(url + '/#/auditlog?actor=wangge');
    await p.waitForSelector('[data-testid=log-row], .muted:has-text("没有符合条件的记录")', { timeout: 15000 });
    const actors = await p.$$eval('[data-testid=log-row] td:nth-child(2)', (tds) => tds.map((x) => x.textContent));
    check(actors.length > 0 && actors.every((a) => a === 'wangge'), `nongye ${w}: by user wangge: ${actors.length} entries, all wangge`);
    await p.screenshot({ path: join(shots, `auditlog-actor-nongye-${w}.png`), fullPage: true });
    check(p.errors.length === 0, `nongye ${w}: no console errors on the audit log (${p.errors.join('; ')})`);
    await p.context().close();
  });
}

// The official is refused the audit log.
test('hunyuan: no audit log', async ({ suite: { url, shots, page, login, check } }) => {
  {
    const p = await page(phone);
    await login(p, 'hunyuan');
    check(!(await p.$('[data-testid=nav-auditlog]')), 'hunyuan: no 操作日志 in the nav');
    await p.goto(url + '/#/auditlog?task=1');
    // The app sends the official elsewhere.
    await expect(p).not.toHaveURL(/auditlog/).catch(() => {});
    await quiet(p);
    const rows = await p.$$('[data-testid=log-row]');
    const table = await p.$('[data-testid=log-table]');
    check(rows.length === 0 && !table && !p.url().includes('auditlog'), `hunyuan: the audit-log page is refused (now at ${p.url().split('#')[1]})`);
    const st = (await p.request.get(url + '/api/audit?entity=task&id=1')).status();
    check(st === 403, `hunyuan: /api/audit is refused (${st})`);
    await p.screenshot({ path: join(shots, 'auditlog-hunyuan-phone.png') });
    check(p.errors.length === 0, `hunyuan: no console errors (${p.errors.join('; ')})`);
    await p.context().close();
  }
});
