// The moderation queue of reports from the public (举报, #/moderation): the
// officials of a county clear it fast, one report at a time (photos, kind,
// place on the map, note, the phone masked with a reveal), accept (an event
// and a task to the grid's supervisor) or reject with a reason (a quick
// reason's second tap), and the next loads. Below, the handled reports,
// where a reward is recorded (its amount asked back first).
import { api, ApiError, errorText, qs } from './api';
import { h, clear, confirmButton, toast } from './dom';
import { t, tOr } from './i18n';
import { formatDateTime } from './format';

export interface PublicReport {
  id: number; receipt: string; kind: string; kind_name?: string; note?: string; phone?: string; phone_masked?: string;
  lon: number; lat: number; county_name?: string; township_name?: string; state: string; moderation_note?: string;
  task_id?: number; reward_yuan?: number; rewarded_at?: string; photos?: string[]; created_at: string;
}

/** Reasons an official rejects with in one tap (the reporter sees them). */
const QUICK_REASONS = ['照片与举报内容不符', '经核实不属于大气污染问题', '重复举报，已在处理中'];

/** MAX_REWARD_YUAN is the largest reward recorded (store.MaxRewardYuan). */
export const MAX_REWARD_YUAN = 100000;

/** rewardProblem says what is wrong with a reward's amount as typed, '' when it can be sent. */
export function rewardProblem(typed: string): string {
  const v = Number(typed.trim());
  if (!typed.trim() || !Number.isFinite(v) || v <= 0 || v > MAX_REWARD_YUAN || Math.round(v * 100) !== v * 100) {
    return t('mod.reward.bad', { max: MAX_REWARD_YUAN });
  }
  return '';
}

/**
 * moderationRefusal says why the server refused a moderation, in the UI's
 * words: a report another official (or another tab) handled first, one
 * already rewarded; other failures as errorText says them.
 */
export function moderationRefusal(e: unknown): string {
  const msg = e instanceof ApiError ? e.message : '';
  if (e instanceof ApiError && e.status === 409) {
    if (/already rewarded/.test(msg)) return t('mod.conflict.rewarded');
    const m = /public report \d+ is (?:already )?(accepted|rejected|pending)/.exec(msg);
    if (m) return t('mod.conflict', { state: t('mod.state.' + m[1]) });
  }
  if (e instanceof ApiError && e.status === 400 && /^yuan /.test(msg)) return t('mod.reward.bad', { max: MAX_REWARD_YUAN });
  return errorText(e, t);
}

/** photoUrl is a report's photo (the copy stripped of EXIF; thumb for the small one). */
export function photoUrl(r: PublicReport, sha: string, thumb = false): string {
  return `/api/public-reports/${r.id}/photos/${sha}${thumb ? '?thumb=1' : ''}`;
}

/** reportFacts: what the public reported, as the task page and the queue show it. */
export function reportFacts(r: PublicReport, extra: HTMLElement | null = null, where: HTMLElement | null = null): HTMLElement {
  const place = [r.county_name, r.township_name].filter(Boolean).join(' ');
  return h('div', { class: 'pubreport', 'data-testid': 'public-report' },
    h('div', { class: 'photos' }, (r.photos ?? []).map((sha) =>
      h('a', { href: photoUrl(r, sha), target: '_blank', rel: 'noopener' }, h('img', { src: photoUrl(r, sha, true), alt: '', 'data-testid': 'public-photo' })))),
    h('dl', { class: 'facts' },
      h('div', { class: 'fact' }, h('dt', {}, t('mod.filed')), h('dd', {}, formatDateTime(r.created_at))),
      h('div', { class: 'fact' }, h('dt', {}, t('mod.place')), h('dd', { 'data-testid': 'public-place' },
        `${place} (${r.lon.toFixed(4)}, ${r.lat.toFixed(4)})`, where ? ' ' : '', where)),
      r.note ? h('div', { class: 'fact' }, h('dt', {}, t('mod.note')), h('dd', { 'data-testid': 'public-note' }, r.note)) : null,
      extra));
}

/** mapLink: the reported spot on the app's map, to judge it among the fields, sites and grids around. */
function mapLink(r: PublicReport): HTMLElement {
  return h('a', { href: `#/map?lat=${r.lat}&lon=${r.lon}&z=15`, 'data-testid': 'public-map' }, t('tp.map'));
}

function phoneRow(r: PublicReport): HTMLElement {
  const dd = h('dd', { 'data-testid': 'public-phone' }, r.phone_masked || t('mod.phone.none'));
  if (r.phone) {
    dd.append(' ', h('button', { type: 'button', class: 'link', 'data-testid': 'phone-reveal',
      onclick: (e: Event) => { (e.target as HTMLElement).remove(); dd.firstChild!.textContent = r.phone!; } }, t('mod.phone.show')));
  }
  return h('div', { class: 'fact' }, h('dt', {}, t('mod.phone')), dd);
}

export function render(el: HTMLElement): () => void {
  let gone = false;
  const queue = h('section', { class: 'card', 'data-testid': 'mod-queue' });
  const handled = h('section', { class: 'card', 'data-testid': 'mod-handled' });
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('mod.title'))), queue, handled);

  async function act(r: PublicReport, action: 'accept' | 'reject', body: Record<string, string>): Promise<void> {
    queue.querySelectorAll('button').forEach((b) => { (b as HTMLButtonElement).disabled = true; });
    try {
      const done = await api.post<PublicReport>(`/api/public-reports/${r.id}/${action}`, body);
      toast(action === 'accept' ? t('mod.accepted', { id: done.task_id ?? 0 }) : t('mod.rejected'));
    } catch (e) {
      toast(moderationRefusal(e), 'err');
    }
    await load();
  }

  function drawQueue(rs: PublicReport[]): void {
    clear(queue);
    queue.append(h('h2', {}, t('mod.pending', { n: rs.length })));
    const r = rs[0];
    if (!r) { queue.append(h('p', { class: 'muted', 'data-testid': 'mod-empty' }, t('mod.empty'))); return; }
    const reason = h('input', { type: 'text', maxlength: 200, placeholder: t('mod.reason'), 'data-testid': 'mod-reason' }) as HTMLInputElement;
    queue.append(h('article', { class: 'moditem', 'data-testid': 'mod-item', 'data-id': r.id },
      h('h3', {}, tOr('pr.kind', r.kind), ' ', h('span', { class: 'muted small' }, r.receipt.slice(0, 5) + '-' + r.receipt.slice(5))),
      reportFacts(r, phoneRow(r), mapLink(r)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary big', 'data-testid': 'mod-accept', onclick: () => act(r, 'accept', { note: '' }) }, t('mod.accept'))),
      h('div', { class: 'modreject' },
        // A reason a tap: the second tap turns the report away (a slip cannot).
        QUICK_REASONS.map((q) => confirmButton(q, t('mod.reject.confirm'), 'mod-quick-reason', () => act(r, 'reject', { reason: q }), { cls: '' })),
        h('div', { class: 'pickrow' }, reason, h('button', { type: 'button', 'data-testid': 'mod-reject', onclick: () => {
          if (!reason.value.trim()) { toast(t('mod.reason.need'), 'err'); reason.focus(); return; }
          act(r, 'reject', { reason: reason.value.trim() });
        } }, t('mod.reject'))))));
  }

  function rewardBox(r: PublicReport): HTMLElement | string {
    if (r.rewarded_at) return h('span', { class: 'ok', 'data-testid': 'mod-rewarded' }, t('mod.rewarded', { yuan: r.reward_yuan ?? 0 }));
    if (r.state !== 'accepted') return '';
    const yuan = h('input', { type: 'number', min: '1', step: '1', placeholder: t('mod.reward.yuan'), 'data-testid': 'mod-yuan', class: 'yuan' }) as HTMLInputElement;
    // The amount asked back before it is paid (确认奖励 50 元？); once: a
    // click while it is sent would be refused as already rewarded.
    const ready = (): boolean => {
      const bad = rewardProblem(yuan.value);
      if (bad) { toast(bad, 'err'); yuan.focus(); }
      return !bad;
    };
    return h('span', {}, yuan, confirmButton(t('mod.reward'), () => t('mod.reward.confirm', { yuan: Number(yuan.value) }), 'mod-reward', async () => {
      try {
        await api.post(`/api/public-reports/${r.id}/reward`, { yuan: Number(yuan.value) });
        await load();
      } catch (err) { toast(moderationRefusal(err), 'err'); }
    }, { cls: '', ready }));
  }

  function drawHandled(rs: PublicReport[]): void {
    clear(handled);
    const done = rs.filter((r) => r.state !== 'pending');
    if (!done.length) { handled.append(h('h2', {}, t('mod.recent')), h('p', { class: 'muted' }, t('mod.recent.none'))); return; }
    handled.append(h('h2', {}, t('mod.recent')), h('table', { class: 'modtable' }, h('tbody', {}, done.map((r) =>
      h('tr', { 'data-testid': 'mod-row', 'data-id': r.id },
        h('td', {}, formatDateTime(r.created_at)), h('td', {}, tOr('pr.kind', r.kind)), h('td', {}, r.county_name ?? ''),
        h('td', {}, t('mod.state.' + r.state), r.task_id ? h('a', { href: `#/tasks/${r.task_id}` }, ' ', t('mod.task', { id: r.task_id })) : '',
          r.state === 'rejected' && r.moderation_note ? ` · ${r.moderation_note}` : ''),
        h('td', {}, r.phone_masked ?? ''), h('td', {}, rewardBox(r)))))));
  }

  async function load(): Promise<void> {
    try {
      const [pending, all] = await Promise.all([
        api.get<{ reports: PublicReport[] }>('/api/public-reports' + qs({ state: 'pending', limit: 200 })),
        api.get<{ reports: PublicReport[] }>('/api/public-reports' + qs({ state: 'all', limit: 50 })),
      ]);
      if (gone) return;
      drawQueue(pending.reports);
      drawHandled(all.reports);
    } catch (e) {
      if (!gone) { clear(queue); queue.append(h('p', { class: 'error' }, errorText(e, t))); }
    }
  }
  load();
  return () => { gone = true; };
}
