// One task's page. The grid supervisor (a phone, large type): where and
// when the fire was seen, how far, navigation, acknowledge, and the report
// (finding, photos from the camera, the phone's position). The reviewer:
// the history, where the report was made, the stamped photos with their
// flags, whom to call, and close, return, reassign or note.
import { api, ApiError, NetworkError, errorText } from './api';
import { h, clear, toast, hideToast } from './dom';
import { getLang, t, tOr } from './i18n';
import { formatAgo, formatDateTime, formatShort } from './format';
import { role, isReviewer, canReadAuditLog } from './session';
import * as outbox from './outbox';
import { placeName } from './place';
import { rejectedCard } from './rejected';
import { now } from './clock';
import { fireDirection } from './position';
import { allowed, follow, lastFix, locate, type Fix } from './geolocation';
import { deadlineText, escalationText, findingHelp, findingsFor, isDust, isOpen, listedContact, seenKey, spotWhat, taskTitle } from './taskwords';
import type { TaskView } from './types';
import type { PublicReport } from './moderation';
import { passLabel } from './satpass';
import { MAX_PHOTOS, intake, intakeNote } from './photocheck';
import { EMERGENCY_INSPECTION, checklistForm } from './checklist';
import type { ChecklistItem } from './warnwords';


export function taskPage(el: HTMLElement, id: number): () => void {
  let task: TaskView | null = null;
  let gone = false;
  const drawn = { n: 0 }; // the latest draw: a slow import draws only for it
  // A refused offline report of this task, to fill the form with again.
  let prefill: outbox.RejectedReport | null = null;
  const refused = h('div', { class: 'rejectedlist' });
  const body = h('div', { class: 'taskpage' }, h('p', { class: 'muted' }, t('loading')));
  el.append(h('p', {}, h('a', { href: '#/tasks', class: 'back' }, '← ' + t('back'))), refused, body);
  const cleanups: (() => void)[] = [];
  const stopAll = () => { cleanups.splice(0).forEach((f) => f()); };

  // The notices stay even when the task itself is gone from the user's area (403).
  async function drawRefused(): Promise<void> {
    const rs = (await outbox.rejected().catch(() => [])).filter((r) => r.taskId === id);
    if (gone) return;
    clear(refused);
    const canReport = task && isOpen(task.state) && fieldWorker();
    refused.append(...rs.map((r) => rejectedCard(r, {
      again: canReport ? (r2) => { prefill = r2; draw(); body.querySelector('form.report')?.scrollIntoView({ block: 'start' }); } : undefined,
    })));
  }
  // A report that waited on the phone and is sent now: the task as it is.
  const off = outbox.onChange(() => {
    drawRefused();
    if (body.querySelector('[data-testid=report-waiting]')) outbox.list().then((rs) => { if (!gone && !rs.some((r) => r.taskId === id)) load(); }).catch(() => {});
  });

  async function load(): Promise<void> {
    try {
      task = await api.get<TaskView>(`/api/tasks/${id}`);
      if (!gone) draw();
    } catch (e) {
      task = null;
      stopAll();
      clear(body);
      body.append(h('p', { class: 'error', 'data-testid': 'task-error' }, loadErrorText(e)));
    }
    await drawRefused();
  }

  // One action at a time: on a slow network a second tap would send the
  // task's old version again and be refused as "changed by someone else".
  // The button pressed says so too: it is where the user is looking.
  let busy = false;
  let pressed: HTMLButtonElement | null = null;
  body.addEventListener('click', (e) => { pressed = (e.target as Element).closest('button'); }, true);
  async function act(action: string, payload: Record<string, unknown>): Promise<boolean> {
    if (busy) return false;
    busy = true;
    body.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    if (pressed?.isConnected) pressed.textContent = t('task.sending');
    toast(t('task.sending'), 'ok', true);
    try {
      await api.post(`/api/tasks/${id}/${action}`, { version: task!.version, ...payload });
      toast(t('task.done'));
      await load();
      return true;
    } catch (e) {
      toast(e instanceof ApiError && e.status === 409 ? t('conflict') : errorText(e, t), 'err');
      await load();
      return false;
    } finally {
      busy = false;
    }
  }

  function draw(): void {
    stopAll();
    clear(body);
    const x = task!;
    body.className = 'taskpage ' + (isReviewer() ? 'review' : 'field');
    body.append(h('h1', { 'data-testid': 'task-title' }, taskTitle(x), ' ', h('span', { class: 'badge s-' + x.state }, tOr('state', x.state))));
    body.append(facts(x));
    // An emergency inspection's place may hold no registered site (a
    // listed enterprise not in the registry): its checklist is its part.
    if (isDust(x.event_class) && x.event_class !== EMERGENCY_INSPECTION) {
      const box = h('section', { class: 'card dusttask', 'data-testid': 'dust-task' });
      body.append(box);
      // A later draw replaces the box: only a box still shown is filled.
      import('./dusttask').then(({ dustTaskSection }) => { if (!gone && box.isConnected) cleanups.push(dustTaskSection(box, x.id, x.event_class)); });
    }
    if (x.event_class === 'public_report') {
      // What the public reported: its photos (stripped of EXIF), kind and note.
      const box = h('section', { class: 'card' }, h('h2', {}, t('tp.public')));
      body.append(box);
      Promise.all([api.get<PublicReport>(`/api/tasks/${x.id}/public-report`), import('./moderation')]).then(([r, m]) => {
        if (!gone && box.isConnected) box.append(h('p', {}, tOr('pr.kind', r.kind)), m.reportFacts(r));
      }).catch((e) => { if (box.isConnected) box.append(h('p', { class: 'error' }, errorText(e, t))); });
    }
    if (fieldWorker()) {
      body.append(navButtons(x));
      if (x.state === 'dispatched') {
        body.append(h('button', { type: 'button', class: 'primary wide big', 'data-testid': 'ack', onclick: () => act('acknowledge', {}) }, t('tp.ack')));
      }
      if (isOpen(x.state)) {
        // Once a report waits on the phone, a note in place of the form (and of 签收, which it does first).
        const waiting = () => { body.querySelector('[data-testid=ack]')?.remove(); body.querySelector('form.report')?.replaceWith(waitingNote()); };
        body.append(reportForm(x, prefill, async () => { prefill = null; await outbox.dismissTask(x.id).catch(() => {}); await load(); }, waiting));
        outbox.list().then((rs) => { if (!gone && rs.some((r) => r.taskId === x.id)) waiting(); }).catch(() => {});
      }
    }
    const tail = canReadAuditLog() ? h('p', {}, h('a', { href: `#/auditlog?task=${x.id}`, 'data-testid': 'task-auditlog' }, t('log.history'))) : null;
    if (!isReviewer()) {
      const sent = sentPhotos(x);
      if (sent) body.append(sent);
      if (tail) body.append(tail);
      return;
    }
    // The review part and its map load only for reviewers (a supervisor's
    // phone does not fetch Leaflet for the task page).
    const seq = ++drawn.n;
    import('./review').then(({ reviewSection }) => {
      if (gone || seq !== drawn.n) return;
      cleanups.push(reviewSection(body, x, act));
      if (tail) body.append(tail);
    });
  }

  load();
  // How far from here, kept up to date while the page is open (when the
  // user has allowed the position; else the report form asks).
  let unfollow = () => {};
  allowed().then((ok) => {
    if (ok && !gone && fieldWorker()) unfollow = follow(() => { if (task && !gone) body.querySelector('.facts')?.replaceWith(facts(task)); });
  });
  // The countdown and "3小时前" stay true while the page is open.
  const timer = window.setInterval(() => {
    if (!task || document.querySelector('.taskpage form :focus, .taskpage textarea:focus, .taskpage input:focus')) return;
    body.querySelector('.facts')?.replaceWith(facts(task));
  }, 30000);
  return () => { gone = true; clearInterval(timer); off(); stopAll(); unfollow(); };
}

const fieldWorker = () => role() === 'supervisor' || role() === 'admin';

/** facts: where, when, how far and the deadline, as a list of labelled lines. */
function facts(x: TaskView): HTMLElement {
  const at = now();
  const due = deadlineText(x, at);
  const fix = fieldWorker() ? lastFix() : null;
  const row = (label: string, value: string | Node | null, testid?: string, cls = '') =>
    value ? h('div', { class: 'fact ' + cls }, h('dt', {}, label), h('dd', { 'data-testid': testid }, value)) : null;
  const seen = x.first_seen ?? x.event?.first_seen;
  const count = x.event?.hotspot_count ?? 0;
  const contact = listedContact(x);
  return h('dl', { class: 'facts' },
    // An emergency inspection: which listed site or enterprise, and whom to call there.
    row(t('tp.listed'), x.listed_name || null, 'task-listed'),
    // The number is on its call button (one tap), else said as listed.
    contact ? row(t('tp.contact'), contact.tel
      ? h('span', {}, x.listed_contact ?? '', ' ', h('a', { class: 'btn call', href: contact.tel, 'data-testid': 'call-listed' }, t('rv.call', { phone: x.listed_phone ?? '' })))
      : contact.text, 'task-contact') : null,
    row(t('tp.place'), placeName(x) || t('state.unassigned'), 'task-place'),
    row(t(seenKey(x.event_class)), seen ? `${formatShort(seen, at)}（${formatAgo(seen, at)}）${count > 1 ? ' · ' + t('tp.times', { n: count }) : ''}` : null, 'task-seen'),
    x.pass ? row(t('pass.saw'), getLang() === 'zh' ? passLabel(x.pass) : `${x.pass.satellite} ${formatDateTime(x.pass.peak)}`, 'task-pass') : null,
    fix && x.lat ? row(t('tp.howfar'), fireDirection(fix, x, fix.accuracy, undefined, spotWhat(x.event_class)), 'task-distance') : null,
    row(t('tp.deadline'), due.text || null, 'task-deadline', due.over ? 'over' : ''),
    x.escalation ? row(t('tp.late'), escalationText(x.escalation), 'task-escalation', 'over') : null,
    x.state === 'reported' || x.state === 'closed' ? row(t('task.finding'), x.finding ? tOr('finding', x.finding) : null, 'task-finding') : null,
    x.notes ? row(t('task.notes'), x.notes) : null,
    x.review_note && x.state !== 'closed' ? row(t('task.reason'), x.review_note, 'task-return-reason', 'over') : null,
  );
}

/** navButtons: the map apps that take the supervisor to the fire, in words. */
function navButtons(x: TaskView): HTMLElement {
  const nav = x.navigation ?? {};
  const link = (href: string | undefined, key: string, testid: string) =>
    href ? h('a', { class: 'btn', href, target: '_blank', rel: 'noopener', 'data-testid': testid }, t(key)) : null;
  return h('section', { class: 'card nav' },
    h('h2', {}, isDust(x.event_class) ? t('dust.nav') : x.event_class === 'public_report' ? t('tp.nav.public') : t('tp.nav')),
    h('p', { class: 'muted' }, t('tp.nav.hint')),
    h('div', { class: 'navbtns' },
      link(nav.amap, 'tp.nav.amap', 'nav-amap'), link(nav.baidu, 'tp.nav.baidu', 'nav-baidu'),
      link(nav.tianditu, 'tp.nav.tianditu', 'nav-tianditu'), link(nav.geo, 'tp.nav.geo', 'nav-geo')),
    x.lat && x.lon ? h('a', { class: 'btn', href: `#/map?lat=${x.lat}&lon=${x.lon}&z=15${spotWhat(x.event_class) === 'place' ? '&what=site' : ''}`, 'data-testid': 'task-showmap' }, t('tp.map')) : null);
}

/**
 * sentPhotos: the photos a supervisor's report sent, small, each opening
 * the stamped picture: what the reviewer sees, and on a task sent back,
 * what was sent last time.
 */
function sentPhotos(x: TaskView): HTMLElement | null {
  if (!x.photos?.length) return null;
  const key = x.state === 'reported' || x.state === 'closed' ? 'tp.sent' : 'tp.sent.before';
  return h('section', { class: 'card', 'data-testid': 'sent-photos' }, h('h2', {}, t(key, { n: x.photos.length })),
    h('div', { class: 'evidence sent' }, x.photos.map((p) => h('figure', { 'data-testid': 'sent-photo' },
      h('a', { href: p.stamped_url || p.url, target: '_blank', rel: 'noopener' }, h('img', { src: p.thumb_url, alt: t('tp.sent.alt'), loading: 'lazy' }))))));
}

/** waitingNote: this task's report is kept on the phone until the network is back. */
function waitingNote(): HTMLElement {
  return h('section', { class: 'card report', 'data-testid': 'report-waiting' }, h('h2', {}, t('task.report')), h('p', { class: 'note' }, t('report.waiting')));
}

/**
 * loadErrorText says why a task cannot be shown. A task not in the user's
 * area (403: usually reassigned) or gone (404) is said in a sentence of its
 * own: the server's detail (task N is not in your area) adds nothing there.
 */
function loadErrorText(e: unknown): string {
  if (e instanceof ApiError && e.status === 403) return t('task.forbidden');
  if (e instanceof ApiError && e.status === 404) return t('task.missing');
  return errorText(e, t);
}

/** reportForm: finding (no default), photos from the camera, notes, position; saved is called when it waits on the phone. */
function reportForm(x: TaskView, prefill: outbox.RejectedReport | null, done: () => Promise<void>, saved: () => void): HTMLElement {
  const choices = h('div', { class: 'findings', role: 'radiogroup', 'data-testid': 'finding' },
    findingsFor(x.event_class).map((f) => h('label', { class: 'finding' },
      h('input', { type: 'radio', name: 'finding', value: f, required: true, 'data-testid': 'finding-' + f }),
      h('span', {}, h('b', {}, tOr('finding', f)), h('small', {}, t(findingHelp(x.event_class, f)))))));
  // A reminder to choose (请先选择核查结论) goes once a finding is chosen.
  choices.addEventListener('change', () => { if (document.getElementById('toast')?.classList.contains('err')) hideToast(); });
  const notes = h('textarea', { name: 'notes', rows: 3, 'data-testid': 'notes' });
  const photos = photoPicker();
  const pos = positionRow();
  // An emergency inspection: each measure of the list ticked, with photos.
  const items = x.checklist ?? [];
  const check = x.event_class === EMERGENCY_INSPECTION && items.length
    ? checklistForm(items, prefill?.fields.checklist ? JSON.parse(prefill.fields.checklist) as ChecklistItem[] : null) : null;
  if (prefill) {
    // The refused report's content: finding, notes and its photos (kept in IndexedDB).
    const want = prefill.fields.finding;
    choices.querySelectorAll<HTMLInputElement>('input').forEach((i) => { i.checked = i.value === want; });
    notes.value = prefill.fields.notes ?? '';
    photos.set(prefill.photos.map((p) => new File([p.blob], p.name, { type: p.type })));
  }
  const submit = h('button', { type: 'submit', class: 'primary wide big', 'data-testid': 'report-submit' }, t('task.submit'));
  const form = h('form', { class: 'card report', novalidate: true },
    h('h2', {}, t('task.report')),
    prefill ? h('p', { class: 'note', 'data-testid': 'prefilled' }, t('rejected.filled')) : null,
    check ? h('fieldset', {}, h('legend', {}, t('check.title')), check.el) : null,
    h('fieldset', {}, h('legend', {}, t('tp.step1')), choices),
    h('fieldset', {}, h('legend', {}, t('tp.step2')), photos.el),
    h('fieldset', {}, h('legend', {}, t('tp.step3')), notes),
    h('fieldset', {}, h('legend', {}, t('tp.step4')), pos.el),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (check?.missing()) return toast(t('check.need', { n: check.el.querySelectorAll('.measure.missing').length }), 'err');
    const finding = choices.querySelector<HTMLInputElement>('input:checked')?.value;
    if (!finding) { choices.scrollIntoView({ block: 'center' }); return toast(t('tp.finding.need'), 'err'); }
    const general = photos.files();
    const listed = check?.payload(general.length);
    const files = [...general, ...(listed?.files ?? [])];
    if (files.length < 1 || files.length > MAX_PHOTOS) return toast(t('task.photos.need'), 'err');
    const fields: Record<string, string> = { finding, notes: notes.value, version: String(x.version) };
    if (listed) fields.checklist = JSON.stringify(listed.checklist);
    const fix = pos.fix();
    if (fix) Object.assign(fields, { lon: String(fix.lon), lat: String(fix.lat), accuracy: String(Math.round(fix.accuracy)) });
    const pending: outbox.PendingReport = { taskId: x.id, fields, photos: files.map((f) => ({ name: f.name, type: f.type, blob: f })),
      savedAt: new Date().toISOString(), ackFirst: x.state === 'dispatched' };
    submit.disabled = true;
    submit.textContent = t('task.uploading');
    toast(t('task.uploading'), 'ok', true);
    try {
      await outbox.sendReport(pending);
      toast(t('task.submitted'));
      await done();
    } catch (err) {
      if (err instanceof NetworkError) {
        await outbox.save(pending);
        toast(t('saved.offline'));
        saved();
      } else if (err instanceof ApiError && err.status === 409) {
        toast(t('conflict'), 'err');
        await done();
      } else if (err instanceof ApiError && outbox.failureAction(err) === 'reject') {
        // Refused for what it holds: the same words as a refused offline report (the server's are English).
        toast(t(outbox.rejectionKey(err.status, err.message)), 'err');
      } else toast(errorText(err, t), 'err');
    } finally {
      submit.disabled = false;
      submit.textContent = t('task.submit');
    }
  });
  return form;
}

/** photoPicker: the camera first, the gallery second; previews to remove. */
function photoPicker(): { el: HTMLElement; files: () => File[]; set: (fs: File[]) => void } {
  let files: File[] = [];
  const previews = h('div', { class: 'previews' });
  const count = h('p', { class: 'muted' });
  // What was not added and why, until the next choice: a gallery offers HEIC as readily as JPEG.
  const refused = h('p', { class: 'error', role: 'alert', 'data-testid': 'photo-refused', hidden: true });
  const input = (capture: boolean, testid: string) => {
    const i = h('input', { type: 'file', accept: 'image/*', capture: capture ? 'environment' : null, multiple: !capture, 'data-testid': testid, class: 'visually-hidden' });
    i.addEventListener('change', () => { add(Array.from(i.files ?? [])); i.value = ''; });
    return i;
  };
  const add = (fs: File[]) => {
    const r = intake(files, fs, MAX_PHOTOS);
    files = r.keep;
    refused.textContent = intakeNote(r, MAX_PHOTOS, (w, vars) => t(`photo.${w}`, vars));
    refused.hidden = !refused.textContent;
    draw();
  };
  const draw = () => {
    previews.querySelectorAll('img').forEach((img) => URL.revokeObjectURL(img.src));
    clear(previews);
    files.forEach((f, i) => previews.append(h('figure', { 'data-testid': 'photo-preview' },
      h('img', { src: URL.createObjectURL(f), alt: f.name }),
      h('button', { type: 'button', class: 'remove', onclick: () => { files.splice(i, 1); draw(); } }, '✕ ' + t('tp.photo.remove')))));
    count.textContent = t('tp.photos.n', { n: files.length });
  };
  draw();
  const el = h('div', { class: 'photopicker' },
    h('div', { class: 'pickrow' },
      h('label', { class: 'btn primary big' }, t('tp.camera'), input(true, 'photos')),
      h('label', { class: 'btn big' }, t('tp.gallery'), input(false, 'photos-gallery'))),
    count, refused, previews);
  return { el, files: () => files, set: (fs) => { files = fs.slice(0, MAX_PHOTOS); draw(); } };
}

/** positionRow: the phone's position for the report, with why it is asked. */
function positionRow(): { el: HTMLElement; fix: () => Fix | null } {
  const out = h('p', { 'data-testid': 'report-position' });
  const show = () => {
    clear(out);
    const f = lastFix();
    if (f) out.append(t('tp.pos.auto', { acc: Math.round(f.accuracy) }));
    else out.append(h('span', { class: 'muted' }, t('tp.pos.why')), ' ',
      h('button', { type: 'button', onclick: () => { out.lastElementChild!.textContent = t('tp.locating'); locate().then(show, () => { clear(out); out.append(h('span', { class: 'error' }, t('tp.nolocate'))); }); } }, t('tp.pos.get')));
  };
  show();
  allowed().then((ok) => { if (ok) locate().then(show).catch(() => {}); });
  return { el: out, fix: lastFix };
}
