// users-page.mjs: logs in as the demo's admin at URL and times the admin
// page until its users' table is drawn (users-page.sh).
import { chromium } from '../../e2e/node_modules/playwright-core/index.mjs';

const url = process.env.URL;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-audio-output'] });
const p = await (await b.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
await p.goto(url + '/#/login');
await p.fill('[data-testid=login-name]', 'admin');
await p.fill('[data-testid=login-password]', 'skygrid-demo');
await p.click('[data-testid=login-submit]');
await p.waitForSelector('[data-testid=logout]');
const t0 = Date.now();
await p.goto(url + '/#/admin');
await p.waitForSelector('[data-testid=users-table] tbody tr', { timeout: 300000 });
const ms = Date.now() - t0;
const rows = await p.$$eval('[data-testid=users-table] tbody tr', (r) => r.length);
console.log(`admin page: users' table drawn after ${ms} ms, ${rows} rows`);
await b.close();
