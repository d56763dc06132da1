// The notice of an offline report the server refused: why, when it was
// saved, its photos (kept until dismissed), and what the supervisor can do.
import { h } from './dom';
import { t, tOr } from './i18n';
import { formatDateTime } from './format';
import * as outbox from './outbox';

export interface RejectedActions {
  /** again fills the task's report form with the saved report (task page only). */
  again?: (r: outbox.RejectedReport) => void;
  /** open shows a link to the task (lists). */
  open?: boolean;
  /** dismissed runs after the record is deleted. */
  dismissed?: () => void;
}

/** rejectedWhy is the Chinese (or English) explanation of a refusal. */
export function rejectedWhy(r: { status: number; reason?: string }): string {
  return t(outbox.rejectionKey(r.status, r.reason));
}

export function rejectedCard(r: outbox.RejectedReport, a: RejectedActions = {}): HTMLElement {
  const dismiss = h('button', { type: 'button', 'data-testid': 'rejected-dismiss', onclick: async () => {
    if (!window.confirm(t('rejected.confirm'))) return;
    await outbox.dismiss(r.id!);
    card.remove();
    a.dismissed?.();
  } }, t('rejected.dismiss'));
  const card = h('section', { class: 'card rejected', role: 'alert', 'data-testid': 'rejected-report', 'data-task': r.taskId },
    h('h2', {}, '⚠ ', t('rejected.title'), ' · ', t('offline.task', { id: r.taskId })),
    h('p', { class: 'why' }, rejectedWhy(r)),
    // The server's own words (English, for whoever helps the supervisor) as the detail.
    h('p', { class: 'server muted small', title: `HTTP ${r.status}` }, t('rejected.detail'), '：', h('span', { 'data-testid': 'rejected-reason', lang: 'en' }, r.reason)),
    h('p', { class: 'muted' },
      `${t('rejected.saved')} ${formatDateTime(r.savedAt)} · ${tOr('finding', r.fields.finding)}`,
      r.fields.notes ? ` · ${r.fields.notes}` : '', h('br'), t('rejected.photos', { n: r.photos.length })),
    h('div', { class: 'actions' },
      a.again ? h('button', { type: 'button', class: 'primary', 'data-testid': 'rejected-again', onclick: () => a.again!(r) }, t('rejected.again')) : null,
      a.open ? h('a', { class: 'btn', href: `#/tasks/${r.taskId}`, 'data-testid': 'rejected-open' }, t('rejected.open')) : null,
      dismiss));
  return card;
}
