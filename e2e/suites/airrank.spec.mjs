// The counties' air-quality ranking (HJ 663-2013, issue 16): the audit
// page's tab beside the straw-burning ranking, as the auditor on a desk
// and an official on a phone, and the public page's section without a
// login on a phone; the figures equal GET /api/air/ranking's, the demo's
// invented hours (示例) said so, the estimated counties starred with their
// stations; the monthly report carries the same ranking.
import { join } from 'node:path';
import { test, expect, quiet, desktop, phone } from '../fixtures.mjs';

const fmtIndex = (v) => (v === null ? '—' : v.toFixed(2));

test('airrank: the audit page shows both rankings', async ({ suite: { url, shots, page, login, check } }) => {
  const p = await page(desktop);
  await login(p, 'nongye');
  const api = await (await p.request.get(url + '/api/air/ranking?month=2023-10')).json();
  check(api.month === '2023-10' && api.demo === true && api.counties.length === 10 && api.counties.every((c) => c.rank > 0),
    `airrank: the demo ranks all 10 counties in October 2023, said to be demo data (${api.counties.map((c) => c.rank).join(',')})`);
  await p.goto(url + '/#/audit?period=2023-10&by=county');
  const card = p.locator('[data-testid=air-ranking]');
  // The straw-burning ranking shows first, as before; the air-quality one is the next tab.
  await expect(p.locator('[data-testid=ranking-row]').first()).toBeVisible({ timeout: 20000 });
  await expect(card.locator('[data-testid=air-row]')).toHaveCount(api.counties.length, { timeout: 20000 });
  check(await card.isHidden(), 'airrank: the air tab waits behind the straw-burning one');
  await p.getByTestId('tab-air').click();
  await expect(card).toBeVisible();
  check(await p.locator('[data-testid=ranking-table]').isHidden() && await p.getByTestId('tab-air').getAttribute('aria-selected') === 'true',
    'airrank: its tab shows the air ranking in the straw ranking\'s place');
  await quiet(p);
  const rows = await card.locator('[data-testid=air-row]').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  const want = api.counties.map((c) => [String(c.rank), c.county_name, fmtIndex(c.index)]);
  const bad = rows.filter((r, i) => !(r[0].startsWith(want[i][0]) && r[1].startsWith(want[i][1]) && r[2] === want[i][2]));
  check(bad.length === 0, `airrank: rank, county and index by row as the API's (${bad.map((r) => r.slice(0, 3).join(' ')).join('; ')})`);
  const est = api.counties.filter((c) => c.estimated).map((c) => c.county_name);
  const starred = rows.filter((r) => r[1].includes('*估算')).map((r) => r[1].replace(/\s*\*估算$/, ''));
  check(est.length === 3 && est.every((n) => starred.includes(n)) && starred.length === est.length,
    `airrank: the estimated counties are starred (${starred.join(',')}; API ${est.join(',')})`);
  const notes = await card.locator('[data-testid=air-notes] li').allTextContents();
  check(est.every((n) => notes.some((x) => x.startsWith(n + '：') && x.includes('估算') && x.includes('果树场'))),
    `airrank: each estimated county names its stations (${notes.length} notes)`);
  const heads = await card.locator('thead th').allTextContents();
  check(heads.join(',') === '名次,区县,综合指数,PM2.5（µg/m³）,PM10（µg/m³）,优良天数比例,环比,同比', `airrank: Chinese headers (${heads.join(',')})`);
  check(await card.getByTestId('air-demo').textContent() === '示例数据', 'airrank: the card says its figures are demo data');
  const [sw, cw] = await card.locator('.tablewrap').evaluate((e) => [e.scrollWidth, e.clientWidth]);
  check(sw <= cw, `airrank: the whole table shows on a desk, no scrolling (${sw} in ${cw} px)`);
  await p.locator('.ranks').screenshot({ path: join(shots, 'airrank-audit-desktop.png') });
  // The monthly report carries the same ranking.
  const monthly = await (await p.request.get(url + '/api/reports/monthly?month=2023-10')).text();
  const first = api.counties[0];
  check(monthly.includes('环境空气质量排名') && monthly.includes(`<td class="center">1</td><td class="center">${first.county_name}${first.estimated ? '*' : ''}</td><td class="num">${fmtIndex(first.index)}</td>`),
    `airrank: the monthly report ranks ${first.county_name} first at ${fmtIndex(first.index)}`);
});

test('airrank: an official on a phone sees the city ranking', async ({ suite: { url, shots, page, login, check } }) => {
  const p = await page(phone);
  await login(p, 'hunyuan');
  await p.goto(url + '/#/audit?period=2023-10&by=county');
  const card = p.locator('[data-testid=air-ranking]');
  await expect(card.locator('[data-testid=air-row]')).toHaveCount(10, { timeout: 20000 });
  await expect(p.locator('[data-testid=own-county]')).toBeVisible({ timeout: 20000 });
  await p.getByTestId('tab-air').click();
  await expect(card).toBeVisible();
  await quiet(p);
  const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(over <= 1, `airrank: the official's page fits the phone (overflow ${over}px)`);
  const mine = await card.locator('[data-county="140225"] td').first().textContent();
  check(/^\d+/.test(mine), `airrank: 浑源县 has its rank among the city's (${mine})`);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(shots, 'airrank-audit-phone.png') });
});

test('airrank: the public page\'s ranking on a phone, no login', async ({ suite: { url, shots, page, check } }) => {
  const p = await page(phone, 'the public page');
  const api = await (await p.request.get(url + '/public/api/ranking')).json();
  check(api.month === '2023-10' && api.counties.length === 10, `airrank: /public/api/ranking without a login answers ${api.month}, ${api.counties?.length} counties`);
  const body = JSON.stringify(api);
  check(!/phone|supervisor|user|password|token/i.test(body), 'airrank: the public answer holds nothing personal');
  await p.goto(url + '/public');
  const sec = p.locator('#pub-ranking');
  await expect(sec.locator('tbody tr')).toHaveCount(10, { timeout: 20000 });
  await quiet(p);
  check(await sec.locator('h2').textContent() === '区县环境空气质量排名 2023年10月示例数据', `airrank: the section's title says the month and demo (${await sec.locator('h2').textContent()})`);
  const rows = await sec.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  const bad = rows.filter((r, i) => {
    const c = api.counties[i];
    return !(r[0] === String(c.rank) && r[1].replace(/\*$/, '') === c.county_name && r[2].startsWith(fmtIndex(c.index)));
  });
  check(bad.length === 0, `airrank: public rows as the API's (${bad.map((r) => r.join(' ')).join('; ')})`);
  const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const table = await sec.locator('table').boundingBox();
  check(over <= 1 && table && table.width <= phone.width, `airrank: the table fits a ${phone.width} px phone (overflow ${over}px, table ${Math.round(table?.width)} px)`);
  // At 360 px the headers wrap between words, never inside one (it read 排/名, 综合指/数).
  await p.setViewportSize({ width: 360, height: phone.height });
  const heads = await sec.locator('thead th').evaluateAll((ths) => ths.map((th) => {
    const r = document.createRange();
    const lines = [];
    for (const n of th.childNodes) {
      if (n.nodeType !== 3) continue;
      for (let i = 0; i < n.length; i++) {
        r.setStart(n, i); r.setEnd(n, i + 1);
        const top = Math.round(r.getBoundingClientRect().top);
        if (lines.length === 0 || lines[lines.length - 1].top !== top) lines.push({ top, s: '' });
        lines[lines.length - 1].s += n.data[i];
      }
    }
    return lines.map((l) => l.s.replace(/\u200b/g, '')).join('/');
  }));
  const allowed = ['排名', '区县', '综合指数', '综合/指数', 'PM2.5', '优良天数比例', '优良天数/比例'];
  check(heads.length === 5 && heads.every((x) => allowed.includes(x)), `airrank: the headers break between words at 360 px (${heads.join(' | ')})`);
  await p.setViewportSize(phone);
  const cookies = await p.context().cookies();
  check(cookies.length === 0, `airrank: the public page set no cookie (${cookies.map((c) => c.name).join(',')})`);
  await sec.screenshot({ path: join(shots, 'airrank-public-phone.png') });
});
