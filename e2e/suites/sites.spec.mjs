// The registries (台账): each kind's own columns in Chinese, the
// violations filter, and a row's link to the map.
import { join } from 'node:path';
import { test, frames, slowNetwork } from '../fixtures.mjs';

for (const [w, vp] of [['desktop', { width: 1366, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
  test(`sites ${w}: the registries`, async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(vp);
    await login(p, 'admin');
    await p.goto(url + '/#/sites');
    await p.waitForSelector('[data-testid=site-row]', { timeout: 15000 });
    const api = await (await p.request.get(url + '/api/sites?kind=construction&limit=1000')).json();
    const heads = await p.$$eval('[data-testid=site-table] th', (ths) => ths.map((th) => th.textContent));
    const rows = await p.$$eval('[data-testid=site-row]', (trs) => trs.map((tr) => tr.innerText));
    check(heads.includes('视频监控') && heads.includes('施工许可证') && heads.includes('面积'), `sites ${w}: construction columns (${heads.join(',')})`);
    check(rows.length === api.features.length && rows.some((r) => r.includes('未安装')) && !rows.some((r) => /\tno\t|\tyes\t/.test(r)),
      `sites ${w}: ${rows.length} construction sites (API ${api.features.length}), video in Chinese`);
    // Each site's county (from the API), areas in one unit, the dates.
    const cells = await p.$$eval('[data-testid=site-row]', (trs) => trs.map((tr) => [...tr.children].map((td) => td.innerText.trim())));
    const col = (name) => heads.indexOf(name);
    const byId = new Map(api.features.map((f) => [f.properties.external_id, f.properties]));
    const wrongCounty = cells.filter((c) => byId.get(c[0])?.county_name !== c[col('所在区县')] || !c[col('所在区县')]);
    check(col('所在区县') > 0 && wrongCounty.length === 0, `sites ${w}: every site's county as the API has it (${wrongCounty.length} differ: ${wrongCounty[0]?.slice(0, 3)})`);
    const areas = cells.map((c) => c[col('面积')]);
    check(areas.every((a) => /^\d{1,3}(,\d{3})* m²$/.test(a)) && areas.some((a) => a.includes(',')), `sites ${w}: areas in m² with thousands separators (${areas.slice(0, 3).join(' | ')})`);
    check(cells.every((c) => /^\d{4}-\d{2}-\d{2}$/.test(c[col('开工日期')]) && /^\d{4}-\d{2}-\d{2}$/.test(c[col('计划完工')])), `sites ${w}: start and end dates shown`);
    // The export: this filter, a CSV for Excel with the same sites.
    const href = await p.getAttribute('[data-testid=site-export]', 'href');
    const csv = await (await p.request.get(new URL(href, url + '/').href)).body();
    const lines = csv.toString('utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
    check(csv[0] === 0xef && csv[1] === 0xbb && csv[2] === 0xbf && lines[0].startsWith('编号,名称,类型,所在区县,面积（m²）') && lines.length - 1 === rows.length && /kind=construction/.test(href),
      `sites ${w}: the export is this list as a CSV with a BOM and Chinese headers (${lines.length - 1} rows, ${href})`);
    await p.screenshot({ path: join(shots, `sites-construction-${w}.png`) });
    await p.check('[data-testid=site-violation]');
    // The filtered list is drawn: some rows, fewer than all (not the loading row).
    await p.waitForFunction((n) => { const k = document.querySelectorAll('[data-testid=site-row]').length; return k > 0 && k < n; }, rows.length, { timeout: 10000 }).catch(() => {});
    const [shown, bad] = await p.$$eval('[data-testid=site-row]', (trs) => [trs.length, trs.filter((tr) => tr.classList.contains('bad')).length]);
    const vhref = await p.getAttribute('[data-testid=site-export]', 'href');
    const vlines = (await (await p.request.get(new URL(vhref, url + '/').href)).text()).trim().split(/\r?\n/);
    check(/violation=true/.test(vhref) && vlines.length - 1 === shown, `sites ${w}: the export follows the violations filter (${vlines.length - 1} rows, ${shown} shown)`);
    const apiBad = api.features.filter((f) => f.properties.violation).length;
    check(shown === apiBad && bad === apiBad && apiBad > 0, `sites ${w}: violations only shows the ${apiBad} breaking a rule (${shown})`);
    // The answer for the filter left behind comes late (a slow network):
    // it must not be drawn over the stockpiles asked for after it.
    const late = /\/api\/sites\?kind=construction/;
    await p.route(late, slowNetwork(1500));
    const slow = p.waitForResponse(late);
    await p.uncheck('[data-testid=site-violation]');
    await p.selectOption('[data-testid=site-kind]', 'stockpile');
    await (await slow).finished();
    // The page has had the late answer (its JSON read and any redraw: two frames).
    await frames(p);
    await p.unroute(late);
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=site-table] th')].some((th) => th.textContent === '抑尘措施'), null, { timeout: 10000 }).catch(() => {});
    const pile = await p.$$eval('[data-testid=site-row]', (trs) => trs.map((tr) => tr.innerText));
    check(pile.length > 0 && pile.some((r) => /煤|矿石|砂石/.test(r)) && pile.some((r) => /苫盖|喷淋|封闭|无/.test(r)), `sites ${w}: stockpiles with material and dust suppression in Chinese (${pile[0]})`);
    await p.screenshot({ path: join(shots, `sites-stockpile-${w}.png`) });
    // Nothing found says so, in the table (a bare header and 共 0 处 said nothing).
    await p.fill('.pagehead input[type=search]', '没有这个名字');
    const none = await p.locator('[data-testid=site-none]').innerText({ timeout: 5000 }).catch(() => '(no line)');
    check(none.includes('没有') && none.includes('没有这个名字'), `sites ${w}: a filter that finds nothing says so ("${none}")`);
    await p.fill('.pagehead input[type=search]', '');
    // A row's map link centres the map on it.
    // (The row's number opens the site page, 工地详情.)
    const details = await p.getAttribute('[data-testid=site-row] >> nth=0 >> [data-testid=site-details]', 'href');
    check(/^#\/site\/\d+$/.test(details), `sites ${w}: a row's number opens its site page (${details})`);
    await p.click('[data-testid=site-row] >> nth=0 >> a[href^="#/map"]');
    await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 15000 }).catch(() => {});
    check(/#\/map\?lat=/.test(p.url()), `sites ${w}: a row links to the map (${p.url().split('#')[1]})`);
    check(p.errors.length === 0, `sites ${w}: no console errors (${p.errors.join('; ')})`);
    await p.context().close();
  });
}
