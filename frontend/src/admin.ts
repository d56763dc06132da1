// 管理: imports (upload registries and fire files), users, feeds, batches.
import { api, ApiError, errorText, qs } from './api';
import { h, clear, confirmButton, toast } from './dom';
import { getLang, t, tOr, type Lang } from './i18n';
import { cell, objectTable } from './table';
import { getSession } from './session';
import type { BatchList, EventCollection, FeedList, ImportReport, IngestBatch, PacketRejectList, PasswordChanged, Token, TokenList, User, UserList } from './api/types.gen';
import { feedSourceName, formatName, originName } from './words';

const KINDS = ['regions', 'supervisors', 'sites', 'heat-sources', 'fires', 'emergency'] as const;
const SITE_KINDS = ['construction', 'stockpile', 'nocoal', 'cropland', 'industrial'];

/** refusedRows splits a refusal into its headline and one line per refused row. */
export function refusedRows(message: string): { head: string; rows: string[] } {
  const [head, ...rest] = message.split('\n');
  return { head, rows: rest.map((l) => l.trim()).filter(Boolean) };
}

/**
 * rowInWords says where a refused row is in the UI's language, the
 * reason in the server's words: "工地.csv: line 2: field 是否视频: …" →
 * "工地.csv 第 2 行，字段「是否视频」：…". Other lines stay as they are.
 */
export function rowInWords(row: string, l?: Lang): string {
  const m = /^(.*?): line (\d+): (?:field ([^:]+): )?(.*)$/s.exec(row) ?? /^(.*?):(\d+): (?:field ([^:]+): )?(.*)$/s.exec(row);
  if (!m || !m[1]) return row;
  const zh = (l ?? getLang()) === 'zh';
  const where = zh ? `${m[1]} 第 ${m[2]} 行` : `${m[1]} line ${m[2]}`;
  const field = m[3] ? (zh ? `，字段「${m[3]}」` : `, field ${m[3]}`) : '';
  return `${where}${field}${zh ? '：' : ': '}${m[4]}`;
}

/** userRefusals: the server's refusals of a user's fields (store.CreateUser, username, password, skygrid.ParsePhone), in Chinese. */
const userRefusals: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^user "(.*)" exists/s, (m) => `用户名「${m[1]}」已被使用，请换一个（用户名不区分大小写和全角半角）`],
  [/^user name: /, () => '用户名不符合要求：只能用汉字、字母、数字和 . _ -，最多 64 个字符'],
  [/^region "(.*)" is not imported/s, (m) => `负责区域：没有编号为「${m[1]}」的区域（请填写已导入的网格、乡镇或区县编号）`],
  [/^region (\S+) is a (county|township|city): a supervisor is scoped to grids/, (m) => `负责区域：${m[1]} 是${levelZh(m[2])}，网格员只能负责网格（如 140225-006-009）`],
  [/^region (\S+) is a city: an official is scoped to counties or townships; for the whole city give its counties: --region (\S+)/, (m) =>
    `负责区域：${m[1]} 是${levelZh('city')}，干部只能负责区县或乡镇；负责全市请填写其各区县：${m[2]}`],
  [/^region (\S+) is a (\w+)[^:]*: an official is scoped to a county or a township/, (m) => `负责区域：${m[1]} 是${levelZh(m[2])}，乡镇或区县干部只能负责区县或乡镇`],
  [/^(\w+) users are city-wide: they take no region/, () => '负责区域：管理员和审计人员面向全市，不填负责区域'],
  [/^(\w+) users need a region/, () => '负责区域：请填写（干部填区县或乡镇编号，网格员填网格编号）'],
  [/^a password needs at least (\d+) characters/, (m) => `密码：至少 ${m[1]} 个字符`],
  [/^password: at most (\d+) bytes/, (m) => `密码：太长，最多 ${m[1]} 个字节（约 ${Math.floor(Number(m[1]) / 3)} 个汉字）`],
  [/^phone .*: control characters/s, () => '手机号：含不允许的字符'],
  [/^phone /, () => '手机号：请填写 11 位手机号（如 13812345678）或带区号的座机（如 0352-1234567）'],
  [/^DingTalk id/, () => '钉钉 ID：最多 64 个字符，不能有空格、逗号'],
  [/^region: /, () => '负责区域：编号不符合要求'],
];

const levelZh = (level: string) => tOr('level', level, 'zh');

/**
 * userRefusal says why the server refused a user (added, or a password
 * reset) in the UI's language: in Chinese the field and what to give, not
 * the server's English; other failures as errorText says them.
 */
export function userRefusal(e: unknown, l?: Lang): string {
  if (!(e instanceof ApiError) || (e.status !== 400 && e.status !== 409)) return errorText(e, (k) => t(k, undefined, l));
  if ((l ?? getLang()) !== 'zh') return e.message;
  for (const [re, say] of userRefusals) {
    const m = re.exec(e.message);
    if (m) return say(m);
  }
  return `无法保存（${e.message}）`;
}

/** propFields turns "attr=列名" lines into form values, refusing malformed ones. */
export function propFields(text: string): { props: string[]; bad: string[] } {
  const props: string[] = [], bad: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const l = raw.trim();
    if (!l) continue;
    const i = l.indexOf('=');
    if (i <= 0 || i === l.length - 1) bad.push(l);
    else props.push(l.slice(0, i).trim() + '=' + l.slice(i + 1).trim());
  }
  return { props, bad };
}

/**
 * importSummary says in the UI's language what an import stored, from the
 * answer's counts (the CLI's own English summary is kept as the detail).
 */
export function importSummary(rep: Partial<Omit<ImportReport, 'batch'>> & { batch?: Partial<IngestBatch> }, kind: string, opts: { level?: string; siteKind?: string } = {}, l?: Lang): string {
  const tr = (k: string, v?: Record<string, string | number>) => t(k, v, l);
  switch (kind) {
    case 'regions': return tr('import.summary.regions', { n: rep.stored ?? 0, levels: tr('level.' + (opts.level || 'county')) });
    case 'supervisors': return tr('import.summary.supervisors', { n: rep.stored ?? 0 });
    case 'sites': return tr('import.summary.sites', { n: rep.stored ?? 0, new: rep.new ?? 0, bad: rep.violations ?? 0, kind: tr('kind.' + (opts.siteKind || 'construction')) });
    case 'heat-sources': return tr('import.summary.heat-sources', { n: rep.stored ?? 0, new: rep.new ?? 0 });
    case 'emergency': return tr('import.summary.emergency', { n: rep.stored ?? 0, unmatched: rep.items?.length ?? 0 });
    case 'fires': {
      const b: Partial<IngestBatch> = rep.batch ?? {};
      return tr('import.summary.fires', { rows: b.rows ?? 0, new: b.new ?? 0, dup: b.duplicates ?? 0, rej: b.rejected ?? 0, out: b.outside ?? 0,
        events: b.events_new ?? 0, tasks: b.tasks_new ?? 0 });
    }
  }
  return rep.text ?? '';
}

/** withCode shows the configuration names in a sentence as code (typed as they are). */
function withCode(text: string, names: string[]): (string | HTMLElement)[] {
  let parts: (string | HTMLElement)[] = [text];
  for (const n of names) {
    parts = parts.flatMap((p) => (typeof p !== 'string' ? [p] : p.split(n).flatMap((x, i) => (i ? [h('code', {}, n), x] : [x]))));
  }
  return parts;
}

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', {}, label, input, hint ? h('small', { class: 'muted' }, hint) : null);
}

function importSection(): HTMLElement {
  const kind = h('select', { name: 'kind', 'data-testid': 'import-kind' }, KINDS.map((k) => h('option', { value: k }, t('import.kind.' + k))));
  const file = h('input', { type: 'file', name: 'file', accept: '.geojson,.json,.csv,.txt,.xlsx', required: true, 'data-testid': 'import-file' });
  const level = h('select', { name: 'level', 'data-testid': 'import-level' }, ['county', 'township', 'grid'].map((l) => h('option', { value: l }, t('level.' + l))));
  const parent = h('input', { name: 'parent', placeholder: '140225' });
  const crs = h('select', { name: 'crs' }, ['wgs84', 'cgcs2000', 'gcj02', 'bd09'].map((c) => h('option', { value: c }, t('crs.' + c))));
  const siteKind = h('select', { name: 'site_kind', 'data-testid': 'import-site-kind' }, SITE_KINDS.map((k) => h('option', { value: k }, t('kind.' + k))));
  const idProp = h('input', { name: 'id_prop', placeholder: 'id' });
  const nameProp = h('input', { name: 'name_prop', placeholder: 'name' });
  const wkt = h('input', { name: 'wkt_col', placeholder: 'wkt' });
  const lon = h('input', { name: 'lon_col', placeholder: '经度' });
  const lat = h('input', { name: 'lat_col', placeholder: '纬度' });
  const props = h('textarea', { name: 'prop', rows: 3, placeholder: 'video=是否视频\npermit=许可证号', 'data-testid': 'import-props' });
  const regionOpts = h('div', { class: 'opts' }, field(t('import.level'), level), field(t('import.parent'), parent, t('import.parent.hint')));
  const siteOpts = h('div', { class: 'opts' }, field(t('import.sitekind'), siteKind),
    field(t('import.wkt'), wkt), field(t('import.lon'), lon), field(t('import.lat'), lat),
    field(t('import.props'), props, t('import.props.hint')));
  const propOpts = h('div', { class: 'opts' }, field(t('import.idprop'), idProp), field(t('import.nameprop'), nameProp));
  const crsOpts = h('div', { class: 'opts' }, field(t('import.crs'), crs));
  const help = h('p', { class: 'muted small' });
  const result = h('div', { 'data-testid': 'import-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'import-submit' }, t('import.submit'));
  const sync = () => {
    const k = kind.value;
    regionOpts.hidden = k !== 'regions';
    siteOpts.hidden = k !== 'sites';
    propOpts.hidden = k !== 'regions' && k !== 'sites';
    crsOpts.hidden = k !== 'regions' && k !== 'sites';
    help.textContent = t('import.help.' + k);
  };
  kind.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'card importform', 'data-testid': 'import-form' },
    h('div', { class: 'opts' }, field(t('import.kind'), kind), field(t('import.file'), file)), help,
    regionOpts, siteOpts, propOpts, crsOpts, submit, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    const f = file.files?.[0];
    if (!f) return file.focus();
    const fd = new FormData();
    fd.append('file', f, f.name);
    const k = kind.value;
    const add = (name: string, el: HTMLInputElement | HTMLSelectElement) => { if (!el.closest('[hidden]') && el.value.trim()) fd.append(name, el.value.trim()); };
    add('level', level); add('parent', parent); add('crs', crs); add('site_kind', siteKind);
    add('id_prop', idProp); add('name_prop', nameProp); add('wkt_col', wkt); add('lon_col', lon); add('lat_col', lat);
    if (k === 'sites') {
      const p = propFields(props.value);
      if (p.bad.length) {
        result.append(h('div', { class: 'refused' }, h('strong', {}, t('import.props.bad')), h('ul', {}, p.bad.map((b) => h('li', {}, b)))));
        return;
      }
      p.props.forEach((v) => fd.append('prop', v));
    }
    submit.disabled = true;
    result.append(h('p', { class: 'muted' }, t('import.running', { name: f.name })));
    try {
      const rep = await api.post<ImportReport>('/api/imports/' + encodeURIComponent(k), fd);
      clear(result);
      const rejected = rep.batch?.rejected ?? 0;
      result.append(h('div', { class: 'imported', 'data-testid': 'import-ok' },
        h('strong', {}, t('import.ok', { name: f.name })),
        h('p', { 'data-testid': 'import-summary' }, importSummary(rep, k, { level: level.value, siteKind: siteKind.value })),
        rep.notes?.length ? h('ul', { class: 'notes' }, rep.notes.map((n) => h('li', {}, n))) : null,
        rejected ? h('p', { class: 'warn' }, t('import.rejected', { n: rejected })) : null,
        rep.batch?.errors?.length ? h('ol', { class: 'rows', 'data-testid': 'import-rejected-rows' },
          rep.batch.errors.map((e) => h('li', {}, rowInWords(`${e.file}:${e.line}: ${e.field ? `field ${e.field}: ` : ''}${e.reason}`)))) : null,
        rep.reclassified?.length ? h('p', {}, t('import.reclassified', { n: rep.reclassified.length })) : null,
        rep.text ? h('details', { class: 'detail' }, h('summary', {}, t('import.cli')), h('pre', { class: 'cli' }, rep.text)) : null));
      toast(t('import.ok', { name: f.name }));
      file.value = '';
      refreshTables();
    } catch (err) {
      clear(result);
      const msg = err instanceof ApiError ? err.message : (err as Error).message;
      const { head, rows } = refusedRows(msg);
      result.append(h('div', { class: 'refused', role: 'alert', 'data-testid': 'import-refused' },
        h('strong', {}, t('import.refused')),
        h('p', {}, head),
        rows.length ? h('ol', { class: 'rows' }, rows.map((r) => h('li', { title: r }, rowInWords(r)))) : null));
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', {}, h('h2', {}, t('admin.imports')), form);
}

function userSection(): HTMLElement {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', 'data-testid': 'user-name' });
  const role = h('select', { name: 'role', 'data-testid': 'user-role' }, ['supervisor', 'official', 'auditor', 'admin'].map((r) => h('option', { value: r }, t('role.' + r))));
  const regions = h('input', { name: 'regions', placeholder: '140225-006-009', 'data-testid': 'user-regions' });
  const phone = h('input', { name: 'phone', type: 'tel' });
  const pw = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: 8, required: true, 'data-testid': 'user-password' });
  const err = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card userform' },
    h('h3', {}, t('user.add')),
    h('div', { class: 'opts' }, field(t('login.name'), name), field(t('user.role'), role), field(t('user.regions'), regions, t('user.regions.hint')),
      field(t('user.phone'), phone), field(t('login.password'), pw, t('user.password.hint'))),
    err, h('button', { type: 'submit', class: 'primary', 'data-testid': 'user-submit' }, t('user.add')));
  // A refusal stands until the form is changed (it stayed under the next problem the browser caught itself).
  form.addEventListener('input', () => { err.textContent = ''; });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const u = await api.post<User>('/api/users', { name: name.value.trim(), role: role.value, regions: regions.value.split(/[,，\s]+/).filter(Boolean), phone: phone.value.trim(), password: pw.value });
      toast(t('user.added', { name: u.name }));
      form.reset();
      refreshTables();
    } catch (e2) {
      err.textContent = userRefusal(e2);
    }
  });
  const box = h('div', { 'data-table': 'users' });
  return h('section', {}, h('h2', {}, t('admin.users')), userSearch(), box, form);
}

/**
 * The users shown: those a search finds, newest first, a page at a time
 * (a province has tens of thousands: all of them took half a minute to
 * draw).
 */
const USER_PAGE = 100;
const userQuery = { q: '', role: '', shown: USER_PAGE };

/** userSearch: a name, phone or region, and a role, to find users by. */
function userSearch(): HTMLElement {
  userQuery.q = ''; userQuery.role = ''; userQuery.shown = USER_PAGE;
  const q = h('input', { type: 'search', placeholder: t('user.search'), 'aria-label': t('user.search'), 'data-testid': 'user-search' });
  const role = h('select', { 'aria-label': t('user.role'), 'data-testid': 'user-search-role' },
    h('option', { value: '' }, t('user.roles.all')), ['supervisor', 'official', 'auditor', 'admin'].map((r) => h('option', { value: r }, t('role.' + r))));
  let wait = 0;
  const find = () => {
    clearTimeout(wait);
    userQuery.q = q.value.trim(); userQuery.role = role.value; userQuery.shown = USER_PAGE;
    refreshTables(['users']);
  };
  q.addEventListener('input', () => { clearTimeout(wait); wait = window.setTimeout(find, 300); });
  role.addEventListener('change', find);
  const form = h('form', { class: 'inline usersearch', role: 'search' }, q, role, h('button', { type: 'submit', class: 'small' }, t('rl.search.go')));
  form.addEventListener('submit', (e) => { e.preventDefault(); find(); });
  return form;
}

/** usersShown: how many users are found and shown, and a button for the next page. */
function usersShown(n: number, total: number): HTMLElement {
  const more = n < total ? h('button', { type: 'button', class: 'small', 'data-testid': 'users-more',
    onclick: () => { userQuery.shown += USER_PAGE; refreshTables(['users']); } }, t('user.more', { n: Math.min(USER_PAGE, total - n) })) : null;
  return h('p', { class: 'muted', 'data-testid': 'users-count' }, t(n < total ? 'user.count.some' : 'user.count', { n, total }), more ? ' ' : '', more);
}

/** act runs an account change and says how it went (a refusal as refused says it). */
async function act(run: () => Promise<string>, refused: (e: unknown) => string = (e) => errorText(e, t)): Promise<void> {
  try {
    toast(await run());
    refreshTables();
  } catch (e) {
    toast(refused(e), 'err');
  }
}

/** resetForm: a new password for a user, in place of the buttons. */
function resetForm(u: UserRow, buttons: HTMLElement): HTMLElement {
  const pw = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, required: true, 'aria-label': t('user.reset.new', { name: u.name }),
    placeholder: t('user.reset.new', { name: u.name }), 'data-testid': 'reset-password' });
  const form = h('form', { class: 'inline', 'data-testid': 'reset-form' }, pw,
    h('button', { type: 'submit', class: 'primary small', 'data-testid': 'reset-submit' }, t('user.reset.ok')),
    h('button', { type: 'button', class: 'small', onclick: () => { form.replaceWith(buttons); } }, t('cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await act(async () => {
      const r = await api.post<PasswordChanged>(`/api/users/${u.id}/password`, { password: pw.value });
      return t('user.reset.toast', { name: u.name, n: r.sessions_ended });
    }, userRefusal);
  });
  queueMicrotask(() => pw.focus());
  return form;
}

/** usersTable: the users with their state, and disable/enable and reset. */
function usersTable(rows: UserRow[], cols: [string, string][]): HTMLElement {
  const me = getSession()?.user.id;
  const actions = (u: UserRow) => {
    const td = h('td', { class: 'actions' });
    const buttons = h('span', { class: 'btns' },
      u.id === me ? h('span', { class: 'muted small' }, t('user.self'))
        : u.disabled
          ? h('button', { type: 'button', class: 'small', 'data-testid': 'user-enable',
            onclick: () => act(async () => { await api.post(`/api/users/${u.id}/enable`); return t('user.enabled.toast', { name: u.name }); }) }, t('user.enable'))
          : confirmButton(t('user.disable'), t('user.disable.confirm'), 'user-disable',
            () => act(async () => { await api.post(`/api/users/${u.id}/disable`); return t('user.disabled.toast', { name: u.name }); })),
      h('button', { type: 'button', class: 'small', 'data-testid': 'user-reset', onclick: () => buttons.replaceWith(resetForm(u, buttons)) }, t('user.reset')));
    td.append(buttons);
    return td;
  };
  // The name, its state and the actions first: on a phone they show
  // without scrolling the table sideways.
  const [first, second, ...rest] = cols;
  const td = (u: UserRow, [k]: [string, string]) => { const v = cellsOf(u)[k]; return h('td', { class: typeof v === 'number' ? 'num' : '' }, cell(v)); };
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'users-table' },
    h('thead', {}, h('tr', {}, [first, second].map(([, label]) => h('th', {}, label)), h('th', {}, t('user.state')), h('th', {}, t('user.actions')),
      rest.map(([, label]) => h('th', {}, label)))),
    h('tbody', {}, rows.map((u) => h('tr', { class: u.disabled ? 'off' : '', 'data-user': u.name },
      td(u, first), td(u, second),
      h('td', {}, h('span', { class: 'badge ' + (u.disabled ? 'bad' : 'ok'), 'data-testid': 'user-state' }, t(u.disabled ? 'user.disabled' : 'user.active'))),
      actions(u), rest.map((c) => td(u, c)))))));
}

/** tokensTable: the API tokens, the active ones with a revoke button
 * beside their state (seen on a phone without scrolling sideways). */
function tokensTable(rows: Token[], cols: [string, string][]): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, '—');
  const badge: Record<string, string> = { active: 'ok', expired: '', revoked: 'bad' };
  const value = (k: Token, c: string) => {
    if (c === 'state') return h('span', { class: 'badge ' + (badge[k.state] ?? ''), 'data-testid': 'token-state' }, t('token.state.' + k.state));
    return c === 'last_used' && !k.last_used ? t('token.never') : cell(cellsOf(k)[c]);
  };
  const revoke = (k: Token) => h('td', { class: 'actions' }, k.state !== 'active' ? null
    : confirmButton(t('token.revoke'), t('token.revoke.confirm'), 'token-revoke',
      () => act(async () => { await api.post(`/api/tokens/${k.id}/revoke`); return t('token.revoked', { name: k.name, user: k.user_name }); })));
  const head = cols.flatMap(([c, label]) => [h('th', {}, label), c === 'state' ? h('th', {}, t('user.actions')) : null]);
  const row = (k: Token) => h('tr', { 'data-token': String(k.id) },
    cols.flatMap(([c]) => [h('td', { class: typeof cellsOf(k)[c] === 'number' ? 'num' : '' }, value(k, c)), c === 'state' ? revoke(k) : null]));
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'tokens-table' },
    h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows.map(row))));
}

/** A user as the users table shows them: role and regions in words. */
type UserRow = Omit<User, 'regions'> & { role_name: string; regions: string };

/** cellsOf: an answer's row as named cells, for the tables' columns. */
const cellsOf = (o: object) => o as Record<string, unknown>;

/** Each table: its columns and how its answer becomes rows in a box. */
const tables: [string, [string, string][], (box: HTMLElement, heads: [string, string][]) => Promise<void>][] = [
  ['users', [['id', 'ID'], ['name', 'login.name'], ['role_name', 'user.role'], ['regions', 'user.regions'], ['phone', 'user.phone'], ['created_at', 'user.created']],
    async (box, heads) => {
      const r = await api.get<UserList>('/api/users' + qs({ q: userQuery.q, role: userQuery.role, limit: userQuery.shown }));
      const names = r.regions ?? {};
      const area = (ids: string[] | undefined) => (ids?.length ? ids.map((id) => (names[id] ? `${names[id]}（${id}）` : id)).join('、') : t('chg.citywide'));
      const users = r.users ?? [];
      box.append(usersShown(users.length, r.total),
        users.length ? usersTable(users.map((u) => ({ ...u, role_name: t('role.' + u.role), regions: area(u.regions) })), heads) : '');
    }],
  ['tokens', [['name', 'token.name'], ['user_name', 'token.user'], ['state', 'token.state'], ['expires_at', 'token.expires'],
    ['last_used', 'token.used'], ['created_at', 'token.created'], ['id', 'ID']],
  async (box, heads) => { box.append(tokensTable((await api.get<TokenList>('/api/tokens')).tokens ?? [], heads)); }],
  ['feeds', [['source', 'feed.source'], ['last_success', 'feed.success'], ['last_attempt', 'feed.attempt'], ['pulls', 'feed.pulls'],
    ['added_total', 'feed.added'], ['errors', 'feed.errors'], ['failing', 'feed.failing'], ['last_error', 'feed.lasterror']],
  async (box, heads) => {
    const feeds = (await api.get<FeedList>('/api/feeds')).feeds ?? [];
    if (!feeds.length) return void box.append(h('p', { class: 'muted' }, withCode(t('feed.none'), ['FIRMS_MAP_KEY', '[feed] map_key'])));
    box.append(objectTable(feeds.map((f) => ({ ...f, source: feedSourceName(f.source), failing: t(f.failing ? 'feed.failing' : 'feed.ok') })), heads));
  }],
  ['crossborder', [['first_seen', 'event.first'], ['border_note', 'xb.where'],
    ['class_name', 'xb.class'], ['hotspot_count', 'event.hotspots'], ['lonlat', 'xb.lonlat']],
  async (box, heads) => {
    const fc = await api.get<EventCollection>('/api/events?crossborder=true&limit=500');
    box.append(objectTable((fc.features ?? []).map((f) => ({ ...f.properties, class_name: tOr('class', f.properties?.class),
      lonlat: (f.geometry?.coordinates ?? []).map((x) => x.toFixed(4)).reverse().join(', ') })), heads));
  }],
  ['rejects', [['mn', 'monitor.mn'], ['count', 'reject.count'], ['last', 'reject.last']],
  async (box, heads) => {
    const r = await api.get<PacketRejectList>('/api/admin/packet-rejects');
    if (!r.items?.length) return void box.append(h('p', { class: 'muted' }, t('reject.none')));
    box.append(objectTable((r.counts ?? []).map((c) => ({ ...c, mn: c.mn || t('reject.nomn') })), heads),
      h('h3', {}, t('reject.recent')),
      objectTable(r.items.map((x) => ({ ...x, mn: x.mn || t('reject.nomn'), reason: tOr('reject.reason', x.reason) })),
        [['at', t('reject.at')], ['mn', t('monitor.mn')], ['reason', t('reject.reason')], ['detail', t('reject.detail')],
          ['remote', t('reject.remote')], ['packet', t('reject.packet')]]));
  }],
  ['batches', [['id', 'ID'], ['file', 'batch.file'], ['format', 'batch.format'], ['origin', 'batch.origin'], ['rows', 'batch.rows'],
    ['new', 'batch.new'], ['duplicates', 'batch.duplicates'], ['rejected', 'batch.rejected'], ['outside', 'batch.outside'], ['events_new', 'batch.events'],
    ['tasks_new', 'batch.tasks'], ['finished_at', 'batch.finished']],
  async (box, heads) => {
    const bs = (await api.get<BatchList>('/api/batches')).batches ?? [];
    box.append(objectTable(bs.map((b) => ({ ...b, format: formatName(b.format), origin: originName(b.origin || 'cli') })), heads));
  }],
];

let root: HTMLElement | null = null;
/** refreshTables draws the tables again (those named, else all). */
function refreshTables(only?: string[]): void {
  if (!root) return;
  for (const [id, cols, show] of tables) {
    if (only && !only.includes(id)) continue;
    const box = root.querySelector<HTMLElement>(`[data-table=${id}]`);
    if (!box) continue;
    const heads = cols.map(([k, label]) => [k, label.includes('.') ? t(label) : label] as [string, string]);
    // Drawn into a box of its own, put in place once whole.
    const out = h('div', {});
    show(out, heads).then(() => { clear(box); box.append(...out.childNodes); })
      .catch((e) => { clear(box); box.append(h('p', { class: 'error' }, (e as Error).message)); });
  }
}

export function render(el: HTMLElement): () => void {
  root = el;
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('admin.title'))),
    importSection(), userSection(),
    h('section', { 'data-testid': 'tokens' }, h('h2', {}, t('admin.tokens')), h('p', { class: 'muted small' }, withCode(t('token.hint'), ['skygrid token create'])),
      h('div', { 'data-table': 'tokens' })),
    h('section', {}, h('h2', {}, t('admin.feeds')), h('div', { 'data-table': 'feeds' })),
    h('section', {}, h('h2', {}, t('admin.batches')), h('div', { 'data-table': 'batches' })),
    h('section', { 'data-testid': 'packet-rejects' }, h('h2', {}, t('reject.title')), h('p', { class: 'muted' }, t('reject.note')),
      h('div', { 'data-table': 'rejects' })),
    h('section', { 'data-testid': 'crossborder' }, h('h2', {}, t('xb.title')), h('p', { class: 'muted' }, t('xb.note')), h('div', { 'data-table': 'crossborder' })));
  for (const b of el.querySelectorAll<HTMLElement>('[data-table]')) b.append(h('p', { class: 'muted' }, t('loading')));
  refreshTables();
  return () => { root = null; };
}
