// 重污染天气预警 end to end in the browser: the admin uploads an invented
// emergency list (示例) on the warnings page (one row matches no
// registered site and is flagged), issues 橙色预警 for 浑源县 and 云州区;
// the banner shows on every page; a supervisor's phone opens the
// inspection task of 示例工地02, is told in Chinese to answer every
// measure, ticks the checklist with a photo and reports; the public page
// shows the warning without login; the official sees the checklist with
// its photo; the admin lifts the warning and the report opens.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect, quiet, check, shots, desktop, phone, pictures } from '../fixtures.mjs';

/** shot saves a screenshot of the page or element and lists it in CHECKS.txt (none in CI: fixtures.mjs, pictures). */
async function shot(target, name, options = {}) {
  const path = join(shots, name);
  await target.screenshot({ path, ...options });
  if (pictures) check(existsSync(path), `warnings: screenshot ${name}`);
}

// The invented list (示例): two demo sites of the area, one of another
// county (左云县, outside the warning), one enterprise not registered.
const LIST = [
  '名称,编号,区县,预警级别,减排措施,联系人,联系电话',
  '示例工地02,DEMO-C02,浑源县,橙色,停止土石方作业；物料堆场覆盖,示例联系人甲,13800000001',
  '示例工地09,DEMO-C09,云州区,橙色,停止拆除作业；增加洒水降尘频次,示例联系人乙,13800000002',
  '示例工地17,DEMO-C17,左云县,橙色,停止土石方作业,示例联系人丙,13800000003',
  '示例未登记企业,,浑源县,橙色,限产30%,示例联系人丁,13800000004',
].join('\n') + '\n';
// The supervisor of 示例工地02's grid (a demo user added here, 示例).
const SUP = 'yingji', SUP_GRID = '140225-005-015';
// The area in either order (the page lists counties as the server does).
const AREA = '(浑源县、云州区|云州区、浑源县)';
const photo = (root) => join(root, 'evidence', 'testdata', 'photos', 'at_event.jpg');

test.describe.serial('warnings', () => {
  let taskId = 0;

  test('admin: the emergency list, issue 橙色预警 for two counties, the banner', async ({ suite: { url, shots, page, login, check, db } }) => {
    const p = await page(desktop);
    await login(p, 'admin');
    await p.goto(url + '/#/warnings');
    await expect(p.getByTestId('warn-form')).toBeVisible({ timeout: 15000 });
    const file = join(dirname(db), 'emergency-e2e.csv');
    writeFileSync(file, LIST);
    await p.setInputFiles('[data-testid=elist-file]', file);
    await p.click('[data-testid=elist-submit]');
    await expect(p.getByTestId('elist-imported')).toContainText('未匹配 1 行', { timeout: 15000 });
    await expect(p.getByTestId('elist-row')).toHaveCount(4);
    const flagged = await p.locator('[data-testid=elist-row]:has([data-testid=elist-unmatched])').allInnerTexts();
    check(flagged.length === 1 && flagged[0].includes('示例未登记企业') && flagged[0].includes('未匹配到登记工地') && flagged[0].includes('限产30%'),
      `warnings: the unmatched row is flagged 未匹配到登记工地 (${flagged.join(' | ')})`);

    await p.click('[data-testid=warn-level-orange]');
    await expect(p.getByTestId('warn-county-140225')).toBeVisible();
    await p.check('[data-testid=warn-county-140225]');
    await p.check('[data-testid=warn-county-140215]');
    await p.fill('[data-testid=warn-reason]', '示例：静稳天气，预计 PM2.5 日均浓度超过 150 µg/m³');
    await p.fill('[data-testid=warn-advice]', '儿童、老年人和呼吸道疾病患者减少户外活动');
    await p.click('[data-testid=warn-issue]');
    // The question names the days too (a wrong date was confirmed unseen).
    await expect(p.getByTestId('warn-confirm')).toContainText(new RegExp(`确认发布橙色预警（${AREA}），\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d 至 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d（北京时间）？`));
    const issued = p.waitForResponse((r) => r.url().endsWith('/api/warnings') && r.request().method() === 'POST');
    await p.click('[data-testid=warn-confirm-yes]');
    const w = await (await issued).json();
    check((await issued).status() === 201 && w.level === 'orange' && w.county_ids.length === 2, `warnings: POST /api/warnings issued orange for two counties (${w.county_ids})`);
    const card = p.locator('[data-testid=warn-card]');
    await expect(card.locator('.warnband')).toHaveText(new RegExp(`^橙色预警 · ${AREA}$`), { timeout: 15000 });
    const bg = await card.locator('.warnband').evaluate((e) => getComputedStyle(e).backgroundColor);
    check(bg === 'rgb(255, 126, 0)', `warnings: the band is orange #ff7e00 (${bg})`);
    await expect(p.getByTestId('warn-banner-text')).toContainText(new RegExp(`橙色预警 · ${AREA}`));
    // Extend by a day (the field's default), confirmed.
    const endBefore = await card.getByTestId('warn-end').textContent();
    await p.click('[data-testid=warn-extend]');
    await expect(p.getByTestId('warn-confirm')).toContainText('确认将橙色预警的预计结束时间延长至');
    await p.click('[data-testid=warn-confirm-yes]');
    await expect(card.getByTestId('warn-end')).not.toHaveText(endBefore, { timeout: 15000 });
    const endAfter = await card.getByTestId('warn-end').textContent();
    check(Date.parse(endAfter.slice(0, 16).replace(' ', 'T') + ':00+08:00') - Date.parse(endBefore.slice(0, 16).replace(' ', 'T') + ':00+08:00') === 24 * 3600e3,
      `warnings: 延长 moves the expected end by a day (${endBefore} → ${endAfter})`);
    // The same county again for the same days: refused in Chinese, naming
    // the warning in force (every site was sent a second task, and the
    // public shown two bands); a window already past is refused on the page.
    p.allow(/^409 POST .*\/api\/warnings$/);
    const warningsBefore = (await (await p.request.get(url + '/api/warnings')).json()).warnings.length;
    await p.click('[data-testid=warn-level-red]');
    await p.check('[data-testid=warn-county-140225]');
    await p.click('[data-testid=warn-issue]');
    await p.click('[data-testid=warn-confirm-yes]');
    const twice = await p.waitForSelector('.toast.err:not(.hide)', { timeout: 10000 }).then((e) => e.innerText()).catch(() => '');
    check(/^浑源县已在橙色预警中（#\d+，.* 至 .*）：请延长或解除该预警，不要重复发布$/.test(twice), `warnings: a second warning over 浑源县 for the same days is refused in Chinese ("${twice}")`);
    await p.fill('[data-testid=warn-start]', '2023-10-20T08:00');
    await p.fill('[data-testid=warn-end-input]', '2023-10-22T08:00');
    await p.click('[data-testid=warn-issue]');
    const past = await p.waitForSelector('.toast.err:not(.hide)', { timeout: 10000 }).then((e) => e.innerText()).catch(() => '');
    const warningsAfter = (await (await p.request.get(url + '/api/warnings')).json()).warnings.length;
    check(past.startsWith('预计结束时间已过') && warningsAfter === warningsBefore, `warnings: a window already past is refused, nothing issued ("${past}", ${warningsBefore} → ${warningsAfter})`);
    await p.uncheck('[data-testid=warn-county-140225]');
    await quiet(p);
    await shot(p, 'warnings-issued-admin-desktop.png', { fullPage: true });
    // The banner on another page, linking to the warnings page.
    await p.goto(url + '/#/sites');
    await expect(p.getByTestId('warn-banner')).toBeVisible();
    await quiet(p);
    await shot(p, 'warnings-banner-sites-desktop.png');
    await p.click('[data-testid=warn-banner-link]');
    await expect(p).toHaveURL(/#\/warnings/);
    await p.context().close();
  });

  test('supervisor phone: the inspection checklist, refused until answered, then reported with a photo', async ({ suite: { url, root, shots, page, login, check, bin, db } }) => {
    const pw = join(dirname(db), 'yingji.pw');
    writeFileSync(pw, 'skygrid-demo\n');
    execFileSync(bin, ['user', 'add', '--name', SUP, '--role', 'supervisor', '--region', SUP_GRID, '--password-file', pw, '--db', db]);
    const p = await page(phone, `${SUP}: the inspection checklist`);
    await login(p, SUP);
    const tasks = (await (await p.request.get(url + '/api/tasks?limit=100')).json()).tasks;
    const task = tasks.find((x) => x.event_class === 'emergency_inspection');
    check(!!task, `warnings: ${SUP} has an emergency inspection task (${tasks.map((x) => x.event_class).join(',')})`);
    taskId = task.id;
    // The task list names the listed site, and its page whom to call there.
    await p.goto(`${url}/#/tasks`);
    const card = p.locator('[data-testid=task-item]', { has: p.locator('.title', { hasText: '示例工地02' }) });
    await expect(card).toHaveCount(1, { timeout: 15000 });
    check((await card.locator('.title').textContent()) === '示例工地02', `warnings: the phone's task list titles the inspection by its listed name (${await card.locator('.title').textContent()})`);
    await card.locator('a').click();
    await expect(p).toHaveURL(new RegExp(`#/tasks/${taskId}$`));
    await expect(p.getByTestId('checklist')).toBeVisible({ timeout: 15000 });
    await expect(p.getByTestId('task-title')).toContainText('示例工地02');
    await expect(p.getByTestId('task-listed')).toHaveText('示例工地02');
    await expect(p.getByTestId('task-contact')).toHaveText('示例联系人甲 拨打 13800000001');
    const tel = await p.getByTestId('call-listed').getAttribute('href');
    check(tel === 'tel:13800000001', `warnings: the phone calls the listed contact with one tap (${tel})`);
    await quiet(p);
    await shot(p, 'warnings-inspection-listed-phone.png');
    const measures = await p.locator('[data-testid=check-measure] h3').allTextContents();
    check(measures.join(',') === '1. 停止土石方作业,2. 物料堆场覆盖', `warnings: the checklist is the listed measures of 示例工地02 (${measures.join(',')})`);
    const yes = await p.getByTestId('check-0-yes').locator('xpath=..').boundingBox();
    check(yes.height >= 48 && yes.width >= 120, `warnings: 已落实 is a big touch target on the phone (${Math.round(yes.width)}×${Math.round(yes.height)} px)`);
    // Sending with a measure unanswered: refused on the phone, in Chinese, nothing sent.
    let sent = 0;
    p.on('request', (r) => { if (r.method() === 'POST' && r.url().includes(`/api/tasks/${taskId}/`)) sent++; });
    await p.click('[data-testid=check-0-yes]');
    await p.click('[data-testid=report-submit]');
    await expect(p.getByTestId('check-need')).toHaveText('还有 1 项措施未选择“已落实”或“未落实”，请逐项选择后再上报。');
    await expect(p.locator('[data-testid=check-measure].missing')).toHaveCount(1);
    check(sent === 0, `warnings: nothing is sent while a measure is unanswered (${sent} requests)`);
    await shot(p.getByTestId('checklist'), 'warnings-checklist-refused-phone.png');
    await p.click('[data-testid=check-1-no]');
    await p.setInputFiles('[data-testid=check-0-photo]', photo(root));
    await expect(p.getByTestId('check-0-photos')).toHaveText('1 张照片');
    await p.fill('[data-testid=check-1-note]', '示例：堆场东侧未覆盖');
    await p.locator('[data-testid=finding] input').first().check();
    const reported = p.waitForResponse((r) => r.url().endsWith(`/api/tasks/${taskId}/report`));
    await p.click('[data-testid=report-submit]');
    const res = await reported;
    check(res.status() === 200, `warnings: the report with its checklist is taken (${res.status()})`);
    const after = await (await p.request.get(`${url}/api/tasks/${taskId}`)).json();
    const cl = after.checklist ?? [];
    check(cl.length === 2 && cl[0].in_place === true && cl[0].photo_sha256?.length === 1 && cl[1].in_place === false && cl[1].note === '示例：堆场东侧未覆盖',
      `warnings: the stored checklist: in place with its photo, not in place with its note (${JSON.stringify(cl.map((c) => [c.in_place, c.photo_sha256?.length ?? 0, c.note ?? '']))})`);
    await expect(p.locator('.taskpage h1 .badge')).toHaveText('已上报', { timeout: 15000 });
    await shot(p, 'warnings-checklist-reported-phone.png', { fullPage: true });
    await p.context().close();
  });

  test('public page: the warning without login', async ({ suite: { url, shots, page, check } }) => {
    const p = await page(phone, 'public: the warning');
    await p.goto(url + '/public');
    const sec = p.locator('#pub-warning');
    await expect(sec.locator('.pub-warnband')).toHaveText(new RegExp(`^橙色预警 · ${AREA}$`), { timeout: 15000 });
    const text = await sec.innerText();
    check(text.includes('儿童、老年人和呼吸道疾病患者减少户外活动') && /预计 \d+月\d+日 \d\d:\d\d 结束/.test(text) && !text.includes('静稳天气'),
      `warnings: the public page shows the level, area, times and advice, not the reason (${text.replace(/\s+/g, ' ')})`);
    // At 320 px the band wraps between names, never inside one (浑源/县).
    await p.setViewportSize({ width: 320, height: 740 });
    const broken = await sec.locator('.pub-warnband .nowrap').evaluateAll((ss) => ss.filter((s) => {
      const r = document.createRange();
      r.selectNodeContents(s);
      return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
    }).map((s) => s.textContent));
    const lines = await sec.locator('.pub-warnband').evaluate((b) => Math.round(b.getBoundingClientRect().height));
    const names = await sec.locator('.pub-warnband .nowrap').count();
    check(names === 3 && broken.length === 0, `warnings: at 320 px no name in the public band is cut across lines (${names} names kept whole; ${broken.join(', ') || 'none cut'}; band ${lines} px high)`);
    await p.setViewportSize(phone);
    await shot(sec, 'warnings-public-phone.png');
    await p.context().close();
  });

  test('official: the checklist with its photo on the review page', async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(desktop);
    await login(p, 'hunyuan');
    await p.goto(`${url}/#/tasks/${taskId}`);
    const rv = p.getByTestId('check-review');
    await expect(rv).toBeVisible({ timeout: 15000 });
    await expect(rv.getByTestId('check-summary')).toHaveText('1/2 项已落实');
    const items = await rv.getByTestId('check-review-item').allInnerTexts();
    check(items.length === 2 && items[0].includes('停止土石方作业') && items[0].includes('已落实') && items[1].includes('未落实') && items[1].includes('堆场东侧未覆盖'),
      `warnings: the official reads each measure as found (${items.join(' | ').replace(/\s+/g, ' ')})`);
    await expect(rv.getByTestId('check-review-photo')).toHaveCount(1);
    await expect.poll(() => rv.getByTestId('check-review-photo').evaluate((i) => i.complete && i.naturalWidth), { timeout: 10000 }).toBeGreaterThan(0);
    await rv.scrollIntoViewIfNeeded();
    await shot(p, 'warnings-checklist-review-official-desktop.png');
    // Whom to call at the listed site, on the review page.
    await expect(p.getByTestId('review-contact')).toContainText('示例联系人甲（示例工地02）');
    check(await p.getByTestId('review-contact').getByTestId('call-listed').getAttribute('href') === 'tel:13800000001', 'warnings: the official calls the listed contact');
    // The enterprise not in the registry: in the county's queue, named in
    // the official's list and on its page with whom to call.
    await p.goto(`${url}/#/tasks?class=emergency_inspection`);
    const row = p.locator('[data-testid=task-item]', { has: p.locator('[data-testid=task-listed]', { hasText: '示例未登记企业' }) });
    await expect(row).toHaveCount(1, { timeout: 15000 });
    await row.getByTestId('task-link').click();
    await expect(p.getByTestId('task-listed')).toHaveText('示例未登记企业', { timeout: 15000 });
    await expect(p.getByTestId('task-title')).toContainText('示例未登记企业');
    await expect(p.getByTestId('review-contact')).toContainText('示例联系人丁（示例未登记企业）');
    // In no grid: the page says so, as its history does, not that "this grid" has no supervisor.
    const sup = await p.getByTestId('review-supervisor').innerText({ timeout: 5000 }).catch(() => '(none)');
    check(sup.includes('不在任何网格') && !sup.includes('该网格'), `warnings: the task in no grid says so where its supervisor would be ("${sup}")`);
    // An inspection is of a site, not of a fire: the grids offered for it too (one said 火点所在网格).
    await expect(p.getByTestId('candidate').first()).toBeVisible({ timeout: 15000 });
    const words = await p.locator('main').innerText();
    check(!/火点|卫星/.test(words) && words.includes('工地所在网格'),
      `warnings: the inspection's page speaks of the site, not of a fire (${(words.match(/[^\n]*(火点|卫星)[^\n]*/g) ?? []).join(' | ')})`);
    await quiet(p);
    await shot(p, 'warnings-unregistered-review-official-desktop.png');
    // The warning's card answers "which sites must stop, and have they":
    // the official's county with its listed sites, those checked and the
    // measures found in place, each site with its state (it gave a count).
    await p.goto(url + '/#/warnings');
    const prog = p.getByTestId('warn-progress');
    await expect(prog.getByTestId('wp-county')).toHaveCount(1, { timeout: 15000 });
    const county = (await prog.getByTestId('wp-county').innerText()).replace(/\s+/g, ' ');
    const sites = (await prog.getByTestId('wp-site').allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
    check(/^浑源县 2 2 1 1\/2$/.test(county) && sites.length === 2 && sites.some((x) => x.startsWith('示例未登记企业 · 浑源县 · 待检查 — 限产30%')) &&
      sites.some((x) => x.startsWith('示例工地02 · 浑源县 · 已检查（待审核） — 停止土石方作业 ✓；物料堆场覆盖 ✗')),
      `warnings: the official's card shows the county's inspections and each site (${county}; ${sites.join(' | ')})`);
    await prog.scrollIntoViewIfNeeded();
    await shot(p, 'warnings-progress-official-desktop.png');
    await p.context().close();
  });

  // An official of a county outside the warning reads it without its
  // figures (they are refused out of one's area: a 403 on the page).
  test('official of another county: the warning without its figures', async ({ suite: { url, page, login, check } }) => {
    const p = await page(desktop);
    await login(p, 'tianzhen');
    await p.goto(url + '/#/warnings');
    // (a card's figures box is made with the card; its request, were there
    // one, would be refused: the page's guard fails on a 403)
    await expect(p.getByTestId('warn-card').first()).toBeVisible({ timeout: 15000 });
    await p.waitForLoadState('networkidle');
    check(await p.getByTestId('warn-progress').count() === 0, 'warnings: another county\'s official is shown no figures of the warning');
    await p.context().close();
  });

  // On the official's phone the emergency list and the records are cards
  // of labelled lines: the list was a 1,012 px table in 334 px, its
  // measures and contacts off the screen with nothing saying it scrolled.
  test('official phone: the warnings page fits a 360 px phone', async ({ suite: { url, page, login, check } }) => {
    const p = await page({ width: 360, height: 740 });
    await login(p, 'hunyuan');
    await p.goto(url + '/#/warnings');
    await expect(p.getByTestId('elist-row').first()).toBeVisible({ timeout: 15000 });
    await expect(p.getByTestId('wp-county')).toHaveCount(1, { timeout: 15000 });
    const wide = await p.evaluate(() => [...document.querySelectorAll('main, main .tablewrap')].filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.className || e.tagName} ${e.scrollWidth}>${e.clientWidth}`));
    const row = p.getByTestId('elist-row').filter({ hasText: '示例工地02' });
    const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => {
      const r = td.getBoundingClientRect();
      return { text: td.innerText, label: getComputedStyle(td, '::before').content, right: Math.round(r.right) };
    }));
    const off = cells.filter((c) => c.right > 360);
    const measures = cells.find((c) => c.text.includes('停止土石方作业'));
    check(wide.length === 0 && off.length === 0 && measures?.label === '"减排措施："',
      `warnings: on a 360 px phone nothing runs off sideways and a listed site reads whole, each line labelled (${wide.join(', ') || 'none wide'}; ${JSON.stringify(cells)})`);
    await shot(p, 'warnings-official-phone.png', { fullPage: true });
    await p.context().close();
  });

  test('admin: lift, then the report opens', async ({ suite: { url, shots, page, login, check } }) => {
    const p = await page(desktop);
    await login(p, 'admin');
    await p.goto(url + '/#/warnings');
    await expect(p.getByTestId('warn-lift')).toBeVisible({ timeout: 15000 });
    await p.click('[data-testid=warn-lift]');
    await expect(p.getByTestId('warn-confirm')).toContainText(new RegExp(`确认解除橙色预警（${AREA}）`));
    await p.click('[data-testid=warn-confirm-yes]');
    await expect(p.getByTestId('warn-none')).toHaveText('当前无重污染天气预警', { timeout: 15000 });
    await expect(p.getByTestId('warn-banner')).toBeHidden();
    const link = p.locator('[data-testid=warn-row]').first().getByTestId('warn-report');
    await expect(link).toBeVisible();
    const href = await link.getAttribute('href');
    const [tab] = await Promise.all([p.context().waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    const html = await tab.content();
    check(/重污染天气橙色预警总结报告/.test(await tab.title()) && html.includes('浑源县') && html.includes('云州区'), `warnings: the report opens (${href})`);
    const total = await tab.locator('tr.total td').allTextContents();
    const figs = await (await p.request.get(url + href.replace('format=html', 'format=json'))).json();
    check(total[0] === '合计' && total[1] === String(figs.total.listed) && total[3] === String(figs.total.checked) && total[8] === String(figs.total.measures_in_place),
      `warnings: the report's total row equals the figures (${total.join(',')}; listed ${figs.total.listed}, checked ${figs.total.checked}, in place ${figs.total.measures_in_place})`);
    const ext = await tab.locator('table.facts tr:has(th:text-is("延长")) td').textContent().catch(() => '');
    check(/延长：预计结束由 .* 改为 /.test(ext), `warnings: the report says the extension (${ext})`);
    const missed = await tab.locator('#missed tbody tr').allInnerTexts();
    check(missed.some((r) => r.includes('示例工地02') && r.includes('措施未落实') && r.includes('物料堆场覆盖')),
      `warnings: the report lists 示例工地02 with the measure not in place (${missed.join(' | ').replace(/\s+/g, ' ')})`);
    await shot(tab, 'warnings-report-desktop.png', { fullPage: true });
    await p.context().close();
  });

  test('public page: no warning once lifted', async ({ suite: { url, page, check } }) => {
    const p = await page(phone, 'public: no warning');
    await p.goto(url + '/public');
    await expect(p.locator('#pub-warning .pub-nowarning')).toHaveText('当前无重污染天气预警', { timeout: 15000 });
    // For a day the public read that it was lifted, and when (it said only 当前无…).
    const lifted = await p.locator('#pub-warning .pub-lifted').innerText().catch(() => '');
    check(new RegExp(`^橙色预警 · ${AREA} 已于 \\d+月\\d+日 \\d\\d:\\d\\d 解除（北京时间）$`).test(lifted), `warnings: the public page says the warning was lifted, and when ("${lifted}")`);
    await p.context().close();
  });
});
