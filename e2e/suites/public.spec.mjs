// The public page (/public, issue 16 point 3): no login, on a phone 360 px
// wide. The bureau marks October 2023's report public on the audit page;
// then, without a session, the page shows the fire count by county and the
// map of the rounded fires, the demo's confirmed violator (示例, 停工整改)
// and the published report, in one column, loading no web-app code and
// calling no /api/ route. Last, the page on a throttled phone (1.6 Mbit/s
// down, 150 ms round trip, CPU 4x slower): its bytes on the wire and the
// time to first render go to screenshots/public-perf.json and, by hand,
// docs/PERFORMANCE.md (no bound: the figures depend on the machine).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, quiet, frames, desktop } from '../fixtures.mjs';
import { throttle } from '../lib/throttle.mjs';

const small = { width: 360, height: 740 };
const PHONE_NET = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

test.describe.serial('the public page', () => {
  test('an admin marks October 2023 public on the audit page', async ({ suite: { url, page, login, check } }) => {
    const p = await page(desktop, 'audit: publish the month');
    await login(p, 'admin');
    await p.goto(url + '/#/audit?period=2023-10&by=county');
    const box = p.getByTestId('monthly-public');
    await expect(box).toBeVisible();
    await expect(box).not.toBeChecked();
    await box.check();
    await expect(p.getByTestId('monthly-public-msg')).toHaveText('已公开');
    check(await p.getByTestId('monthly-public-view').isVisible(), 'audit: the published month links to its public copy');
    await p.context().close();
  });

  test('without login on a phone: the warning, the ranking, fires, the map, the violators, the reports', async ({ suite: { url, page, shots, check } }) => {
    const p = await page(small, 'public at 360 px');
    const asked = [];
    p.on('request', (r) => asked.push(r.url()));
    await p.goto(url + '/public');
    await expect(p.locator('h1')).toHaveText('大同市大气污染防治信息公开');
    // The warning section first (the demo issues none: its "none"; an
    // issued one is warnings.spec's), then the month's air ranking.
    await expect(p.locator('section.pub-section').first()).toHaveAttribute('id', 'pub-warning');
    await expect(p.locator('#pub-warning')).toContainText(/当前无重污染天气预警|(蓝|黄|橙|红)色预警 ·/);
    await expect(p.locator('#pub-ranking tbody tr')).toHaveCount(10);
    await expect(p.locator('#pub-ranking h2')).toContainText('区县环境空气质量排名');
    // Its last column is a share of the month's days (93.1%), and its heading says so, as the monthly report's does.
    const [heads, lastCell] = await p.evaluate(() => [[...document.querySelectorAll('#pub-ranking th')].map((th) => th.innerText.replace(/\u200b/g, '')),
      document.querySelector('#pub-ranking tbody tr td:last-child')?.innerText ?? '']);
    check(heads.at(-1) === '优良天数比例' && /%/.test(lastCell), `public: the ranking's ${heads.at(-1)} column holds ${lastCell.split('\n')[0]}`);

    const rows = p.locator('#pub-fires table.pub-fires tbody tr');
    await expect(rows).toHaveCount(10); // Datong's ten counties
    const total = Number(await p.locator('#pub-fires tfoot th.num').textContent());
    const whole = await p.locator('#pub-fires tfoot th').first().textContent();
    check(total > 0 && whole === '全市', `public: ${total} fires in the city (${whole}) over the last 7 days of the demo's clock`);
    await p.locator('#pub-fires .pub-map').scrollIntoViewIfNeeded();
    await expect(p.locator('#pub-fires svg.pub-svg path.county')).toHaveCount(10);
    const dots = await p.locator('#pub-fires svg.pub-svg circle.fire').count();
    check(dots > 0, `public: the map draws ${dots} rounded fire cells over the ten counties`);

    const v = p.locator('#pub-violations li');
    await expect(v.first()).toContainText('停工整改');
    check(/示例/.test(await v.first().textContent()), 'public: the confirmed violator is the demo\'s (示例)');
    const report = p.locator('#pub-reports a', { hasText: '2023年10月' });
    await expect(report).toHaveAttribute('href', 'public/reports/2023-10');

    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    check(width <= small.width, `public: one column at 360 px (page ${width} px wide)`);
    // The report form at 360 px: 查询 on one line (it wrapped a character a line beside the code's
    // box), and the phone number's promise in the text, not cut off at the end of a placeholder.
    const form = await p.evaluate(() => {
      const b = document.querySelector('[data-testid=pr-lookup]'), r = document.createRange();
      r.selectNodeContents(b);
      return { lines: new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size, text: document.querySelector('.pr-form')?.innerText ?? '' };
    });
    check(form.lines === 1 && form.text.includes('不会公开'), `public: 查询 on ${form.lines} line(s); the phone's promise 不会公开 ${form.text.includes('不会公开') ? 'shown' : 'only in a placeholder'}`);
    check(await p.locator('footer a[href="./"]').count() === 1, 'public: the footer links staff to the login');
    await expect(p.locator('footer')).toContainText('卫星火点为遥感监测结果');
    await quiet(p);
    const app = asked.filter((u) => /\/api\/|leaflet|echarts|\/tiles\//.test(u.replace(url + '/public/api/', '')));
    check(app.length === 0, `public: no web-app code or session route loaded (${app.slice(0, 3).join(', ')})`);
    const cookies = await p.context().cookies();
    check(cookies.length === 0, 'public: no session cookie');
    await frames(p);
    await p.screenshot({ path: join(shots, 'public-360.png'), fullPage: true });

    await p.goto(url + '/public/reports/2023-10');
    await expect(p.locator('h1')).toContainText('2023年10月');
    check(await p.locator('#confirmed th', { hasText: '网格' }).count() === 0, 'public report: the confirmed fires without grids');
    // On a phone the page is as wide as the screen: a wide table scrolls on its own, its headings wrap.
    const onPhone = await p.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth,
      cut: [...document.querySelectorAll('th')].filter((th) => th.scrollWidth > th.clientWidth + 1).map((th) => th.innerText) }));
    check(onPhone.page <= onPhone.screen && onPhone.cut.length === 0, `public report at 360 px: the page ${onPhone.page} px wide in ${onPhone.screen}, headings cut: ${onPhone.cut.join(', ') || 'none'}`);
    await p.screenshot({ path: join(shots, 'public-report-360.png') });
    p.allow(/^404 GET .*\/public\/reports\/2023-09$/);
    const r = await p.goto(url + '/public/reports/2023-09');
    check(r.status() === 404, 'public report: a month not published answers 404');
    await p.context().close();
  });

  test('a province\'s hundred counties: the first 15, the rest on a tap', async ({ suite: { url, page, check } }) => {
    const p = await page(small, 'public: a long county list');
    // The city's real answer with 110 counties (invented: 示例县N) added.
    await p.route(/\/public\/api\/fires\?/, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const extra = Array.from({ length: 110 }, (_, i) => ({ county: `示例县${i + 1}`, fires: 1 }));
      await route.fulfill({ response: res, json: { ...body, counties: [...body.counties, ...extra] } });
    });
    await p.goto(url + '/public');
    const rows = p.locator('#pub-fires table.pub-fires tbody tr');
    await expect(rows).toHaveCount(120);
    const shown = () => p.locator('#pub-fires table.pub-fires tbody tr:visible').count();
    const more = p.locator('#pub-fires button.pub-more');
    check(await shown() === 15 && await more.textContent() === '显示全部 120 个区县', `public: 15 of 120 counties at first, then "${await more.textContent()}"`);
    await more.click();
    await expect(more).toHaveCount(0);
    check(await shown() === 120, `public: all 120 counties after the tap (${await shown()})`);
    await p.unroute(/\/public\/api\/fires\?/);
    await p.context().close();
  });

  test('on a throttled phone: bytes and the time to first render', async ({ suite: { url, page, shots, check } }) => {
    const p = await page(small, 'public over a slow phone network', { serviceWorkers: 'block' });
    const cdp = await throttle(p, PHONE_NET, 4);
    const urls = new Map();
    const bytes = { page: 0, data: 0, requests: 0 };
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      bytes.requests++;
      if ((urls.get(e.requestId) ?? '').includes('/public/api/')) bytes.data += e.encodedDataLength;
      else bytes.page += e.encodedDataLength;
    });
    const t0 = Date.now();
    await p.goto(url + '/public', { waitUntil: 'commit' });
    await expect(p.locator('#pub-fires table.pub-fires tbody tr').first()).toBeVisible({ timeout: 60000 });
    const firesTableMs = Date.now() - t0;
    await expect(p.locator('#pub-reports a').first()).toBeVisible({ timeout: 60000 });
    const allSectionsMs = Date.now() - t0;
    await quiet(p, 60000);
    const fcp = await p.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const r = { width: small.width, network: '1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT, CPU 4x', firstContentfulPaintMs: Math.round(fcp),
      firesTableMs, allSectionsMs, pageBytes: bytes.page, dataBytes: bytes.data, requests: bytes.requests };
    writeFileSync(join(shots, 'public-perf.json'), JSON.stringify(r, null, 2) + '\n');
    check(fcp > 0 && firesTableMs > 0, `public over a slow phone network: first paint ${(fcp / 1000).toFixed(2)} s, fires table ${(firesTableMs / 1000).toFixed(2)} s, ` +
      `all sections ${(allSectionsMs / 1000).toFixed(2)} s; page ${(bytes.page / 1024).toFixed(1)} KiB, data ${(bytes.data / 1024).toFixed(1)} KiB on the wire (${bytes.requests} requests)`);
    await p.context().close();
  });
});
