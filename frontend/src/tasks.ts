// 任务: the list (by deadline, in words) and, from taskpage.ts, one task's page.
import { api, errorText, newestOnly, qs } from './api';
import { h, clear } from './dom';
import { t, tOr } from './i18n';
import { deadlineOf, formatAgo, formatShort } from './format';
import { role, isReviewer } from './session';
import * as outbox from './outbox';
import { placeName } from './place';
import { rejectedCard } from './rejected';
import { now } from './clock';
import { fireDirection } from './position';
import { allowed, lastFix, locate, type Fix } from './geolocation';
import { deadlineText, escalationText, isOpen, returnedText, seenKey, spotWhat, taskTitle } from './taskwords';
import { taskPage } from './taskpage';
import type { Task } from './types';

const STATE_ORDER: Record<string, number> = { dispatched: 0, acknowledged: 1, reported: 2, closed: 3 };

/** sortTasks: overdue first, then by the nearest deadline; reviewers group by state first. */
export function sortTasks<T extends { state: string; ack_due?: string; report_due?: string; created_at?: string }>(tasks: T[], byState: boolean, at = now()): T[] {
  const key = (x: T) => {
    const d = deadlineOf(x);
    return { over: d !== null && d < at ? 0 : 1, d: d ?? Number.MAX_SAFE_INTEGER, s: STATE_ORDER[x.state] ?? 9 };
  };
  return [...tasks].sort((a, b) => {
    const ka = key(a), kb = key(b);
    if (ka.over !== kb.over) return ka.over - kb.over;
    if (byState && ka.s !== kb.s) return ka.s - kb.s;
    if (!byState && (ka.s === 3) !== (kb.s === 3)) return ka.s === 3 ? 1 : -1;
    return ka.d - kb.d || String(b.created_at).localeCompare(String(a.created_at));
  });
}

/** listURL is the task list's request (the service worker keeps answers by URL). */
const listURL = (state: string) => '/api/tasks' + qs({ state, limit: 500 });

/** keepForOffline fetches the list and the open tasks through the service worker. */
export async function keepForOffline(): Promise<void> {
  const r = await api.get<{ tasks: Task[] }>(listURL(''));
  prefetchOpen(r.tasks ?? []);
}

/** prefetchOpen loads a supervisor's open tasks once while online, so the
 * service worker keeps them for a field without signal. */
function prefetchOpen(tasks: Task[]): void {
  if (role() !== 'supervisor' || !navigator.onLine || !navigator.serviceWorker?.controller) return;
  for (const x of tasks.filter((x) => isOpen(x.state)).slice(0, 30)) {
    api.get(`/api/tasks/${x.id}`).catch(() => { /* kept for later */ });
  }
}

export function render(el: HTMLElement, arg?: string): (() => void) | void {
  if (arg) return taskPage(el, Number(arg));
  if (isReviewer()) return reviewList(el);
  return listPage(el);
}

/** reviewList: the reviewers' list (reviewlist.ts, with Leaflet: loaded for them only). */
function reviewList(el: HTMLElement): () => void {
  let stop: (() => void) | void;
  let gone = false;
  import('./reviewlist').then((m) => { if (!gone) stop = m.render(el); }).catch((e) => el.append(h('p', { class: 'error' }, errorText(e, t))));
  return () => { gone = true; stop?.(); };
}

function listPage(el: HTMLElement): () => void {
  const reviewer = isReviewer();
  const stateSel = h('select', { 'aria-label': t('tasks.state'), 'data-testid': 'task-state' },
    h('option', { value: '' }, t('tasks.all')),
    ...['dispatched', 'acknowledged', 'reported', 'closed'].map((s) => h('option', { value: s }, tOr('state', s))));
  const list = h('ul', { class: 'tasklist' + (reviewer ? '' : ' field') });
  const count = h('span', { class: 'muted' });
  // How far each fire is: the phone's position, asked on a tap.
  const where = h('div', { class: 'whereami' });
  // Offline reports the server refused: first, until dismissed.
  const refused = h('div', { class: 'rejectedlist', 'data-testid': 'rejected-list' });
  const drawRefused = async () => {
    const rs = await outbox.rejected().catch(() => []);
    clear(refused);
    refused.append(...rs.map((r) => rejectedCard(r, { open: true })));
  };
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('tasks.title')), stateSel, count));
  if (!reviewer) el.append(where);
  el.append(refused, list);
  drawRefused();
  const off = outbox.onChange(() => { drawRefused(); });
  let tasks: Task[] = [];
  const draw = () => {
    clear(list);
    const at = now();
    if (!tasks.length) list.append(h('li', { class: 'muted' }, t('tasks.empty')));
    for (const x of sortTasks(tasks, reviewer, at)) list.append(taskCard(x, reviewer, at, lastFix()));
  };
  const drawWhere = () => {
    clear(where);
    if (!lastFix()) where.append(h('button', { type: 'button', class: 'wide', 'data-testid': 'locate', onclick: async () => {
      where.firstElementChild!.textContent = t('tp.locating');
      try { await locate(); draw(); drawWhere(); } catch { clear(where); where.append(h('p', { class: 'error' }, t('tp.nolocate'))); }
    } }, t('tp.locate')));
  };
  drawWhere();
  allowed().then((ok) => { if (ok && !lastFix()) locate().then(() => { draw(); drawWhere(); }).catch(() => {}); });
  // Only the newest request's answer is drawn (newestOnly).
  const ask = newestOnly();
  const load = async () => {
    const current = ask();
    try {
      const r = await api.get<{ tasks: Task[]; total: number }>(listURL(stateSel.value));
      if (!current()) return;
      prefetchOpen(r.tasks ?? []);
      tasks = r.tasks ?? [];
      count.textContent = t('tasks.count', { n: r.total ?? tasks.length });
      draw();
    } catch (e) {
      if (!current()) return;
      clear(list);
      list.append(h('li', { class: 'error' }, errorText(e, t)));
    }
  };
  stateSel.addEventListener('change', load);
  load();
  const timer = window.setInterval(draw, 30000);
  return () => { clearInterval(timer); off(); };
}

/** taskCard: a task in a list, in words a supervisor reads at a glance. */
function taskCard(x: Task, reviewer: boolean, at: number, fix: Fix | null): HTMLElement {
  const due = deadlineText(x, at);
  return h('li', { 'data-testid': 'task-item', class: 'task ' + x.state + (due.over ? ' overdue' : '') },
    h('a', { href: `#/tasks/${x.id}` },
      h('div', { class: 'row1' },
        h('strong', { class: 'title' }, taskTitle(x)), ' ',
        h('span', { class: 'badge s-' + x.state }, tOr('state', x.state))),
      h('div', { class: 'row2', 'data-testid': 'task-place' }, placeName(x) || t('state.unassigned'), reviewer && x.supervisor_name ? ` · ${x.supervisor_name}` : ''),
      x.first_seen ? h('div', { class: 'row2', 'data-testid': 'task-seen' }, `${t(seenKey(x.event_class))} ${formatShort(x.first_seen, at)}（${formatAgo(x.first_seen, at)}）`) : null,
      fix && x.lat ? h('div', { class: 'row2 dist', 'data-testid': 'task-distance' }, fireDirection(fix, x, fix.accuracy, undefined, spotWhat(x.event_class))) : null,
      // Sent back by the reviewer: said on the card, not only inside the task (it read 已签收 like any other).
      returnedText(x) ? h('div', { class: 'countdown over', 'data-testid': 'task-returned' }, returnedText(x)) : null,
      due.text ? h('div', { class: 'countdown' + (due.over ? ' over' : '') }, due.text) : null,
      // Only while it is still to be done: a reported task's lateness is history (its page keeps it).
      x.escalation && isOpen(x.state) ? h('div', { class: 'countdown over' }, escalationText(x.escalation)) : null,
      h('div', { class: 'muted small' }, `${t('task.title')} ${x.id}`)));
}

