// 工地详情 and the dust chart (issue 15; sitepage, beside the audit's dust.spec): a monitor, an ambient station and
// four hours of minute readings seeded through the public commands
// (lib/dust.mjs, invented: 示例), then the site page on a desk and on a
// phone: the chart with the Datong default's limit line (ambient 60 + 80),
// the ambient line, the flagged values with the legend saying why, the
// exceedance, no video; the monitor popup's link to it.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, textOverlaps } from '../fixtures.mjs';
import { expect } from '@playwright/test';
import { seedDust } from '../lib/dust.mjs';
import { startDemo } from '../lib/demo.mjs';
import { hlsServer } from '../lib/hls.mjs';

test.describe.serial('dust', () => {
  let seeded;
  // The demo's county station hours stop at noon of 30 October while its
  // monitors send on: a site's hours after it cannot be judged against the
  // ambient, and its page says so (it said 本时段无超标 beside PM10 of 300).
  // First: the next test's invented station gives every county an ambient.
  test('a site the rules could not judge says so', async ({ suite: { url, shots, page, login, check, desktop } }) => {
    const p = await page(desktop);
    await login(p, 'admin');
    const ms = (await (await p.request.get(url + '/api/monitors')).json()).items ?? [];
    let site = 0, d = null;
    for (const m of ms.filter((x) => x.site_id && x.kind === 'dust')) {
      d = await (await p.request.get(`${url}/api/sites/${m.site_id}/dust?range=24h`)).json();
      if (d.unjudged?.no_ambient_hours) { site = m.site_id; break; }
    }
    check(site > 0, `dust: a demo site has hours the rules could not judge (${ms.length} monitors looked at)`);
    if (!site) return;
    await p.goto(`${url}/#/site/${site}`);
    await expect(p.getByTestId('dust-chart')).toBeVisible();
    await expect(p.getByTestId('dust-none')).toBeVisible();
    const said = (await p.getByTestId('dust-unjudged').allInnerTexts()).join(' ');
    check(said.includes(`${d.unjudged.no_ambient_hours} 小时缺少区县环境空气数据`), `dust: the page names the hours not judged ("${said}")`);
    check(await p.getByText('本时段无超标').count() === 0, 'dust: 本时段无超标 is not said of a range the rules could not judge whole');
    const head = await p.getByTestId('dust-none').innerText();
    check(head === (d.unjudged.none_judged ? '本时段未能判定是否超标' : '能判定的时段内无超标'), `dust: what was judged is said first ("${head}")`);
    await p.screenshot({ path: join(shots, 'dust-site-unjudged-desktop.png'), fullPage: true });
    await p.context().close();
  });

  test('site page: the chart with its limit line', async ({ suite }) => {
    const { url, shots, page, login, check, pixels, desktop } = suite;
    const p = await page(desktop);
    await login(p, 'admin');
    seeded = await seedDust(suite, p.request);
    check(seeded.stored === 240 && seeded.monitor?.site_id === seeded.site.id, `dust: 240 readings stored on a monitor of site ${seeded.site.id} (${seeded.stored})`);
    // What the page must draw, from the API; when the invented station is the county's only one
    // in the last 24 hours (the demo's station hours stop at noon of 30 October), the Datong
    // default's line is its 60 + 80 = 140 and its AQI 55 (良).
    const api = await (await p.request.get(`${url}/api/sites/${seeded.site.id}/dust?range=24h`)).json();
    const lim = api.limits.find((l) => l.rule === 'datong_default');
    const ownOnly = api.ambient.length > 0 && api.ambient.every((a) => a.source === 'county' && a.stations.length === 1 && a.stations[0].code === 'E2E9A');
    check(!!lim && lim.points.every((x, i) => x.value === api.ambient[i].pm10 + 80), `dust: the limit line is the ambient + 80 each hour (${lim?.points.map((x) => x.value).join(',')})`);
    const lo = Math.min(...lim.points.map((x) => x.value)), hi = Math.max(...lim.points.map((x) => x.value));
    check(!ownOnly || (lo === 140 && hi === 140), `dust: with the invented station alone the limit is 140 (${lo}-${hi})`);
    await p.goto(`${url}/#/site/${seeded.site.id}`);
    const chart = p.getByTestId('dust-chart');
    await expect(chart).toHaveAttribute('data-limit', new RegExp(`datong_default:${lo}-${hi}`));
    const series = (await chart.getAttribute('data-series')).split('|');
    const has = (name) => series.some((x) => x === name || x.startsWith(name + ' · '));
    check(['PM10', 'PM2.5', 'TSP', '标记数据（不计入判定）', '限值：PM10 高于区县环境均值 80'].every(has) && series.some((x) => x.startsWith('区县环境 PM10（')),
      `dust: the chart's series name the factors, the flagged values, the limit and the ambient (${series.join(', ')})`);
    const flagged = api.monitors.reduce((n, m) => n + m.points.filter((x) => Object.values(x.flags ?? {}).some((f) => f !== 'N')).length, 0);
    check(await chart.getAttribute('data-flagged') === String(flagged) && flagged >= 3, `dust: the flagged values drawn apart (${flagged}, 3 of them seeded)`);
    await expect(p.getByTestId('dust-flag-note')).toContainText('仅 N 为正常');
    check(await pixels(p, '[data-testid=dust-chart] svg', 'coloured') > 500, 'dust: the chart is drawn');
    const { words, over } = await textOverlaps(p, '[data-testid=dust-chart]');
    check(words >= 8 && over.length === 0, `dust: the chart's words are not drawn over one another (${words} words; ${over.join('; ')})`);
    await expect(p.getByTestId('site-title')).toHaveText(seeded.site.properties.name);
    // The county's latest hourly AQI in its level's words.
    await expect(p.getByTestId('county-aqi')).toContainText(`AQI ${api.aqi.index.aqi} ${api.aqi.index.level.name}`);
    // The hour is labelled by its end (CNEMC: 18:00 is the mean of 17:00-18:00, Beijing time).
    const bj = (ms) => new Date(ms + 8 * 3600e3).toISOString();
    const end = Date.parse(api.aqi.hour), hour = `${bj(end - 3600e3).slice(5, 10)} ${bj(end - 3600e3).slice(11, 16)}–${bj(end).slice(11, 16)}`;
    const aqiText = await p.getByTestId('county-aqi').innerText();
    check(aqiText.includes(`（${hour}）`), `dust: the AQI's hour is the one that ends at its label ${bj(end).slice(11, 16)} (want ${hour}: "${aqiText}")`);
    check(!ownOnly || api.aqi.index.aqi === 55, `dust: the invented station's hour (PM2.5 30, PM10 60) is AQI 55 (${api.aqi.index.aqi})`);
    // No stream: the snapshot, with its time when the probe has seen it.
    const snap = p.getByTestId('video-snapshot');
    await expect(snap).toBeVisible();
    await expect.poll(() => snap.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await expect(p.getByTestId('site-video')).toContainText('抓拍图片');
    const alarms = await p.getByTestId('dust-alarm').allInnerTexts();
    check(alarms.length === api.alarms.length && api.alarms.every((a, i) => alarms[i].includes(a.detail)), `dust: the exceedances listed as the API judged them (${alarms.join(' / ').replace(/\s+/g, ' ')})`);
    // With the invented station alone: 160, 170, 180 above ambient; the third in one Beijing day alarms (unless the run straddles midnight).
    const sameDay = new Date(seeded.start + 8 * 3600e3).getUTCDate() === new Date(seeded.start + 11 * 3600e3).getUTCDate();
    check(!ownOnly || !sameDay || (alarms.length === 1 && alarms[0].includes('今日第 3 次超标')), 'dust: the third exceeding hour alarms');
    await p.screenshot({ path: join(shots, 'dust-site-desktop.png'), fullPage: true });
    await p.locator('button[data-range="30d"]').click();
    await expect(chart).toHaveAttribute('data-range', '30d');
    // The 30 days hold the demo's station hours too (示例, to noon of 30 October): their county means have decimals.
    await expect(chart).toHaveAttribute('data-limit', /datong_default:\d+(\.\d)?-\d+(\.\d)?$/);
    await p.screenshot({ path: join(shots, 'dust-site-30d-desktop.png'), fullPage: true });
    await p.context().close();
  });

  test('site page on a phone, from the monitor popup', async ({ suite: { url, shots, page, login, check, phone } }) => {
    const p = await page(phone);
    await login(p, 'admin');
    await p.goto(`${url}/#/map?lat=${seeded.monitor.lat}&lon=${seeded.monitor.lon}&z=16`);
    await p.click('.paneltoggle').catch(() => {});
    await p.check('input[data-layer=monitors]');
    await expect(p.locator('.legend, [data-testid=legend]').first()).toContainText('扬尘监测');
    await p.click('.paneltoggle').catch(() => {});
    // the seeded monitor's dot (the demo's fleet has one at this site too, and others off screen)
    const dot = p.locator(`path.monitor-dot[data-mn="${seeded.monitor.mn}"]`);
    await expect(dot).toBeVisible();
    await dot.click({ force: true });
    await p.getByTestId('monitor-site-link').click();
    await expect(p.getByTestId('dust-chart')).toHaveAttribute('data-limit', /datong_default:\d+-\d+/);
    const box = await p.getByTestId('dust-chart').boundingBox();
    check(box.width <= 375 && box.width > 300, `dust: the chart fits the phone (${box.width} px)`);
    const { words, over } = await textOverlaps(p, '[data-testid=dust-chart]');
    check(words >= 8 && over.length === 0, `dust: on the phone the chart's words are not drawn over one another (${words} words; ${over.join('; ')})`);
    await p.screenshot({ path: join(shots, 'dust-site-phone.png'), fullPage: true });
    await p.context().close();
  });

  // The dust task: opened by the alarms of phase 2 (p2: rules checked as
  // readings arrive, a dust_exceedance event and task at the site) from the
  // readings seeded above. Without them no dust task exists and these
  // tests say so and skip: nothing here makes one by hand.
  let task;
  test('dust task on the phone: acknowledged and reported with a finding and a photo', async ({ suite }) => {
    const { url, shots, page, login, check, phone, bin, db, root } = suite;
    const admin = await page(phone, 'admin');
    await login(admin, 'admin');
    const list = async () => (await (await admin.request.get(url + '/api/tasks?class=dust&limit=50')).json()).tasks ?? [];
    const atSite = async () => {
      for (const x of await list()) {
        const d = await (await admin.request.get(`${url}/api/tasks/${x.id}/dust`)).json();
        if (d.site_id === seeded.site.id) return x;
      }
      return null;
    };
    task = await atSite();
    test.skip(!task, 'no dust task at the seeded site: the dust alarms (phase 2, p2) are not in this build');
    await admin.context().close();
    // The supervisor of the task's grid, made with the CLI.
    const pw = join(dirname(db), 'dust-sup.pw');
    writeFileSync(pw, 'skygrid-demo\n');
    execFileSync(bin, ['user', 'add', '--name', 'e2e-dust', '--role', 'supervisor', '--region', task.grid_id, '--password-file', pw, '--db', db]);
    const p = await page(phone, 'supervisor');
    await login(p, 'e2e-dust');
    await p.goto(`${url}/#/tasks/${task.id}`);
    await expect(p.getByTestId('dust-task-site')).toHaveText(seeded.site.properties.name);
    await expect(p.getByTestId('dust-chart')).toHaveAttribute('data-limit', /datong_default:\d+-\d+/);
    // What the task is about, first: the alarm's rule, its device and when (a silent device's task said none of it).
    const alarms = (await p.getByTestId('dust-task-alarms').innerText().catch(() => '')).replace(/\s+/g, ' ');
    check(/^大同默认：.* · (.*（[0-9A-Za-z-]+）|设备 [0-9A-Za-z-]+) · \d\d-\d\d \d\d:\d\d/.test(alarms), `dust task: its alarm with the device and the time (${alarms})`);
    const exceed = await p.getByTestId('dust-task-exceed').innerText();
    check(/高于区县环境均值 \d+ µg\/m³ 达 \d+ µg\/m³，超过限值 80 µg\/m³/.test(exceed), `dust task: what exceeded, in Chinese (${exceed.replace(/\s+/g, ' ')})`);
    const { words, over } = await textOverlaps(p, '[data-testid=dust-chart]');
    check(words >= 8 && over.length === 0, `dust task: on the phone the chart's words are not drawn over one another (${words} words; ${over.join('; ')})`);
    await p.screenshot({ path: join(shots, 'dust-task-phone.png'), fullPage: true });
    if (await p.getByTestId('ack').count()) {
      await p.getByTestId('ack').click();
      await expect(p.getByTestId('ack')).toHaveCount(0);
    }
    const findings = await p.$$eval('[data-testid=finding] input', (xs) => xs.map((x) => x.value));
    check(findings.join(',') === 'rectified,stop_work,device_fault,false_alarm,not_found', `dust task: the dust findings offered (${findings})`);
    await p.check('[data-testid=finding-rectified]');
    await p.fill('[data-testid=notes]', '已洒水降尘，裸土已覆盖（示例）');
    await p.setInputFiles('[data-testid=photos]', join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg'));
    await p.click('[data-testid=report-submit]');
    await expect(p.locator('.taskpage .badge.s-reported')).toBeVisible();
    await p.screenshot({ path: join(shots, 'dust-task-reported-phone.png'), fullPage: true });
    await p.context().close();
  });

  test('扬尘告警: the officials\' list and the review with the readings since the alarm', async ({ suite: { url, shots, page, login, check, desktop } }) => {
    test.skip(!task, 'no dust task (see the test before)');
    const p = await page(desktop);
    await login(p, 'admin');
    await p.goto(`${url}/#/tasks`);
    await p.getByTestId('tab-dust').click();
    await expect(p.getByTestId('tab-dust')).toHaveAttribute('aria-pressed', 'true');
    const row = p.locator(`[data-testid=task-item][data-id="${task.id}"]`);
    await expect(row.getByTestId('task-dust')).toContainText(`${seeded.site.properties.name} · `);
    await p.screenshot({ path: join(shots, 'dust-alarms-desktop.png') });
    await p.goto(`${url}/#/tasks/${task.id}`);
    await expect(p.getByTestId('dust-chart')).toHaveAttribute('data-limit', /datong_default:\d+-\d+/);
    await expect(p.getByTestId('review-photo').first()).toBeVisible();
    // The chart's heading gives the hours it shows (it said 24 小时 over two and a half).
    const dust = await (await p.request.get(`${url}/api/tasks/${task.id}/dust`)).json();
    const bjt = (v) => new Date(Date.parse(v) + 8 * 3600e3).toISOString().slice(5, 16).replace('T', ' ');
    // The time axis names each tick once (minutes after an alarm gave 17:30 17:30 17:31).
    const ticks = await p.$$eval('[data-testid=dust-chart] svg text', (ts) => ts.map((x) => ({ s: x.textContent.trim(), x: x.getBoundingClientRect().x }))
      .filter((x) => /^\d\d:\d\d$/.test(x.s)).sort((a, b) => a.x - b.x).map((x) => x.s));
    check(ticks.length >= 2 && ticks.every((x, i) => i === 0 || x !== ticks[i - 1]), `扬尘告警: the chart's time labels are each named once (${ticks.join(' ')})`);
    const heading = await p.locator('[data-testid=dust-task] h3').first().innerText();
    check(heading.includes(bjt(dust.from)) && heading.includes(bjt(dust.to).slice(6)) && !heading.includes('24 小时'),
      `扬尘告警: the chart's heading gives its hours (${heading}; the API's ${bjt(dust.from)} to ${bjt(dust.to)})`);
    // A site's task is judged against the site and its alarm: no fire, no satellite (the photo's flags, the map's pin).
    const words = await p.locator('main').innerText();
    check(!/火点|卫星/.test(words), `扬尘告警: the review speaks of the site, not of a fire (${(words.match(/[^\n]*(火点|卫星)[^\n]*/g) ?? []).join(' | ')})`);
    await p.screenshot({ path: join(shots, 'dust-review-desktop.png'), fullPage: true });
    await p.context().close();
  });

  // A second demo whose [server] video_origins names the camera platform:
  // the CSP lets the page play its stream.
  test('video: the monitor\'s HLS stream plays on the site page', async ({ suite: { shots, page, check, desktop, bin } }) => {
    const cam = await hlsServer();
    const demo = await startDemo(["--set", `server.video_origins=["${cam.origin}"]`]);
    try {
      const p = await page(desktop, 'video');
      await p.goto(demo.url + '/#/login');
      await p.fill('[data-testid=login-name]', 'admin');
      await p.fill('[data-testid=login-password]', 'skygrid-demo');
      await p.click('[data-testid=login-submit]');
      await expect(p.getByTestId('logout')).toBeVisible();
      const s = await seedDust({ url: demo.url, bin, db: demo.db }, p.request, 'E2EVIDEO', cam.url);
      await p.goto(`${demo.url}/#/site/${s.site.id}`);
      const v = p.getByTestId('video-player');
      await expect(v).toBeVisible();
      await v.evaluate((el) => el.play());
      await expect.poll(() => v.evaluate((el) => el.currentTime), { timeout: 15000 }).toBeGreaterThan(0.5);
      const size = await v.evaluate((el) => [el.videoWidth, el.videoHeight]);
      check(size[0] === 320 && size[1] === 180, `video: the stream plays (${size.join('×')})`);
      await v.evaluate((el) => el.pause());
      await v.scrollIntoViewIfNeeded();
      await p.screenshot({ path: join(shots, 'dust-video-desktop.png') });
      await p.context().close();
    } finally {
      demo.proc.kill();
      rmSync(demo.dir, { recursive: true, force: true });
      cam.close();
    }
  });
});
