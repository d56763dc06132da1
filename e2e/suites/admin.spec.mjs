// The admin page: uploads show the CLI's per-row refusals and summaries;
// users are added on the web. Runs last (the "admin" project depends on
// "suites"): it adds to the demo database.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, quiet, desktop, phone } from '../fixtures.mjs';

// The user added on the admin page then logs in: in order.
test.describe.serial('the admin page', () => {
test('admin: uploads and a new user', async ({ suite: { url, shots, page, login, check } }) => {
  // The files to upload: in the test's output folder (e2e/test-results, emptied at each run).
  const dir = test.info().outputPath('uploads');
  mkdirSync(dir, { recursive: true });
  const bad = join(dir, '工地台账.csv');
  writeFileSync(bad, '项目编号,名称,占地面积,是否视频,经度,纬度\nE1,测试上传工地甲,12000,也许,113.30,40.08\nE2,测试上传工地乙,9000,否,东经113,40.08\n');
  const good = join(dir, '工地台账2.csv');
  writeFileSync(good, '项目编号,名称,占地面积,是否视频,经度,纬度\nE1,测试上传工地甲,12000,否,113.30,40.08\nE2,测试上传工地乙,3000,否,113.31,40.08\n');
  const fires = join(dir, 'firms-upload.csv');
  writeFileSync(fires, 'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\n' +
    '40.0801,113.3001,331.2,0.4,0.4,2023-10-30,0512,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n' +
    '北纬40,113.3001,331.2,0.4,0.4,2023-10-30,0512,N20,VIIRS,n,2.0NRT,290.1,3.2,D\n');

  const p = await page(desktop, 'admin: uploads');
  // The bad registry is refused on purpose.
  p.allow(/^400 POST .*\/api\/imports\/sites$/);
  await login(p, 'admin');
  await p.goto(url + '/#/admin');
  await p.waitForSelector('[data-testid=import-form]');
  // Fires across the border: listed apart, where they burn in words.
  const xb = await (await p.request.get(url + '/api/events?crossborder=true&limit=500')).json();
  await p.waitForSelector('[data-testid=crossborder] table tbody tr', { timeout: 15000 }).catch(() => null);
  const xbRows = await p.$$eval('[data-testid=crossborder] tbody tr', (rs) => rs.map((r) => r.innerText));
  check(xb.features.length > 0 && xbRows.length === xb.features.length && xbRows.every((r) => /市外/.test(r)),
    `admin: the ${xb.features.length} cross-border fires are listed apart, each with where it burns (${xbRows[0]?.replace(/\s+/g, ' ')})`);
  // A bad registry: refused, each bad row named by line and field.
  await p.selectOption('[data-testid=import-kind]', 'sites');
  await p.selectOption('[data-testid=import-site-kind]', 'construction');
  await p.fill('[name=id_prop]', '项目编号');
  await p.fill('[data-testid=import-props]', 'video=是否视频');
  await p.setInputFiles('[data-testid=import-file]', bad);
  await p.click('[data-testid=import-submit]');
  const refused = await p.waitForSelector('[data-testid=import-refused]', { timeout: 15000 }).catch(() => null);
  const rows = refused ? await p.$$eval('[data-testid=import-refused] ol.rows li', (li) => li.map((x) => x.textContent)) : [];
  check(rows.length === 2 && rows[0].includes('第 2 行，字段「是否视频」') && rows[1].includes('第 3 行，字段「经度」'),
    `admin: a bad registry upload lists each refused row with line and field, in Chinese (${rows.join(' | ')})`);
  await p.screenshot({ path: join(shots, 'admin-import-refused-desktop.png'), fullPage: true });
  const before = await (await p.request.get(url + '/api/sites?kind=construction&limit=1')).json();
  check(!before.features.some((f) => String(f.properties.name).startsWith('测试上传')), 'admin: nothing of the refused file is stored');
  // The corrected file: stored, with the CLI's summary.
  await p.setInputFiles('[data-testid=import-file]', good);
  await p.click('[data-testid=import-submit]');
  const ok = await p.waitForSelector('[data-testid=import-ok]', { timeout: 15000 }).catch(() => null);
  const okText = ok ? await ok.innerText() : '';
  const cliText = await p.textContent('[data-testid=import-ok] pre.cli').catch(() => '');
  check(okText.includes('已导入 2 处建筑工地（新增 2），其中 1 处违规') && cliText.includes('E1 测试上传工地甲 12000 m² 违规'),
    `admin: the corrected upload is stored with a summary in Chinese and the CLI's as the detail (${okText.slice(0, 80)})`);
  const after = await (await p.request.get(url + '/api/sites?kind=construction&limit=1000')).json();
  check(after.features.filter((f) => String(f.properties.name).startsWith('测试上传')).length === 2, 'admin: the uploaded sites are in the registry');
  await p.screenshot({ path: join(shots, 'admin-import-ok-desktop.png'), fullPage: true });
  // A fire file with an unreadable row: the rest goes in, the row is listed.
  await p.selectOption('[data-testid=import-kind]', 'fires');
  await p.setInputFiles('[data-testid=import-file]', fires);
  await p.click('[data-testid=import-submit]');
  const fok = await p.waitForSelector('[data-testid=import-ok]', { timeout: 15000 }).catch(() => null);
  const fText = fok ? await fok.innerText() : '';
  check(fText.includes('2 行：新增火点 1 个') && fText.includes('firms-upload.csv 第 3 行，字段「latitude」'),
    `admin: a fire file upload is ingested and its unreadable row listed (${fText.slice(0, 100)})`);
  // The batches say where each came from and its format in words.
  await p.waitForFunction(() => [...document.querySelectorAll('[data-table=batches] td')].some((td) => td.textContent === 'firms-upload.csv'), null, { timeout: 10000 }).catch(() => {});
  const batchRows = await p.$$eval('[data-table=batches] tbody tr', (trs) => trs.map((tr) => tr.innerText));
  const up = batchRows.find((r) => r.includes('firms-upload.csv')) ?? '';
  check(up.includes('网页上传') && up.includes('FIRMS VIIRS') && batchRows.some((r) => /命令行导入|自动拉取/.test(r)) && !batchRows.some((r) => /\t(cli|firms-viirs|upload)\t/.test(r)),
    `admin: batches name their origin and format in words (${up.replace(/\s+/g, ' ')})`);
  // A user added on the web logs in.
  await p.fill('[data-testid=user-name]', 'e2e-shenji');
  await p.selectOption('[data-testid=user-role]', 'auditor');
  await p.fill('[data-testid=user-password]', 'e2e password');
  await p.click('[data-testid=user-submit]');
  const cells = p.locator('[data-table=users] td', { hasText: 'e2e-shenji' });
  await expect(cells).toHaveCount(1).catch(() => {});
  const users = await (await p.request.get(url + '/api/users')).json();
  check(users.users.some((u) => u.name === 'e2e-shenji' && u.role === 'auditor'), 'admin: a user added on the admin page is stored');
  const cell = await cells.count();
  check(cell === 1, 'admin: the new user shows in the users table');
  await p.screenshot({ path: join(shots, 'admin-desktop.png'), fullPage: true });
  // The same name in capitals is the same user: refused, said in Chinese.
  p.allow(/^409 POST .*\/api\/users$/);
  await p.fill('[data-testid=user-name]', 'E2E-SHENJI');
  await p.selectOption('[data-testid=user-role]', 'auditor');
  await p.fill('[data-testid=user-password]', 'e2e password');
  await p.click('[data-testid=user-submit]');
  const taken = await p.waitForFunction(() => document.querySelector('.userform .error')?.textContent ?? '', null, { timeout: 10000 })
    .then((x) => x.jsonValue(), () => '');
  check(/^用户名「e2e-shenji」已被使用/i.test(taken) && !/exists/.test(taken), `admin: E2E-SHENJI beside e2e-shenji is refused as the same name, in Chinese (${taken})`);
  await p.locator('.userform').screenshot({ path: join(shots, 'admin-user-exists-desktop.png') });
  const again = await (await p.request.get(url + '/api/users')).json();
  check(again.users.filter((u) => u.name.toLowerCase() === 'e2e-shenji').length === 1, 'admin: the refused name is not stored');
  // A supervisor given a county: the field and what to give, in Chinese (it was the server's English).
  p.allow(/^400 POST .*\/api\/users$/);
  await p.fill('[data-testid=user-name]', 'e2e-wangge2');
  await p.selectOption('[data-testid=user-role]', 'supervisor');
  await p.fill('[data-testid=user-regions]', '140225');
  await p.fill('[data-testid=user-password]', 'e2e password');
  await p.click('[data-testid=user-submit]');
  const county = await p.waitForFunction(() => (document.querySelector('.userform .error')?.textContent ?? '').includes('网格员'), null, { timeout: 10000 })
    .then(() => p.locator('.userform .error').textContent(), () => p.locator('.userform .error').textContent());
  check(county.startsWith('负责区域：140225 是区县，网格员只能负责网格') && !/[a-z]{3,}/.test(county), `admin: a supervisor given a county is refused in Chinese, naming the field (${county})`);
  check(await p.inputValue('[data-testid=user-name]') === 'e2e-wangge2', 'admin: the refused form keeps what was typed');
  // The refused upload's 400 and the refused name's 409 are what the
  // browser logs for them; nothing else.
  const unexpected = p.errors.filter((e) => !/status of (400 \(Bad Request\)|409 \(Conflict\))/.test(e));
  check(p.errors.length - unexpected.length === 3 && unexpected.length === 0,
    `admin page: no console errors besides the refused upload's 400, name's 409 and region's 400 (${p.errors.join('; ')})`);
  await p.context().close();
});

test('the user added on the web logs in', async ({ suite: { page, login, check } }) => {
  const q = await page(phone);
  const inAs = await login(q, 'E2E-ShenJi', 'e2e password').then(() => true, () => false);
  check(inAs, 'the user added on the web logs in, by any case of the name (E2E-ShenJi)');
  await q.context().close();
});
});

// A name that cannot be a user's is refused at the login page, said so,
// and not counted as a failed attempt.
test('login: a name over the limit', async ({ suite: { url, shots, page, check } }) => {
  const l = await page(phone, 'login: a name over the limit');
  l.allow(/^400 POST .*\/api\/login$/, /status of 400 \(Bad Request\)/);
  await l.goto(url + '/#/login');
  await l.fill('[data-testid=login-name]', 'x'.repeat(65));
  await l.fill('[data-testid=login-password]', 'whatever password');
  await l.click('[data-testid=login-submit]');
  const said = await l.waitForSelector('[data-testid=login-error]', { timeout: 10000 }).then((e) => e.innerText(), () => '');
  check(said === '用户名不符合要求：最多 64 个字符，不能含控制字符或不可见字符', `login: a 65-character name is refused in words (${said})`);
  await l.screenshot({ path: join(shots, 'login-badname-phone.png') });
  await l.context().close();
});

test('admin page at phone width', async ({ suite: { url, shots, page, login, check } }) => {
  const r = await page(phone);
  await login(r, 'admin');
  await r.goto(url + '/#/admin');
  await r.waitForSelector('[data-testid=import-form]');
  await quiet(r);
  await r.screenshot({ path: join(shots, 'admin-phone.png'), fullPage: true });
  check(r.errors.length === 0, `admin page at phone width: no console errors (${r.errors.join('; ')})`);
  await r.context().close();
});

// HJ 212-2017 appendix A's CRC, and a packet framed with it.
function crc212(bytes) {
  let crc = 0xffff;
  for (const b of bytes) {
    crc = (crc >> 8) ^ b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  }
  return crc;
}
function frame212(seg) {
  const b = Buffer.from(seg, 'ascii');
  return `##${String(b.length).padStart(4, '0')}${seg}${crc212(b).toString(16).toUpperCase().padStart(4, '0')}\r\n`;
}

// Two packets the demo's receiver refuses (an unknown device, a known one
// with the wrong password) on one connection, then the admin page's
// rejected-packet log: counted per device, the reasons in Chinese.
test('admin: the rejected-packet log', async ({ suite: { url, shots, page, login, check } }) => {
  const addr = process.env.SKYGRID_HJ212;
  check(!!addr, `rejects: the demo's HJ 212 receiver address (${addr})`);
  const [host, port] = addr.split(/:(?=\d+$)/);
  const cp = 'CP=&&DataTime=20231031120000;a34002-Rtd=0.050,a34002-Flag=N&&';
  const packets = [
    frame212(`QN=20231031120000001;ST=22;CN=2011;PW=123456;MN=E2ENOPE01;Flag=4;${cp}`),
    frame212(`QN=20231031120000002;ST=22;CN=2011;PW=wrong1;MN=DEMOC01;Flag=4;${cp}`),
  ];
  const { createConnection } = await import('node:net');
  await new Promise((resolve, reject) => {
    const s = createConnection({ host, port: Number(port) }, () => s.end(packets.join('')));
    s.on('error', reject);
    s.on('close', resolve);
    s.resume();
  });
  const r = await page(desktop);
  await login(r, 'admin');
  // the refusals are logged as the receiver reads them: poll the log until both are in
  await expect.poll(async () => {
    const j = await (await r.request.get(url + '/api/admin/packet-rejects')).json();
    return (j.items ?? []).filter((x) => ['E2ENOPE01', 'DEMOC01'].includes(x.mn)).length;
  }, { timeout: 15000 }).toBe(2);
  await r.goto(url + '/#/admin');
  const box = r.getByTestId('packet-rejects');
  await expect(box).toContainText('未登记的设备编号');
  await expect(box).toContainText('访问密码错误');
  const rows = await box.locator('tbody tr').allInnerTexts();
  check(rows.some((x) => x.includes('E2ENOPE01') && /\t1\t/.test(x)) && rows.some((x) => x.includes('DEMOC01')),
    `rejects: counted per device (${rows.slice(0, 4).join(' | ').replace(/\s+/g, ' ')})`);
  check(!rows.some((x) => /\b(unknown mn|wrong pw)\b/.test(x)), 'rejects: no reason left as a code');
  await box.scrollIntoViewIfNeeded();
  await r.screenshot({ path: join(shots, 'admin-rejects-desktop.png') });
  check(r.errors.length === 0, `rejects: no console errors (${r.errors.join('; ')})`);
  await r.context().close();
});
