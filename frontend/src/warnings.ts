// 重污染天气预警 (#/warnings): the warning in force as a band in its level's
// colour, the list of warnings with their reports, and for admins and
// auditors the form to issue one and the buttons to extend and lift it
// (each with a confirm); the emergency list (应急减排清单) with its rows not
// matched to a registered site flagged, and for admins its upload.
import { api, errorText } from './api';
import { h, clear, toast } from './dom';
import { t } from './i18n';
import { formatDateTime } from './format';
import { role } from './session';
import { now } from './clock';
import { LEVELS, LEVEL_COLORS, areaText, fromBeijingInput, inForce, levelInk, levelName, measureText, pastEnd, toBeijingInput, withdrawn, type Warning } from './warnwords';
import { refreshWarningBar } from './warnbar';
import type { EmergencyList, EmergencyRow, ImportReport, WarningList } from './api/types.gen';
import { areaRegions, cityGroups, type AreaRegion } from './areafilter';
import { progressSection } from './warnprogress';

/** One row of GET /api/emergency-list (the server names its county). */
export type EmergencyEntry = EmergencyRow;

const canIssue = () => role() === 'admin' || role() === 'auditor';
/** Who may read a warning's inspections (its report): not a supervisor. */
const canReview = () => role() !== 'supervisor';

/** The counties and their cities (a province's), asked once per page. */
type Areas = { counties: AreaRegion[]; cities: AreaRegion[] };
function countiesOf(): Promise<Areas> {
  return Promise.all([areaRegions({ level: 'county' }), areaRegions({ level: 'city' })]).then(([counties, cities]) => ({ counties, cities }));
}

export function render(el: HTMLElement): void {
  const counties = countiesOf();
  const current = h('div', { 'data-testid': 'warn-current' });
  const list = h('div', { 'data-testid': 'warn-list' });
  const elist = h('div', { 'data-testid': 'elist' });
  el.append(h('h1', {}, t('warn.title')), h('section', {}, h('h2', {}, t('warn.inforce')), current));
  if (canIssue()) el.append(issueForm(counties, () => load()));
  el.append(h('section', {}, h('h2', {}, t('warn.list')), list),
    h('section', {}, h('h2', {}, t('elist.title')), role() === 'admin' ? uploadForm(() => loadList()) : null, elist));

  // The list's rows, for what each listed site must do at a warning's level.
  let rows: Promise<EmergencyEntry[]> = Promise.resolve([]);
  async function load(): Promise<void> {
    try {
      const ws = (await api.get<WarningList>('/api/warnings')).warnings ?? [];
      const at = now();
      clear(current);
      const live = ws.filter((w) => w.state !== 'lifted' && (inForce(w, at) || w.state === 'issued'));
      current.append(...(live.length ? live.map((w) => warningCard(w, load, rows)) : [h('p', { class: 'muted', 'data-testid': 'warn-none' }, t('warn.none'))]));
      clear(list);
      list.append(warningTable(ws));
      refreshWarningBar();
    } catch (e) {
      clear(current);
      current.append(h('p', { class: 'error' }, errorText(e, t)));
    }
  }
  async function loadList(): Promise<void> {
    try {
      rows = api.get<EmergencyList>('/api/emergency-list').then((l) => l.entries ?? []);
      clear(elist);
      elist.append(emergencyTable(await rows));
    } catch (e) {
      clear(elist);
      elist.append(h('p', { class: 'error' }, errorText(e, t)));
    }
  }
  loadList();
  load();
}

/** band: the level's colour with the level and the area in large type. */
export function band(w: Warning, cls = 'warnband'): HTMLElement {
  return h('div', { class: cls, 'data-level': w.level, style: `background:${LEVEL_COLORS[w.level] ?? '#868e96'};color:${levelInk(w.level)}` },
    h('b', {}, levelName(w.level)), ' · ', areaText(w));
}

function warningCard(w: Warning, reload: () => Promise<void>, rows: Promise<EmergencyEntry[]>): HTMLElement {
  const actions = h('div', { class: 'actions' });
  const kv = (k: string, v: string | null | undefined, id?: string) => (v ? h('tr', {}, h('th', {}, t(k)), h('td', { 'data-testid': id }, v)) : null);
  const card = h('div', { class: 'card warncard', 'data-testid': 'warn-card', 'data-id': w.id },
    band(w),
    h('table', { class: 'kv' }, h('tbody', {},
      kv('warn.state', t('warn.state.' + w.state)),
      kv('warn.start', formatDateTime(w.start) + t('warn.times')),
      kv('warn.end', formatDateTime(w.expected_end) + t('warn.times'), 'warn-end'),
      // Past its expected end it stays in force (and on the public page) until lifted: said in red.
      pastEnd(w, now()) ? h('tr', { class: 'over' }, h('th', {}, ''), h('td', { 'data-testid': 'warn-pastend' }, t('warn.pastend'))) : null,
      kv('warn.tasks', w.tasks !== undefined ? t('warn.tasks.n', { n: w.tasks }) : null),
      kv('warn.reason', w.reason), kv('warn.advice', w.public_advice))),
    // Started: how its inspections stand in the user's area, and the report of them so far.
    ...(w.state === 'active' && canReview() && w.in_area ? [progressSection(w.id, w.level, rows),
      h('p', {}, h('a', { href: `/api/reports/warning/${w.id}?format=html`, target: '_blank', rel: 'noopener', 'data-testid': 'warn-progress-report' }, t('wp.report')))] : []),
    actions);
  if (canIssue()) {
    const end = h('input', { type: 'datetime-local', value: toBeijingInput(Date.parse(w.expected_end) + 24 * 3600e3), 'data-testid': 'warn-extend-to', 'aria-label': t('warn.extend.to') });
    actions.append(
      h('label', { class: 'inline' }, t('warn.extend.to'), ' ', end),
      h('button', { type: 'button', 'data-testid': 'warn-extend', onclick: () => {
        const to = fromBeijingInput(end.value);
        if (!to || Date.parse(to) <= Date.parse(w.start) || Date.parse(to) <= now()) return toast(t('warn.need.end'), 'err');
        confirmBox(actions, t('warn.extend.confirm', { level: levelName(w.level), end: formatDateTime(to) }),
          () => post(`/api/warnings/${w.id}/extend`, { expected_end: to }, 'warn.extended', reload));
      } }, t('warn.extend')),
      h('button', { type: 'button', class: 'primary', 'data-testid': 'warn-lift', onclick: () => confirmBox(actions,
        t('warn.lift.confirm', { level: levelName(w.level), area: areaText(w) }),
        () => post(`/api/warnings/${w.id}/lift`, {}, 'warn.lifted.ok', reload)) }, t('warn.lift')));
  }
  return card;
}

async function post(url: string, body: unknown, ok: string, reload: () => Promise<void>): Promise<void> {
  try {
    await api.post(url, body);
    toast(t(ok));
  } catch (e) {
    toast(errorText(e, t), 'err');
  }
  await reload();
}

/** confirmBox: the question with big 确认 and 取消 buttons, under the element. */
export function confirmBox(after: HTMLElement, question: string, yes: () => Promise<void>): void {
  after.parentElement?.querySelector('.confirm')?.remove();
  const box = h('div', { class: 'confirm', role: 'alertdialog', 'data-testid': 'warn-confirm' },
    h('p', {}, question),
    h('button', { type: 'button', class: 'primary big', 'data-testid': 'warn-confirm-yes', onclick: async (e: Event) => {
      (e.currentTarget as HTMLButtonElement).disabled = true;
      await yes();
      box.remove();
    } }, t('warn.confirm')),
    h('button', { type: 'button', class: 'big', onclick: () => box.remove() }, t('warn.cancel')));
  after.after(box);
  box.querySelector<HTMLButtonElement>('button')?.focus();
}

function warningTable(ws: Warning[]): HTMLElement {
  if (!ws.length) return h('p', { class: 'muted' }, t('warn.list.none'));
  const sorted = [...ws].sort((a, b) => Date.parse(b.start) - Date.parse(a.start));
  // On a phone each warning is a card of labelled lines (stack): the table was 3 screens wide.
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid stack' },
    h('thead', {}, h('tr', {}, ['warn.level', 'warn.area', 'warn.start', 'warn.end', 'warn.lifted', 'warn.state', 'warn.tasks', 'warn.report'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, sorted.map((w) => h('tr', { 'data-testid': 'warn-row', 'data-id': w.id },
      h('td', {}, h('span', { class: 'swatch', style: `background:${LEVEL_COLORS[w.level] ?? '#868e96'}` }), ' ', levelName(w.level)),
      h('td', { class: 'wrap', 'data-label': t('warn.area') }, areaText(w)),
      h('td', { class: 'date', 'data-label': t('warn.start') }, formatDateTime(w.start)),
      h('td', { class: 'date', 'data-label': t('warn.end') }, formatDateTime(w.expected_end)),
      w.lifted_at ? h('td', { class: 'date', 'data-label': t('warn.lifted') }, formatDateTime(w.lifted_at)) : h('td', { class: 'date empty' }),
      h('td', { 'data-label': t('warn.state') }, withdrawn(w) ? t('warn.state.cancelled') : t('warn.state.' + w.state)),
      h('td', { class: 'num', 'data-label': t('warn.tasks') }, w.tasks ?? ''),
      h('td', {}, w.state === 'lifted' && !withdrawn(w)
        ? h('a', { href: `/api/reports/warning/${w.id}?format=html`, target: '_blank', rel: 'noopener', 'data-testid': 'warn-report' }, t('warn.report'))
        : ''))))));
}

function emergencyTable(rows: EmergencyEntry[]): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted', 'data-testid': 'elist-none' }, t('elist.none'));
  const unmatched = (r: EmergencyEntry) => r.unmatched;
  const sorted = [...rows].sort((a, b) => Number(unmatched(b)) - Number(unmatched(a)) || (a.county_name || a.county_id || '').localeCompare(b.county_name || b.county_id || '') || a.name.localeCompare(b.name));
  return h('div', {},
    h('p', { 'data-testid': 'elist-count' }, t('elist.unmatched.n', { n: rows.length, u: rows.filter(unmatched).length })),
    h('div', { class: 'tablewrap' }, h('table', { class: 'grid stack' },
      h('thead', {}, h('tr', {}, ['elist.county', 'elist.name', 'elist.level', 'elist.measures', 'elist.contact'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, sorted.map((r) => h('tr', { class: unmatched(r) ? 'bad' : '', 'data-testid': 'elist-row' },
        h('td', { 'data-label': t('elist.county') }, r.county_name || r.county_id || ''),
        h('td', { class: 'wrap name' }, r.name, unmatched(r) ? h('span', { class: 'flag', 'data-testid': 'elist-unmatched', title: r.source ?? '' }, t('elist.unmatched')) : null),
        h('td', { 'data-label': t('elist.level') }, levelName(r.level)),
        h('td', { class: 'wrap', 'data-label': t('elist.measures') }, (r.measures ?? []).map(measureText).join('；')),
        h('td', { 'data-label': t('elist.contact') }, [r.contact, r.phone].filter(Boolean).join(' '))))))));
}

function uploadForm(reload: () => Promise<void>): HTMLElement {
  const file = h('input', { type: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'data-testid': 'elist-file' });
  const result = h('div', { 'data-testid': 'elist-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'data-testid': 'elist-upload' },
    h('label', {}, t('elist.upload'), ' ', file), ' ',
    h('button', { type: 'submit', 'data-testid': 'elist-submit' }, t('elist.upload.submit')), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    const f = file.files?.[0];
    if (!f) return toast(t('elist.need.file'), 'err');
    const fd = new FormData();
    fd.append('file', f, f.name);
    try {
      const r = await api.post<ImportReport>('/api/imports/emergency', fd);
      const unmatched = r.items?.length ?? 0;
      // The rows not matched are flagged in the list below (the notes are the CLI's English).
      result.append(h('p', { 'data-testid': 'elist-imported' }, t('elist.imported', { n: r.stored, m: r.stored - unmatched, u: unmatched })));
      file.value = '';
      await reload();
    } catch (err) {
      result.append(h('p', { class: 'error', role: 'alert' }, errorText(err, t)));
    }
  });
  return form;
}


/**
 * countyBoxes are the form's county checkboxes: a province's (two cities
 * or more) under their cities (cityGroups), each with a box that ticks
 * its counties ({city}（全市）).
 */
function countyBoxes({ counties, cities }: Areas): HTMLElement[] {
  const box = (c: AreaRegion) => h('label', { class: 'county' }, h('input', { type: 'checkbox', value: c.id, class: 'cty', 'data-testid': 'warn-county-' + c.id }), c.name);
  return cityGroups(counties, cities).map((g) => ('county' in g ? box(g.county) : cityBoxes(g.city, g.counties.map(box))));
}

/** cityBoxes are a city's county boxes under the box that ticks them all. */
function cityBoxes(city: AreaRegion, boxes: HTMLElement[]): HTMLElement {
  const all = h('input', { type: 'checkbox', 'data-testid': 'warn-wholecity-' + city.id });
  const group = h('div', { class: 'citygroup', 'data-testid': 'warn-citygroup-' + city.id, 'data-name': city.name },
    h('label', { class: 'county wholecity' }, all, t('audit.region.city', { city: city.name })), ...boxes);
  const inputs = () => Array.from(group.querySelectorAll<HTMLInputElement>('input.cty'));
  all.addEventListener('change', () => inputs().forEach((b) => { b.checked = all.checked; }));
  group.addEventListener('change', (e) => {
    if (e.target === all) return;
    const bs = inputs();
    all.checked = bs.every((b) => b.checked);
    all.indeterminate = !all.checked && bs.some((b) => b.checked);
  });
  return group;
}

/** checkedNames are the ticked counties' names, a city whose counties are all ticked by its name. */
function checkedNames(box: HTMLElement): string[] {
  const label = (i: HTMLInputElement) => i.parentElement?.textContent ?? i.value;
  return Array.from(box.children).flatMap((el) => {
    const cs = Array.from(el.querySelectorAll<HTMLInputElement>('input.cty'));
    if (el.classList.contains('citygroup') && cs.every((i) => i.checked)) return [(el as HTMLElement).dataset.name ?? ''];
    return cs.filter((i) => i.checked).map(label);
  });
}

/** issueForm: level, counties (or 全市), start and expected end in Beijing time, reason, advice. */
function issueForm(countyList: Promise<Areas>, reload: () => Promise<void>): HTMLElement {
  const levels = h('div', { class: 'levels', role: 'radiogroup', 'data-testid': 'warn-level' }, LEVELS.map((l) =>
    h('label', { class: 'level', style: `border-color:${LEVEL_COLORS[l]}` },
      h('input', { type: 'radio', name: 'level', value: l, 'data-testid': 'warn-level-' + l }),
      h('span', { class: 'swatch', style: `background:${LEVEL_COLORS[l]}` }), levelName(l))));
  const city = h('input', { type: 'checkbox', 'data-testid': 'warn-city' });
  const counties = h('div', { class: 'counties', 'data-testid': 'warn-counties' });
  city.addEventListener('change', () => counties.querySelectorAll<HTMLInputElement>('input').forEach((i) => { i.disabled = city.checked; }));
  countyList.then((a) => counties.append(...countyBoxes(a))).catch((e) => counties.append(h('p', { class: 'error' }, errorText(e, t))));
  // From now (this minute) by default: in force at once, its inspections sent.
  const from = Math.floor(now() / 60e3) * 60e3;
  const start = h('input', { type: 'datetime-local', value: toBeijingInput(from), 'data-testid': 'warn-start' });
  const end = h('input', { type: 'datetime-local', value: toBeijingInput(from + 72 * 3600e3), 'data-testid': 'warn-end-input' });
  // At most 4,000 bytes on the server: 1,300 Chinese characters.
  const reason = h('textarea', { rows: 2, maxlength: 1300, 'data-testid': 'warn-reason' });
  const advice = h('textarea', { rows: 2, maxlength: 1300, 'data-testid': 'warn-advice' });
  const submit = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'warn-issue' }, t('warn.issue.submit'));
  const form = h('form', { class: 'card issueform', 'data-testid': 'warn-form' },
    h('fieldset', {}, h('legend', {}, t('warn.level')), levels),
    h('fieldset', {}, h('legend', {}, t('warn.counties')), h('label', { class: 'county city' }, city, t('warn.city')), counties),
    h('div', { class: 'opts' }, h('label', {}, t('warn.start') + t('warn.times'), start), h('label', {}, t('warn.end') + t('warn.times'), end)),
    h('label', {}, t('warn.reason'), reason), h('label', {}, t('warn.advice'), advice), submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const level = levels.querySelector<HTMLInputElement>('input:checked')?.value;
    const ids = city.checked ? [] : Array.from(counties.querySelectorAll<HTMLInputElement>('input.cty:checked')).map((i) => i.value);
    const s = fromBeijingInput(start.value), x = fromBeijingInput(end.value);
    if (!level) return toast(t('warn.need.level'), 'err');
    if (!city.checked && !ids.length) return toast(t('warn.need.county'), 'err');
    if (!s || !x || Date.parse(x) <= Date.parse(s)) return toast(t('warn.need.times'), 'err');
    if (Date.parse(x) <= now()) return toast(t('warn.need.future'), 'err');
    const names = city.checked ? [] : checkedNames(counties);
    const when = { start: formatDateTime(s), end: formatDateTime(x) };
    confirmBox(submit, t('warn.issue.confirm', { level: levelName(level), area: areaText({ county_ids: ids, county_names: names }), ...when }), async () => {
      const body = { level, county_ids: ids, start: s, expected_end: x, reason: reason.value.trim(), public_advice: advice.value.trim() };
      try {
        await api.post('/api/warnings', body);
        toast(t('warn.issued'));
        form.reset();
        counties.querySelectorAll<HTMLInputElement>('input').forEach((i) => { i.disabled = false; i.indeterminate = false; });
        start.value = toBeijingInput(from);
        end.value = toBeijingInput(from + 72 * 3600e3);
      } catch (err) {
        toast(errorText(err, t), 'err');
      }
      await reload();
    });
  });
  return h('section', {}, h('h2', {}, t('warn.issue')), form);
}
