// 操作日志: who did what and when, by task or by user (auditors and
// admins). The filter lives in the hash: #/auditlog?task=12&actor=wangge.
import { api, qs, ApiError } from './api';
import { h, clear } from './dom';
import { formatDateTime, nextDay } from './format';
import { actionKey } from './auditutil';
import { describeChange, type Names } from './auditchange';
import { actorName } from './words';
import { dictionaries, getLang, t } from './i18n';

interface Entry { id: number; at: string; actor: string; action: string; entity: string; entity_id: string; before?: string; after?: string }

const PAGE = 100;
const ACTIONS = ['task.', 'task.dispatch', 'task.acknowledge', 'task.report', 'task.close', 'task.return', 'task.reassign', 'task.escalate',
  'ingest', 'event.create', 'event.reclassify', 'sites.import', 'regions.import', 'supervisors.import', 'user.add', 'user.disable', 'user.enable', 'user.password',
  'token.create', 'token.revoke', 'feed.failing', 'public_report.file', 'public_report.accept', 'public_report.reject', 'public_report.reward',
  'warning.issue', 'warning.extend', 'warning.lift'];

/** actionName: the action in the UI's language (an event's creation by its class), or the code. */
export function actionName(action: string, after = ''): string {
  const k = actionKey(action, after);
  return dictionaries[getLang()][k] ?? dictionaries.zh[k] ?? action;
}

export function render(el: HTMLElement): () => void {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  let disposed = false;
  const task = h('input', { type: 'number', min: 1, step: 1, value: q.get('task') ?? '', 'data-testid': 'log-task', inputmode: 'numeric' });
  const actor = h('input', { type: 'text', value: q.get('actor') ?? '', 'data-testid': 'log-actor', autocomplete: 'off' });
  const action = h('select', { 'data-testid': 'log-action' }, h('option', { value: '' }, t('log.all')),
    ACTIONS.map((a) => h('option', { value: a, selected: a === q.get('action') }, a === 'task.' ? `${t('entity.task')}（${t('log.all')}）` : actionName(a))));
  const since = h('input', { type: 'date', value: q.get('since') ?? '', 'data-testid': 'log-since' });
  const until = h('input', { type: 'date', value: q.get('until') ?? '', 'data-testid': 'log-until' });
  const lab = (k: string, input: HTMLElement) => h('label', {}, t(k), input);
  const form = h('form', { class: 'card filters', 'data-testid': 'log-filter' },
    lab('log.task', task), lab('log.actor', actor), lab('log.action', action), lab('log.since', since), lab('log.until', until),
    h('div', { class: 'fld go' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'log-submit' }, t('audit.load'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (task.value) p.set('task', task.value);
    if (actor.value.trim()) p.set('actor', actor.value.trim());
    if (action.value) p.set('action', action.value);
    if (since.value) p.set('since', since.value);
    if (until.value) p.set('until', until.value);
    const hash = '#/auditlog' + (p.toString() ? '?' + p : '');
    if (location.hash === hash) load(true); else location.hash = hash;
  });

  const title = q.get('task') ? t('log.fortask', { id: q.get('task')! }) : t('log.title');
  const count = h('span', { class: 'muted', 'data-testid': 'log-count' });
  const tbody = h('tbody');
  const table = h('div', { class: 'tablewrap' }, h('table', { class: 'grid log', 'data-testid': 'log-table' },
    h('thead', {}, h('tr', {}, ['log.at', 'log.actor', 'log.action', 'log.entity', 'log.id', 'log.change'].map((k) => h('th', {}, t(k))))), tbody));
  const more = h('button', { type: 'button', 'data-testid': 'log-more', hidden: true, onclick: () => load(false) }, t('log.more'));
  const msg = h('p', { class: 'muted' });
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, title), count), form, msg, table, h('div', { class: 'navbtns' }, more));

  let shown = 0;
  let last = 0;
  async function load(fresh: boolean): Promise<void> {
    if (fresh) { clear(tbody); shown = 0; last = 0; }
    msg.textContent = t('loading');
    msg.className = 'muted';
    const params: Record<string, string | number> = { limit: PAGE };
    if (q.get('task')) { params.entity = 'task'; params.id = q.get('task')!; }
    for (const k of ['actor', 'action', 'since', 'until']) if (q.get(k)) params[k] = q.get(k)!;
    if (q.get('until')) params.until = nextDay(q.get('until')!); // the day is included
    if (last) params.before = last;
    try {
      const r = await api.get<{ entries: Entry[]; regions?: Names }>('/api/audit' + qs(params));
      if (disposed) return;
      const es = r.entries ?? [];
      tbody.append(...es.map((e) => row(e, r.regions ?? {})));
      shown += es.length;
      if (es.length) last = es[es.length - 1].id;
      more.hidden = es.length < PAGE;
      count.textContent = t('log.n', { n: shown });
      msg.textContent = shown ? '' : t('log.empty');
    } catch (e) {
      if (disposed) return;
      msg.className = 'error';
      msg.textContent = e instanceof ApiError && e.status === 403 ? t('log.forbidden') : `${t('error')}: ${(e as Error).message}`;
      table.hidden = true;
    }
  }
  load(true);
  return () => { disposed = true; };
}

function row(e: Entry, names: Names): HTMLElement {
  const id = e.entity === 'task'
    ? h('a', { href: `#/tasks/${encodeURIComponent(e.entity_id)}` }, '#' + e.entity_id)
    : e.entity_id === '*' ? t('log.all.ids') : e.entity_id;
  const entity = dictionaries[getLang()]['entity.' + e.entity] ?? e.entity;
  const actor = h('a', { href: '#/auditlog?actor=' + encodeURIComponent(e.actor), title: e.actor }, actorName(e.actor));
  // The change in words; the record as written on hover.
  const before = describeChange(e.before, names), after = describeChange(e.after, names);
  const raw = [e.before, e.after].filter(Boolean).join(' → ');
  return h('tr', { 'data-testid': 'log-row', 'data-action': e.action, 'data-entity': e.entity, 'data-id': e.entity_id },
    h('td', { class: 'num' }, formatDateTime(e.at)), h('td', {}, actor),
    h('td', {}, h('span', { class: 'badge a-' + e.action.replace(/\W/g, '-'), title: e.action }, actionName(e.action, e.after))),
    h('td', {}, entity), h('td', {}, id),
    h('td', { class: 'wrap change', title: raw ? `${t('log.raw')}${getLang() === 'zh' ? '：' : ': '}${raw}` : null, 'data-testid': 'log-change' },
      before ? h('span', { class: 'before' }, before) : null, before && after ? ' → ' : '', after));
}
