// 任务: the list (by deadline with a countdown) and one task's page.
import { api, ApiError, NetworkError, errorText, qs } from './api';
import { h, clear, toast } from './dom';
import { t, tOr } from './i18n';
import { deadlineOf, formatCountdown, formatDateTime } from './format';
import { role, isReviewer, canReadAuditLog } from './session';
import * as outbox from './outbox';
import { gridLabel, placeName } from './place';
import { rejectedCard } from './rejected';

const STATE_ORDER: Record<string, number> = { dispatched: 0, acknowledged: 1, reported: 2, closed: 3 };

/** sortTasks: overdue first, then by the nearest deadline; reviewers group by state first. */
export function sortTasks<T extends { state: string; ack_due?: string; report_due?: string; created_at?: string }>(tasks: T[], byState: boolean, now = Date.now()): T[] {
  const key = (x: T) => {
    const d = deadlineOf(x);
    return { over: d !== null && d < now ? 0 : 1, d: d ?? Number.MAX_SAFE_INTEGER, s: STATE_ORDER[x.state] ?? 9 };
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
  const r = await api.get<{ tasks: any[] }>(listURL(''));
  prefetchOpen(r.tasks ?? []);
}

/** prefetchOpen loads a supervisor's open tasks once while online, so the
 * service worker keeps them for a field without signal. */
function prefetchOpen(tasks: any[]): void {
  if (role() !== 'supervisor' || !navigator.onLine || !navigator.serviceWorker?.controller) return;
  for (const x of tasks.filter((x) => x.state === 'dispatched' || x.state === 'acknowledged').slice(0, 30)) {
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
  const stateSel = h('select', { 'aria-label': t('tasks.state') },
    h('option', { value: '' }, t('tasks.all')),
    ...['dispatched', 'acknowledged', 'reported', 'closed'].map((s) => h('option', { value: s }, tOr('state', s))));
  const list = h('ul', { class: 'tasklist' });
  const count = h('span', { class: 'muted' });
  // Offline reports the server refused: first, until dismissed.
  const refused = h('div', { class: 'rejectedlist', 'data-testid': 'rejected-list' });
  const drawRefused = async () => {
    const rs = await outbox.rejected().catch(() => []);
    clear(refused);
    refused.append(...rs.map((r) => rejectedCard(r, { open: true })));
  };
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('tasks.title')), stateSel, count), refused, list);
  drawRefused();
  const off = outbox.onChange(() => { drawRefused(); });
  let tasks: any[] = [];
  const draw = () => {
    clear(list);
    const now = Date.now();
    if (!tasks.length) list.append(h('li', { class: 'muted' }, t('tasks.empty')));
    for (const x of sortTasks(tasks, reviewer, now)) {
      const d = deadlineOf(x);
      const over = d !== null && d < now;
      list.append(h('li', { 'data-testid': 'task-item', class: 'task ' + x.state + (over ? ' overdue' : '') },
        h('a', { href: `#/tasks/${x.id}` },
          h('div', { class: 'row1' },
            h('strong', {}, tOr('class', x.event_class) || t('event')), ' ',
            h('span', { class: 'badge s-' + x.state }, tOr('state', x.state)),
            x.escalation ? h('span', { class: 'badge esc' }, '⚑' + x.escalation) : null),
          h('div', { class: 'row2 muted', 'data-testid': 'task-place' }, `#${x.id} · ${placeName(x) || t('state.unassigned')}`, reviewer && x.supervisor_name ? ` · ${x.supervisor_name}` : ''),
          d !== null ? h('div', { class: 'countdown' + (over ? ' over' : '') }, `${x.state === 'dispatched' ? t('task.ackdue') : t('task.reportdue')} ${formatDateTime(d)} · `, h('b', {}, formatCountdown(d - now))) : null,
        )));
    }
  };
  const load = async () => {
    try {
      const r = await api.get<{ tasks: any[]; total: number }>(listURL(stateSel.value));
      prefetchOpen(r.tasks ?? []);
      tasks = r.tasks ?? [];
      count.textContent = `${tasks.length}/${r.total ?? tasks.length}`;
      draw();
    } catch (e) {
      clear(list);
      list.append(h('li', { class: 'error' }, errorText(e, t)));
    }
  };
  stateSel.addEventListener('change', load);
  load();
  const timer = window.setInterval(draw, 30000);
  return () => { clearInterval(timer); off(); };
}

function taskPage(el: HTMLElement, id: number): () => void {
  let task: any = null;
  let gone = false;
  // A refused offline report of this task, to fill the form with again.
  let prefill: outbox.RejectedReport | null = null;
  const refused = h('div', { class: 'rejectedlist' });
  const body = h('div', { class: 'taskpage' }, h('p', { class: 'muted' }, t('loading')));
  el.append(h('p', {}, h('a', { href: '#/tasks' }, '← ' + t('back'))), refused, body);

  // The notices stay even when the task itself is gone from the user's area (403).
  async function drawRefused(): Promise<void> {
    const rs = (await outbox.rejected().catch(() => [])).filter((r) => r.taskId === id);
    if (gone) return;
    clear(refused);
    const canReport = task && (task.state === 'acknowledged' || task.state === 'dispatched') && (role() === 'supervisor' || role() === 'admin');
    refused.append(...rs.map((r) => rejectedCard(r, {
      again: canReport ? (r2) => { prefill = r2; draw(); body.querySelector('form.report')?.scrollIntoView({ block: 'start' }); } : undefined,
    })));
  }
  const off = outbox.onChange(() => { drawRefused(); });

  async function load(): Promise<void> {
    try {
      task = await api.get<any>(`/api/tasks/${id}`);
      if (!gone) draw();
    } catch (e) {
      task = null;
      clear(body);
      body.append(h('p', { class: 'error', 'data-testid': 'task-error' }, errorText(e, t)));
    }
    await drawRefused();
  }

  async function act(action: string, payload: Record<string, unknown>): Promise<void> {
    try {
      await api.post(`/api/tasks/${id}/${action}`, { version: task.version, ...payload });
      toast(t('task.done'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) toast(t('conflict'), 'err');
      else toast(errorText(e, t), 'err');
    }
    await load();
  }

  function draw(): void {
    clear(body);
    const x = task;
    const ev = x.event ?? {};
    const d = deadlineOf(x);
    const row = (k: string, v: unknown, testid?: string) => (v === undefined || v === null || v === '' ? null : h('tr', {}, h('th', {}, t(k)), h('td', { 'data-testid': testid }, String(v))));
    body.append(h('h1', {}, `${ev.class_name || tOr('class', x.event_class) || t('task.title')} `, h('small', {}, '#' + x.id), ' ', h('span', { class: 'badge s-' + x.state }, tOr('state', x.state))));
    if (d !== null) body.append(h('p', { class: 'countdown big' + (d < Date.now() ? ' over' : '') }, formatCountdown(d - Date.now())));
    body.append(h('table', { class: 'kv' },
        row('county', x.county_name || x.county_id, 'task-county'), row('township', x.township_name, 'task-township'),
        row('event.grid', gridLabel(x), 'task-grid'), row('event.supervisor', x.supervisor_name),
        row('event.first', formatDateTime(ev.first_seen)), row('event.last', formatDateTime(ev.last_seen)), row('event.hotspots', ev.hotspot_count),
        row('task.created', formatDateTime(x.created_at)), row('task.ackdue', formatDateTime(x.ack_due)), row('task.reportdue', formatDateTime(x.report_due)),
        row('task.escalation', x.escalation || null), row('task.reports', x.reports || null),
        row('task.finding', x.finding ? tOr('finding', x.finding) : null), row('task.notes', x.notes), row('task.version', x.version)),
    );
    const nav = x.navigation ?? {};
    body.append(h('div', { class: 'navbtns' },
      nav.amap ? h('a', { class: 'btn', href: nav.amap, target: '_blank', rel: 'noopener', 'data-testid': 'nav-amap' }, '高德') : null,
      nav.baidu ? h('a', { class: 'btn', href: nav.baidu, target: '_blank', rel: 'noopener', 'data-testid': 'nav-baidu' }, '百度') : null,
      nav.tianditu ? h('a', { class: 'btn', href: nav.tianditu, target: '_blank', rel: 'noopener', 'data-testid': 'nav-tianditu' }, '天地图') : null,
      nav.geo ? h('a', { class: 'btn', href: nav.geo }, 'geo:') : null,
      x.lat && x.lon ? h('a', { class: 'btn', href: `#/map?lat=${x.lat}&lon=${x.lon}&z=15` }, t('task.showmap')) : null,
      canReadAuditLog() ? h('a', { class: 'btn', href: `#/auditlog?task=${x.id}`, 'data-testid': 'task-auditlog' }, t('log.history')) : null));
    if (x.photos?.length) {
      body.append(h('div', { class: 'photos' }, x.photos.map((p: any) =>
        h('a', { href: p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.thumb_url || p.url, alt: '', loading: 'lazy', title: (p.flag_names ?? []).join(', ') }),
          p.flag_names?.length ? h('small', { class: 'flag' }, p.flag_names.join(' · ')) : null))));
    }
    const mine = role() === 'supervisor' || role() === 'admin';
    if (x.state === 'dispatched' && mine) {
      body.append(h('button', { type: 'button', class: 'primary wide', 'data-testid': 'ack', onclick: () => act('acknowledge', {}) }, t('task.ack')));
    }
    if ((x.state === 'acknowledged' || x.state === 'dispatched') && mine) body.append(reportForm(x));
    if (isReviewer() && x.state !== 'closed') body.append(reviewBox());
  }

  function reportForm(x: any): HTMLElement {
    const finding = h('select', { name: 'finding', required: true, 'data-testid': 'finding' },
      ...['straw_burning', 'open_burning', 'industrial_heat', 'false_alarm', 'not_found'].map((f) => h('option', { value: f }, tOr('finding', f))));
    const notes = h('textarea', { name: 'notes', rows: 3, 'data-testid': 'notes' });
    const photos = h('input', { type: 'file', name: 'photos', accept: 'image/*', capture: 'environment', multiple: true, 'data-testid': 'photos' });
    const pos = h('output', { class: 'muted' }, t('task.nolocate'));
    let note: HTMLElement | null = null;
    if (prefill) {
      // The refused report's content: finding, notes and its photos (kept in IndexedDB).
      finding.value = prefill.fields.finding ?? finding.value;
      notes.value = prefill.fields.notes ?? '';
      try {
        const dt = new DataTransfer();
        for (const p of prefill.photos) dt.items.add(new File([p.blob], p.name, { type: p.type }));
        photos.files = dt.files;
      } catch { /* a browser without DataTransfer: the supervisor picks the photos again */ }
      note = h('p', { class: 'note', 'data-testid': 'prefilled' }, t('rejected.filled'));
    }
    let fix: GeolocationPosition | null = null;
    const locate = () => {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition((p) => {
        fix = p;
        pos.textContent = `${p.coords.latitude.toFixed(5)}, ${p.coords.longitude.toFixed(5)} ±${Math.round(p.coords.accuracy)} m`;
      }, () => {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    };
    const submit = h('button', { type: 'submit', class: 'primary wide', 'data-testid': 'report-submit' }, t('task.submit'));
    const form = h('form', { class: 'card report' },
      h('h2', {}, t('task.report')),
      note,
      h('label', {}, t('task.finding'), finding),
      h('label', {}, t('task.notes'), notes),
      h('label', {}, t('task.photos'), photos),
      h('div', { class: 'posrow' }, t('task.position'), ': ', pos, ' ', h('button', { type: 'button', onclick: locate }, t('task.locate'))),
      submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const files = Array.from(photos.files ?? []);
      if (files.length < 1 || files.length > 5) return toast(t('task.photos.need'), 'err');
      const fields: Record<string, string> = { finding: finding.value, notes: notes.value, version: String(x.version) };
      if (fix) {
        fields.lon = String(fix.coords.longitude);
        fields.lat = String(fix.coords.latitude);
        fields.accuracy = String(Math.round(fix.coords.accuracy));
      }
      const pending: outbox.PendingReport = { taskId: x.id, fields, photos: files.map((f) => ({ name: f.name, type: f.type, blob: f })), savedAt: new Date().toISOString(),
        ackFirst: x.state === 'dispatched' };
      submit.disabled = true;
      try {
        await outbox.sendReport(pending);
        toast(t('task.submitted'));
        // Reported again: the refused copies are no longer needed.
        prefill = null;
        await outbox.dismissTask(x.id).catch(() => {});
        await load();
      } catch (err) {
        if (err instanceof NetworkError) {
          await outbox.save(pending);
          toast(t('saved.offline'));
        } else if (err instanceof ApiError && err.status === 409) {
          toast(t('conflict'), 'err');
          await load();
        } else toast(errorText(err, t), 'err');
      } finally {
        submit.disabled = false;
      }
    });
    if (navigator.permissions) {
      navigator.permissions.query({ name: 'geolocation' }).then((s) => { if (s.state === 'granted') locate(); }).catch(() => {});
    }
    return form;
  }

  function reviewBox(): HTMLElement {
    const notes = h('input', { placeholder: t('task.notes'), 'data-testid': 'close-notes' });
    const reason = h('input', { placeholder: t('task.reason'), 'data-testid': 'return-reason' });
    const grid = h('input', { placeholder: t('task.gridid'), 'data-testid': 'reassign-grid' });
    return h('div', { class: 'card review' },
      h('h2', {}, t('task.review')),
      h('div', { class: 'inline' }, notes, h('button', { type: 'button', class: 'primary', 'data-testid': 'close', onclick: () => act('close', { notes: notes.value }) }, t('task.close'))),
      h('div', { class: 'inline' }, reason, h('button', { type: 'button', 'data-testid': 'return', onclick: () => (reason.value.trim() ? act('return', { reason: reason.value.trim() }) : reason.focus()) }, t('task.return'))),
      h('div', { class: 'inline' }, grid, h('button', { type: 'button', 'data-testid': 'reassign', onclick: () => (grid.value.trim() ? act('reassign', { grid_id: grid.value.trim() }) : grid.focus()) }, t('task.reassign'))));
  }

  load();
  const timer = window.setInterval(() => { if (task && !document.querySelector('.taskpage form :focus')) { /* keep countdown fresh */ const c = body.querySelector('.countdown.big'); const d = deadlineOf(task); if (c && d !== null) c.textContent = formatCountdown(d - Date.now()); } }, 30000);
  return () => { gone = true; clearInterval(timer); off(); };
}
