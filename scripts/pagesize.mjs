// The bytes a browser transfers to open the map page (docs/PERFORMANCE.md):
// Debian's Chromium (playwright-core from e2e/node_modules) signs in to a
// running skygrid, opens #/map, waits for the tiles, and sums each
// response's bytes on the wire (Chromium's encodedDataLength: headers and
// body as sent, compressed or not), by kind: the app (HTML, JS, CSS,
// service worker), the API's JSON, and the tiles.
// Usage: node scripts/pagesize.mjs [--identity] http://127.0.0.1:8080 [user] [password]
// --identity asks for every response uncompressed (Accept-Encoding:
// identity): the same page as a server without compression sends it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');
const args = process.argv.slice(2);
const identity = args[0] === '--identity';
const [url = 'http://127.0.0.1:8080', user = 'hunyuan', password = 'skygrid-demo'] = identity ? args.slice(1) : args;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN', serviceWorkers: 'block',
  extraHTTPHeaders: identity ? { 'Accept-Encoding': 'identity' } : {} });
// Signed in by the API first, so the count starts with an empty cache.
const login = await ctx.request.post(url + '/api/login', { data: { name: user, password } });
if (!login.ok()) throw new Error(`login: ${login.status()}`);
const p = await ctx.newPage();
const cdp = await ctx.newCDPSession(p);
await cdp.send('Network.enable');
const reqs = new Map();
cdp.on('Network.responseReceived', (e) => reqs.set(e.requestId, { url: e.response.url, type: e.type, enc: e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || '' }));
cdp.on('Network.loadingFinished', (e) => { const r = reqs.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
await p.goto(url + '/#/map');
await p.waitForSelector('#map .leaflet-tile-loaded', { timeout: 30000 });
await p.waitForLoadState('networkidle');
await p.waitForTimeout(1000);
const sum = { app: 0, api: 0, tiles: 0 };
const n = { app: 0, api: 0, tiles: 0 };
const gz = { app: 0, api: 0, tiles: 0 };
for (const r of reqs.values()) {
  if (!r.bytes) continue;
  const path = new URL(r.url).pathname;
  const kind = path.startsWith('/tiles/') ? 'tiles' : path.startsWith('/api/') ? 'api' : 'app';
  sum[kind] += r.bytes;
  n[kind]++;
  if (r.enc) gz[kind]++;
}
const kb = (b) => (b / 1024).toFixed(1) + ' KiB';
for (const k of Object.keys(sum)) console.log(`${k.padEnd(6)} ${String(n[k]).padStart(3)} responses (${gz[k]} compressed) ${kb(sum[k]).padStart(11)}`);
console.log(`total  ${String(n.app + n.api + n.tiles).padStart(3)} responses             ${kb(sum.app + sum.api + sum.tiles).padStart(11)}`);
await browser.close();
