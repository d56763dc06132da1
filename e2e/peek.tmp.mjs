import { chromium } from 'playwright-core';
const url = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
for (const [w, vp] of [['desktop', { width: 1366, height: 850 }], ['phone', { width: 375, height: 740 }]]) {
  const ctx = await browser.newContext({ viewport: vp, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const p = await ctx.newPage();
  p.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
  p.on('response', (r) => { if (r.status() >= 400) console.log(r.status(), r.url()); });
  await p.goto(url + '/#/login');
  await p.fill('[data-testid=login-name]', process.argv[3] || 'hunyuan');
  await p.fill('[data-testid=login-password]', 'skygrid-demo');
  await p.click('[data-testid=login-submit]');
  await p.waitForSelector('[data-testid=logout]');
  await p.goto(url + '/#/tasks' + (process.argv[4] || ''));
  await p.waitForSelector('[data-testid=task-item]', { timeout: 15000 });
  await p.waitForTimeout(1500);
  await p.screenshot({ path: `/tmp/lists-shots/${w}.png`, fullPage: false });
  if (process.argv[5]) { await p.click('[data-testid=view-map]'); await p.waitForTimeout(2500); await p.screenshot({ path: `/tmp/lists-shots/${w}-map.png`, fullPage: false }); }
  await ctx.close();
}
await browser.close();
