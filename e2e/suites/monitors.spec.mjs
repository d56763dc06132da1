// 扬尘监测: monitors imported with the CLI onto the demo's construction
// sites (invented devices, 示例), readings posted to POST /api/readings
// with an admin's API token, then the map's monitors layer (dots in the
// HJ 633 colours, a popup with the device number, site and PM10) and the
// registry page's list.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from '../fixtures.mjs';

test('monitors: the 扬尘监测 layer and the registry list', async ({ suite: { url, shots, page, login, check, bin, db } }) => {
  const p = await page({ width: 1366, height: 800 });
  await login(p, 'admin');
  const sites = (await (await p.request.get(url + '/api/sites?kind=construction&limit=3')).json()).features;
  check(sites.length === 3, `monitors: three demo construction sites to stand on (${sites.length})`);
  // Each monitor at its site's bounds' centre: the import finds the site by its polygon.
  const centre = (f) => [(f.bbox[0] + f.bbox[2]) / 2, (f.bbox[1] + f.bbox[3]) / 2];
  const csv = ['设备编号,访问密码,名称,经度,纬度', ...sites.map((f, i) => `E2E${i},123456,示例监测仪${i},${centre(f)[0].toFixed(6)},${centre(f)[1].toFixed(6)}`)].join('\n');
  const file = join(dirname(db), 'monitors-e2e.csv');
  writeFileSync(file, csv + '\n');
  const out = execFileSync(bin, ['import', 'monitors', file, '--db', db]).toString();
  check(/imported 3 monitors \(3 new, 0 updated\), 3 on a site/.test(out), `monitors: imported onto the sites (${out.trim()})`);
  // The last hour's PM10: 良 (120), 重度 (400), and the third silent (grey).
  const token = execFileSync(bin, ['token', 'create', '--user', 'admin', '--name', '示例读数', '--db', db]).toString().trim();
  // Ten minutes before the server's clock (the demo's runs in October 2023):
  // a reading dated ahead of it is not a monitor's latest.
  const clock = Date.parse((await (await p.request.get(url + '/api/me')).json()).now);
  const at = new Date(clock - 10 * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  const body = [{ mn: 'E2E0', at, values: { pm10: 120 } }, { mn: 'E2E1', at, values: { a34002: 0.4 } }, { mn: 'NOPE', at, values: { pm10: 1 } }];
  const res = await (await fetch(url + '/api/readings', { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();
  check(res.stored === 2 && res.refused.length === 1 && res.refused[0].field === 'mn', `monitors: readings stored, the unknown device refused (${JSON.stringify(res)})`);
  // The map: turn the layer on: a dot for every monitor (the demo's fleet
  // too), each in its level's colour; ours in those of 良, 重度 and grey.
  const sums = await (await p.request.get(url + '/api/monitors')).json();
  await p.goto(url + '/#/map');
  // At 1366 px the layers panel is open (its toggle is a phone's: a click on
  // it here waited its 30 s for a button that is not shown).
  await p.check('input[data-layer=monitors]');
  await p.waitForFunction((n) => document.querySelectorAll('path.monitor-dot').length === n, sums.items.length, { timeout: 15000 });
  const fills = await p.$$eval('path.monitor-dot', (ps) => ps.map((x) => x.getAttribute('fill')).sort());
  // (the demo's fleet keeps sending: a colour may change while we look, so each is checked to be a level's)
  const levels = ['#9ca3af', '#00e400', '#ffff00', '#ff7e00', '#ff0000', '#99004c', '#7e0023'];
  check(fills.every((f) => levels.includes(f)), `monitors: each dot in an HJ 633 level's colour or grey (${[...new Set(fills)]})`);
  const ours = await p.$$eval('path.monitor-dot[data-mn^=E2E]', (ps) => ps.map((x) => `${x.dataset.mn} ${x.getAttribute('fill')}`).sort());
  check(JSON.stringify(ours) === JSON.stringify(['E2E0 #ffff00', 'E2E1 #99004c', 'E2E2 #9ca3af']), `monitors: our dots in the HJ 633 colours of 良, 重度 and grey (${ours})`);
  const m0 = sums.items.find((m) => m.mn === 'E2E0');
  await p.locator('path.monitor-dot[data-mn=E2E0]').click({ force: true });
  const popup = await p.waitForSelector('[data-testid=monitor-popup]', { timeout: 10000 });
  const text = await popup.innerText();
  check(text.includes('E2E0') && text.includes('120 µg/m³ · 良') && text.includes(m0.site_name), `monitors: the popup names the device, its site and PM10 (${text.replace(/\s+/g, ' ')})`);
  await p.screenshot({ path: join(shots, 'monitors-map-desktop.png') });
  // The registry page lists them, in Chinese.
  await p.goto(url + '/#/sites');
  await p.waitForFunction((n) => document.querySelectorAll('[data-testid=monitor-row]').length === n, sums.items.length, { timeout: 15000 });
  const rows = await p.$$eval('[data-testid=monitor-row]', (trs) => trs.map((tr) => tr.innerText));
  check(rows.some((r) => r.includes('E2E1') && r.includes('400 µg/m³ · 重度污染')) && rows.some((r) => r.includes('E2E2') && r.includes('近 2 小时无数据')),
    `monitors: the registry lists the monitors with their PM10 (${rows.join(' | ').replace(/\s+/g, ' ')})`);
  // Each says whether it is heard: on line, or never heard (a silent one said nothing for 2 hours).
  const state = async (mn) => (await p.locator('[data-testid=monitor-row]', { hasText: mn }).getByTestId('monitor-state').innerText()).trim();
  const states = [await state('E2E0'), await state('E2E2')];
  check(states[0] === '在线' && states[1] === '未接入（无数据）', `monitors: the registry says which monitors are heard (${states.join(', ')})`);
  await p.locator('[data-testid=monitor-table]').scrollIntoViewIfNeeded();
  await p.screenshot({ path: join(shots, 'monitors-registry-desktop.png') });
  check(p.errors.length === 0, `monitors: no console errors (${p.errors.join('; ')})`);
  await p.context().close();
});
