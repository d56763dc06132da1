// 工地详情 and the dust chart (issue 15): a monitor, an ambient station and
// four hours of minute readings seeded through the public commands
// (lib/dust.mjs, invented: 示例), then the site page on a desk and on a
// phone: the chart with the Datong default's limit line (ambient 60 + 80),
// the ambient line, the flagged values with the legend saying why, the
// exceedance, no video; the monitor popup's link to it.
import { join } from 'node:path';
import { test } from '../fixtures.mjs';
import { expect } from '@playwright/test';
import { seedDust } from '../lib/dust.mjs';

test.describe.serial('dust', () => {
  let seeded;
  test('site page: the chart with its limit line', async ({ suite }) => {
    const { url, shots, page, login, check, pixels, desktop } = suite;
    const p = await page(desktop);
    await login(p, 'admin');
    seeded = await seedDust(suite, p.request);
    check(seeded.stored === 240 && seeded.monitor?.site_id === seeded.site.id, `dust: 240 readings stored on a monitor of site ${seeded.site.id} (${seeded.stored})`);
    await p.goto(`${url}/#/site/${seeded.site.id}`);
    const chart = p.getByTestId('dust-chart');
    await expect(chart).toHaveAttribute('data-limit', /datong_default:140-140/);
    const series = (await chart.getAttribute('data-series')).split('|');
    check(['PM10', 'PM2.5', 'TSP', '标记数据（不计入判定）', '限值：PM10 高于区县环境均值 80', '区县环境 PM10（本区县国控/省控站均值）'].every((s) => series.includes(s)) ||
      series.includes('区县环境 PM10（邻近站点均值）'), `dust: the chart's series name the factors, the flagged values, the limit and the ambient (${series.join(', ')})`);
    check(await chart.getAttribute('data-flagged') === '3', 'dust: three flagged values drawn apart');
    await expect(p.getByTestId('dust-flag-note')).toContainText('仅 N 为正常');
    check(await pixels(p, '[data-testid=dust-chart] canvas', 'coloured') > 500, 'dust: the chart is drawn');
    await expect(p.getByTestId('site-title')).toHaveText(seeded.site.properties.name);
    await expect(p.getByTestId('video-none')).toHaveText('无视频');
    const alarms = await p.getByTestId('dust-alarm').allInnerTexts();
    // The third exceeding hour of a Beijing day alarms: all three fall in one day unless the run straddles midnight.
    const sameDay = new Date(seeded.start + 8 * 3600e3).getUTCDate() === new Date(seeded.start + 11 * 3600e3).getUTCDate();
    check(!sameDay || (alarms.length === 1 && alarms[0].includes('今日第 3 次超标')), `dust: the third exceeding hour is listed (${alarms.join(' / ').replace(/\s+/g, ' ')})`);
    await p.screenshot({ path: join(shots, 'dust-site-desktop.png'), fullPage: true });
    await p.locator('button[data-range="30d"]').click();
    await expect(chart).toHaveAttribute('data-range', '30d');
    await expect(chart).toHaveAttribute('data-limit', /datong_default:140-140/);
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
    const dot = p.locator('path.monitor-dot').first();
    await expect(dot).toBeVisible();
    await dot.click({ force: true });
    await p.getByTestId('monitor-site-link').click();
    await expect(p.getByTestId('dust-chart')).toHaveAttribute('data-limit', /datong_default:140-140/);
    const box = await p.getByTestId('dust-chart').boundingBox();
    check(box.width <= 375 && box.width > 300, `dust: the chart fits the phone (${box.width} px)`);
    await p.screenshot({ path: join(shots, 'dust-site-phone.png'), fullPage: true });
    await p.context().close();
  });
});
