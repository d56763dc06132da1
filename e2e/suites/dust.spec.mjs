// 统计审计 · 扬尘监测: two dust monitors imported with the CLI onto demo
// construction sites (invented devices, 示例), then the audit page's dust
// section as the auditor: the figures, the bar chart of exceedance hours
// by county, the counties with their total, the sites with most alarms
// and each monitor's data capture, all equal to GET /api/stats's dust
// field, in Chinese.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect, quiet, desktop, pixels, textOverlaps } from '../fixtures.mjs';

test('dust: the audit page\'s 扬尘监测 section', async ({ suite: { url, shots, page, login, check, bin, db } }) => {
  const p = await page(desktop);
  await login(p, 'admin');
  const sites = (await (await p.request.get(url + '/api/sites?kind=construction&limit=2')).json()).features;
  const centre = (f) => [(f.bbox[0] + f.bbox[2]) / 2, (f.bbox[1] + f.bbox[3]) / 2];
  const csv = ['设备编号,访问密码,名称,经度,纬度', ...sites.map((f, i) => `DSTAT${i},123456,示例扬尘统计仪${i},${centre(f)[0].toFixed(6)},${centre(f)[1].toFixed(6)}`)].join('\n');
  const file = join(dirname(db), 'dust-e2e.csv');
  writeFileSync(file, csv + '\n');
  execFileSync(bin, ['import', 'monitors', file, '--db', db]);
  await p.context().close();

  const a = await page(desktop);
  await login(a, 'nongye');
  const st = await (await a.request.get(url + '/api/stats?period=2023-10&by=county')).json();
  check(!!st.dust && st.dust.monitors.some((m) => m.mn === 'DSTAT0'), `dust: GET /api/stats has the dust field with the new monitors (${st.dust?.monitors?.length})`);
  await a.goto(url + '/#/audit?period=2023-10&by=county');
  const card = a.locator('[data-testid=dust]');
  await expect(card.locator('h2')).toHaveText('扬尘监测', { timeout: 20000 });
  await expect(card.locator('[data-testid=dust-county-row]')).toHaveCount(st.dust.counties.length, { timeout: 20000 });
  await expect(card.locator('[data-testid=chart-dust-hours] svg')).toHaveCount(1);
  await expect.poll(() => pixels(a, '[data-testid=chart-dust-hours] svg', 'inked'), { timeout: 10000 }).toBeGreaterThan(200);
  await quiet(a);
  const { words, over } = await textOverlaps(a, '[data-testid=chart-dust-hours]');
  check(words >= 8 && over.length === 0, `dust: the hours chart's words are not drawn over one another (${words} words; ${over.join('; ')})`);
  const figs = Object.fromEntries(await a.$$eval('[data-testid^=dust-fig-]', (els) => els.map((e) => [e.dataset.testid.slice(9), e.querySelector('.v').textContent])));
  const total = st.dust.total;
  check(figs.alarms === String(total.alarms) && figs.hours === String(total.exceedance_hours) && figs.days === String(total.exceedance_days) &&
    figs.offline === `${total.offline_now} / ${total.monitors}`, `dust: the figures equal the API's (${JSON.stringify(figs)})`);
  const heads = await card.locator('[data-testid=dust-counties] thead th').allTextContents();
  check(heads.join(',') === '区县,监测设备,报警次数,超标小时数,超标站点小时数,超标天数,数据获取率,当前离线,离线小时数', `dust: Chinese county headers (${heads.join(',')})`);
  const rows = await card.locator('[data-testid=dust-county-row] th').allTextContents();
  check(rows.join(',') === st.dust.counties.map((c) => c.region_name || c.region_id).join(','), `dust: a row per county of the API (${rows.join(',')})`);
  const totalRow = await card.locator('[data-testid=dust-counties-total] > *').allTextContents();
  check(totalRow[0] === '合计' && totalRow[1] === String(total.monitors) && totalRow[3] === String(total.exceedance_hours), `dust: the total row (${totalRow.join(',')})`);
  const mons = await card.locator('[data-testid=dust-monitor-row]').allInnerTexts();
  check(mons.length === st.dust.monitors.length && mons.some((r) => r.includes('DSTAT0') && r.includes('示例扬尘统计仪0')), `dust: each monitor's capture (${mons.length} rows)`);
  const sitesShown = await card.locator('[data-testid=dust-site-row]').count();
  check(st.dust.top_sites.length ? sitesShown === st.dust.top_sites.length : await card.locator('[data-testid=dust-nosites]').isVisible(),
    `dust: the sites with most alarms, or that there were none (${sitesShown} of ${st.dust.top_sites.length})`);
  const dl = await a.locator('[data-testid=export-dust-csv]').getAttribute('href');
  const csvText = (await (await a.request.get(url + dl)).text()).replace(/^\ufeff/, '');
  const csvTotal = csvText.trim().split(/\r?\n/).map((l) => l.split(',')).find((r) => r[1] === '合计') ?? [];
  check(csvTotal[2] === String(total.monitors) && csvTotal[4] === String(total.exceedance_hours), `dust: the dust CSV's total equals the page's (${csvTotal.join(',')})`);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(shots, 'audit-dust-desktop.png') });
  check(a.errors.length === 0, `dust: no console errors (${a.errors.join('; ')})`);
  await a.context().close();
});
