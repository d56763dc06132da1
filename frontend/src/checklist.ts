// The emergency inspection's checklist (应急减排检查): on the phone, each
// measure of the warning's level with two big buttons 已落实 / 未落实, a
// photo button and a note; the report is refused here, in Chinese, until
// every measure is answered. For the official, the checklist as found,
// with each measure's photos.
import { h, clear } from './dom';
import { t } from './i18n';
import { MAX_PHOTOS, intake, intakeNote } from './photocheck';
import { checklistPayload, checklistSummary, measureText, unanswered, type ChecklistItem } from './warnwords';
import type { PhotoView } from './api/types.gen';

/** The class of an emergency inspection task (skygrid.ClassEmergencyInspection). */
export const EMERGENCY_INSPECTION = 'emergency_inspection';

export interface ChecklistForm {
  el: HTMLElement;
  /** missing marks the measures not answered and says so; true when some are. */
  missing: () => boolean;
  /** payload: the checklist with photo_index, and its photos, after `general` report photos. */
  payload: (general: number) => { checklist: ChecklistItem[]; files: File[] };
  /** photos: how many photos the measures hold. */
  photos: () => number;
}

/** checklistForm draws the measures to tick; prefill is a refused report's checklist. */
export function checklistForm(items: ChecklistItem[], prefill?: ChecklistItem[] | null, maxPhotos = MAX_PHOTOS): ChecklistForm {
  const state: ChecklistItem[] = items.map((x, i) => ({ measure: x.measure, in_place: prefill?.[i]?.in_place ?? null, note: prefill?.[i]?.note ?? '' }));
  const photos: File[][] = items.map(() => []);
  const need = h('p', { class: 'error', role: 'alert', 'data-testid': 'check-need', hidden: true });
  const rows = state.map((x, i) => measureRow(x, i, photos, { max: maxPhotos, left: () => maxPhotos - total() }, () => { rows[i].classList.remove('missing'); }));
  const total = () => photos.reduce((n, p) => n + p.length, 0);
  const el = h('div', { class: 'checklist', 'data-testid': 'checklist' }, h('p', { class: 'muted' }, t('check.hint')), ...rows, need);
  return {
    el,
    missing: () => {
      const gaps = unanswered(state);
      rows.forEach((r, i) => r.classList.toggle('missing', gaps.includes(i)));
      need.hidden = !gaps.length;
      need.textContent = gaps.length ? t('check.need', { n: gaps.length }) : '';
      if (gaps.length) rows[gaps[0]].scrollIntoView({ block: 'center' });
      return gaps.length > 0;
    },
    payload: (general) => checklistPayload(state, photos, general),
    photos: total,
  };
}

function measureRow(x: ChecklistItem, i: number, photos: File[][], room: { max: number; left: () => number }, answered: () => void): HTMLElement {
  const name = `check-${i}`;
  const answer = (value: boolean, cls: string, key: string) => {
    const input = h('input', { type: 'radio', name, value: String(value), 'data-testid': `check-${i}-${value ? 'yes' : 'no'}` });
    input.checked = x.in_place === value;
    input.addEventListener('change', () => { x.in_place = value; answered(); });
    return h('label', { class: cls }, input, t(key));
  };
  const thumbs = h('span', { class: 'thumbs' });
  const count = h('span', { class: 'muted', 'data-testid': `check-${i}-photos` });
  const refused = h('p', { class: 'error', role: 'alert', 'data-testid': `check-${i}-refused`, hidden: true });
  const drawPhotos = () => {
    thumbs.querySelectorAll('img').forEach((img) => URL.revokeObjectURL(img.src));
    clear(thumbs);
    thumbs.append(...photos[i].map((f, j) => h('button', { type: 'button', class: 'link', title: t('tp.photo.remove'),
      onclick: () => { photos[i].splice(j, 1); drawPhotos(); } }, h('img', { src: URL.createObjectURL(f), alt: f.name }))));
    count.textContent = photos[i].length ? t('check.photos.n', { n: photos[i].length }) : '';
  };
  const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', 'data-testid': `check-${i}-photo` });
  file.addEventListener('change', () => {
    const r = intake(photos[i], Array.from(file.files ?? []), photos[i].length + room.left());
    photos[i] = r.keep;
    refused.textContent = intakeNote(r, room.max, (w, vars) => t(`photo.${w}`, vars));
    refused.hidden = !refused.textContent;
    file.value = '';
    drawPhotos();
  });
  const note = h('textarea', { rows: 1, placeholder: t('check.note'), 'aria-label': t('check.note'), 'data-testid': `check-${i}-note` });
  note.value = x.note ?? '';
  note.addEventListener('input', () => { x.note = note.value; });
  return h('fieldset', { class: 'measure', 'data-testid': 'check-measure' },
    h('h3', {}, `${i + 1}. ${measureText(x.measure)}`),
    h('div', { class: 'answers', role: 'radiogroup' }, answer(true, 'yes', 'check.yes'), answer(false, 'no', 'check.no')),
    h('div', { class: 'mphotos' }, h('label', { class: 'btn big' }, t('check.photo'), file), count, thumbs),
    refused, note);
}

/** checklistReview: the checklist as the supervisor found it, each measure with its photos. */
export function checklistReview(items: ChecklistItem[], photos: PhotoView[] = []): HTMLElement {
  const bySha = new Map(photos.map((p) => [p.sha256, p]));
  return h('section', { class: 'card checkreview', 'data-testid': 'check-review' },
    h('h2', {}, t('check.review'), ' ', h('small', { class: 'muted', 'data-testid': 'check-summary' }, checklistSummary(items))),
    h('ol', {}, items.map((x) => h('li', { 'data-testid': 'check-review-item' },
      h('b', {}, measureText(x.measure)), '：',
      x.in_place === true ? h('span', { class: 'yes' }, '✓ ', t('check.yes'))
        : x.in_place === false ? h('span', { class: 'no' }, '✗ ', t('check.no')) : h('span', { class: 'muted' }, t('check.unanswered')),
      x.note ? h('span', {}, ' · ', x.note) : null,
      h('div', { class: 'thumbs' }, (x.photo_sha256 ?? []).map((sha) => bySha.get(sha)).filter((p): p is PhotoView => !!p).map((p) =>
        h('a', { href: p.stamped_url || p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.thumb_url, alt: measureText(x.measure), 'data-testid': 'check-review-photo' }))))))));
}
