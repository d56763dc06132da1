// Accounts on the web: an admin disables and enables a user (their open
// session ends on its next request), resets a password, revokes an API
// token (its next request is a 401); a user changes their own password on
// the page reached from the top bar (their other session ends, this one
// stays). Adds its own users (e2e-*) to the demo database.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test, expect, phone } from '../fixtures.mjs';

const wide = { width: 1366, height: 900 };

// The users added first are disabled, reset and change their password: in order.
test.describe.serial('accounts on the web', () => {
test('accounts: the admin manages users and tokens', async ({ suite: { url, shots, page, login, check, quiet, bin, db } }) => {
  const a = await page(wide, 'accounts: admin');
  await login(a, 'admin');
  const csrf = (await (await a.request.get(url + '/api/me')).json()).csrf;
  const post = (path, data) => a.request.post(url + path, { data, headers: { 'X-CSRF-Token': csrf } });
  for (const name of ['e2e-zhanghu', 'e2e-tingyong']) {
    const r = await post('/api/users', { name, role: 'auditor', password: 'first password' });
    check(r.status() === 201, `accounts: user ${name} added (${r.status()})`);
  }
  // API tokens for scripts come from the CLI, on the demo's database.
  const token = (user, name) => execFileSync(bin, ['token', 'create', '--user', user, '--name', name, '--db', db]).toString().trim();
  const script = token('e2e-zhanghu', '示例脚本');
  const monitor = token('e2e-tingyong', '示例监控');
  const asToken = async (tok) => {
    const r = await fetch(url + '/api/me', { headers: { Authorization: 'Bearer ' + tok } });
    return { status: r.status, message: (await r.json().catch(() => ({})))?.error?.message ?? '' };
  };
  check((await asToken(script)).status === 200 && (await asToken(monitor)).status === 200, 'accounts: the new API tokens work');

  // e2e-tingyong has a session open on a phone.
  const q = await page(phone, 'accounts: the disabled user');
  // Once disabled, every request of their page is refused: the API's and
  // the map's tiles (a tile asked while the admin disables them, as a slow
  // phone's map did in CI, or after).
  q.allow(/^401 GET .*\/(api\/(me|tasks|events)|tiles\/)/);
  await login(q, 'e2e-tingyong', 'first password');
  await q.waitForSelector('#map .leaflet-tile-loaded', { timeout: 20000 });
  await q.waitForFunction(() => !!window.skygridMap);
  await quiet(q);

  // The admin disables them: two clicks (the first asks).
  await a.goto(url + '/#/admin');
  const row = (name) => a.locator(`[data-testid=users-table] tr[data-user="${name}"]`);
  await row('e2e-tingyong').waitFor({ timeout: 15000 });
  // A page of users, newest first, and a search: a province's 50,000 were
  // all fetched and drawn (28 s), and no one could be found but by scrolling.
  const total = (await (await a.request.get(url + '/api/users')).json()).users.length;
  const counted = await a.getByTestId('users-count').innerText();
  const drawn = await a.locator('[data-testid=users-table] tbody tr').count();
  check(total > 100 && drawn === 100 && counted.startsWith(`共 ${total} 人，显示最新添加的 100 人`) && counted.includes(`再显示 ${Math.min(100, total - 100)} 人`),
    `accounts: the users' table shows the newest 100 of ${total} and says so (${drawn} rows; "${counted}")`);
  await a.getByTestId('user-search').fill('浑源');
  await expect(a.getByTestId('users-count')).toHaveText(/^共 \d+ 人$/).catch(() => {});
  const found = await a.locator('[data-testid=users-table] tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-user')));
  check(found.includes('hunyuan') && found.includes('xiahancun') && !found.includes('admin'), `accounts: a search by a county's name finds its officials (${found.slice(0, 6).join(', ')}…)`);
  await a.getByTestId('user-search').fill('');
  await a.getByTestId('users-count').filter({ hasText: '显示最新添加的' }).waitFor({ timeout: 10000 }).catch(() => {});
  await row('e2e-tingyong').locator('[data-testid=user-disable]').click();
  const asks = await row('e2e-tingyong').locator('[data-testid=user-disable]').innerText();
  await row('e2e-tingyong').locator('[data-testid=user-disable]').click();
  await row('e2e-tingyong').locator('[data-testid=user-state]', { hasText: '已停用' }).waitFor({ timeout: 10000 }).catch(() => {});
  const state = await row('e2e-tingyong').locator('[data-testid=user-state]').innerText();
  check(asks === '确认停用？' && state === '已停用', `accounts: the admin disables a user in two clicks (${asks} → ${state})`);
  // Their map, still open and moved, gets no more tiles (the page's guard
  // records every refused request).
  const refusedTiles = () => q.http.filter((l) => /^401 GET .*\/tiles\//.test(l)).length;
  await q.evaluate(() => window.skygridMap.panBy([300, 0], { animate: false }));
  await expect.poll(refusedTiles, { timeout: 10000 }).toBeGreaterThan(0).catch(() => {});
  const tilesRefused = refusedTiles();
  check(tilesRefused > 0, `accounts: the disabled user's open map gets no more tiles (${tilesRefused} refused)`);
  // A refused tile says nothing to the page by itself: the map asks the
  // server, and the user sees the log-in page, not a blank map.
  await q.waitForSelector('[data-testid=login-submit]', { timeout: 15000 }).catch(() => {});
  check(q.url().includes('#/login'), `accounts: the disabled user's map, its tiles refused, goes to the log-in page (${q.url()})`);
  await q.screenshot({ path: join(shots, 'accounts-disabled-map-phone.png') });
  await q.reload();
  await q.waitForSelector('[data-testid=login-submit]', { timeout: 15000 }).catch(() => {});
  check(q.url().includes('#/login'), `accounts: the disabled user's open session ends on its next request (${q.url()})`);
  // Logging in again with their right password, they are told why, not
  // 用户名或密码错误 (which had them trying passwords until throttled).
  q.allow(/^403 POST .*\/api\/login$/);
  const stopped = await login(q, 'e2e-tingyong', 'first password').then(() => '', (e) => e.message);
  check(stopped.endsWith('账号已停用，请联系管理员'), `accounts: the disabled user logging in is told the account is stopped (${stopped})`);
  const refused = await asToken(monitor);
  check(refused.status === 401 && /disabled/.test(refused.message), `accounts: the disabled user's token is refused (${refused.status} ${refused.message})`);
  await a.screenshot({ path: join(shots, 'accounts-admin-desktop.png'), fullPage: true });
  await a.locator('[data-testid=users-table]').screenshot({ path: join(shots, 'accounts-users-desktop.png') });

  // Enabled again; a new password set by the admin.
  await row('e2e-tingyong').locator('[data-testid=user-enable]').click();
  await row('e2e-tingyong').locator('[data-testid=user-state]', { hasText: '正常' }).waitFor({ timeout: 10000 }).catch(() => {});
  check(await row('e2e-tingyong').locator('[data-testid=user-state]').innerText() === '正常', 'accounts: the admin enables the user again');
  await row('e2e-tingyong').locator('[data-testid=user-reset]').click();
  await row('e2e-tingyong').locator('[data-testid=reset-password]').fill('set by the admin');
  await row('e2e-tingyong').locator('[data-testid=reset-submit]').click();
  const toast = await a.waitForSelector('#toast:has-text("已重置")', { timeout: 10000 }).then((t) => t.innerText(), () => '');
  check(toast.includes('已重置 e2e-tingyong 的密码'), `accounts: the admin resets a password (${toast})`);
  await q.context().close();
  const q2 = await page(phone, 'accounts: the reset password');
  q2.allow(/^401 POST .*\/api\/login$/);
  const oldIn = await login(q2, 'e2e-tingyong', 'first password').then(() => true, () => false);
  const newIn = await login(q2, 'e2e-tingyong', 'set by the admin').then(() => true, () => false);
  check(!oldIn && newIn, `accounts: the old password is refused, the new one logs in (${oldIn}, ${newIn})`);
  await q2.context().close();

  // The tokens: listed with their user and dates, revoked in two clicks.
  const tok = a.locator('[data-testid=tokens-table] tr', { hasText: '示例脚本' });
  await tok.waitFor({ timeout: 10000 }).catch(() => {});
  const tokText = (await tok.innerText().catch(() => '')).replace(/\s+/g, ' ');
  check(tokText.includes('e2e-zhanghu') && tokText.includes('有效') && !tokText.includes(script), `accounts: the token is listed, never shown (${tokText})`);
  await tok.locator('[data-testid=token-revoke]').click();
  await tok.locator('[data-testid=token-revoke]').click();
  await tok.locator('[data-testid=token-state]', { hasText: '已撤销' }).waitFor({ timeout: 10000 }).catch(() => {});
  const revokedState = await tok.locator('[data-testid=token-state]').innerText().catch(() => '');
  const after = await asToken(script);
  check(revokedState === '已撤销' && after.status === 401 && /revoked/.test(after.message),
    `accounts: a token revoked on the admin page is refused on its next request (${revokedState}; ${after.status} ${after.message})`);
  await a.locator('[data-testid=tokens]').screenshot({ path: join(shots, 'accounts-tokens-desktop.png') });
  // The audit log says who did it, in words.
  await a.goto(url + '/#/auditlog?action=user.disable');
  await a.waitForSelector('[data-testid=log-filter]');
  await expect(a.locator('main')).toContainText('停用：是').catch(() => {});
  const logText = await a.locator('main').innerText();
  check(/停用用户/.test(logText) && /e2e-tingyong/.test(logText) && /停用：是/.test(logText), 'accounts: the audit log shows the disabling in words');
  await a.context().close();

  // The admin page on a phone.
  const ap = await page(phone, 'accounts: admin on a phone');
  await login(ap, 'admin');
  await ap.goto(url + '/#/admin');
  await ap.waitForSelector('[data-testid=users-table]', { timeout: 15000 });
  await ap.waitForSelector('[data-testid=tokens-table]', { timeout: 15000 }).catch(() => {});
  await ap.locator('[data-testid=users-table] tr[data-user="e2e-tingyong"]').scrollIntoViewIfNeeded();
  await ap.screenshot({ path: join(shots, 'accounts-users-phone.png') });
  await ap.locator('[data-testid=tokens]').scrollIntoViewIfNeeded();
  await ap.screenshot({ path: join(shots, 'accounts-admin-phone.png') });
  const wider = await ap.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wider <= 0, `accounts: the admin page is no wider than the phone (${wider} px over)`);
  await ap.context().close();
});

// A user changes their own password from the top bar; their other
// session ends, this one stays.
test('accounts: a user changes their own password', async ({ suite: { url, shots, page, login, check } }) => {
  const other = await page(wide, 'accounts: the other session');
  other.allow(/^401 GET .*\/api\//);
  await login(other, 'e2e-zhanghu', 'first password');
  for (const [vp, label] of [[phone, 'phone'], [wide, 'desktop']]) {
    const z = await page(vp, `accounts: password page at ${label} width`);
    z.allow(/^400 POST .*\/api\/me\/password$/);
    const pw = label === 'phone' ? 'first password' : 'second password';
    const next = label === 'phone' ? 'second password' : 'third password';
    await login(z, 'e2e-zhanghu', pw);
    await z.click('[data-testid=my-password]');
    await z.waitForSelector('[data-testid=pw-form]', { timeout: 10000 });
    await z.screenshot({ path: join(shots, `accounts-password-${label}.png`) });
    await z.fill('[data-testid=pw-current]', 'not my password');
    await z.fill('[data-testid=pw-new]', next);
    await z.fill('[data-testid=pw-again]', next);
    await z.click('[data-testid=pw-submit]');
    await z.waitForFunction(() => document.querySelector('[data-testid=pw-message]')?.textContent, null, { timeout: 10000 }).catch(() => {});
    const wrong = await z.textContent('[data-testid=pw-message]');
    await z.fill('[data-testid=pw-current]', pw);
    await z.fill('[data-testid=pw-new]', next);
    await z.fill('[data-testid=pw-again]', 'typed differently');
    await z.click('[data-testid=pw-submit]');
    const differ = await z.textContent('[data-testid=pw-message]');
    await z.fill('[data-testid=pw-again]', next);
    await z.click('[data-testid=pw-submit]');
    await z.waitForFunction(() => /已修改/.test(document.querySelector('[data-testid=pw-message]')?.textContent ?? ''), null, { timeout: 10000 }).catch(() => {});
    const done = await z.textContent('[data-testid=pw-message]');
    await z.screenshot({ path: join(shots, `accounts-password-done-${label}.png`) });
    check(/当前密码不正确/.test(wrong) && differ === '两次输入的新密码不一致' && /密码已修改，其他设备上的 1 个登录已退出/.test(done),
      `accounts: the password page at ${label} width refuses a wrong current password and a mistyped one, then changes it (${wrong} | ${differ} | ${done})`);
    await z.goto(url + '/#/map');
    const stays = await z.waitForSelector('[data-testid=logout]', { timeout: 10000 }).then(() => true, () => false);
    check(stays && !z.url().includes('#/login'), `accounts: the session that changed the password stays (${label})`);
    if (label === 'phone') {
      await other.reload();
      await other.waitForSelector('[data-testid=login-submit]', { timeout: 15000 }).catch(() => {});
      check(other.url().includes('#/login'), `accounts: the user's other session ends with the change (${other.url()})`);
      await other.context().close();
    }
    await z.context().close();
  }
});
});
