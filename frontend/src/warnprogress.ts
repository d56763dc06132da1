// A warning's inspections while it runs, on its card: by county the
// listed sites, the inspections sent, checked and the measures found in
// place; each site with what it must do at the warning's level, whether
// it was checked and a link to its task. The official's answer to "which
// sites in 浑源县 must stop, and have they?" (the report's figures, in the
// user's own area: GET /api/reports/warning/:id?format=json).
import { api, errorText } from './api';
import { h } from './dom';
import { t } from './i18n';
import { measureText } from './warnwords';
import type { EmergencyRow, WarningFigures, WarningSiteFigures } from './api/types.gen';

/** progressSection fills a box with the warning's progress once it is read. */
export function progressSection(id: number, level: string, list: Promise<EmergencyRow[]>): HTMLElement {
  const box = h('div', { class: 'warnprogress', 'data-testid': 'warn-progress' }, h('p', { class: 'muted' }, t('loading')));
  Promise.all([api.get<WarningFigures>(`/api/reports/warning/${id}?format=json`), list.catch(() => [] as EmergencyRow[])])
    .then(([f, rows]) => box.replaceChildren(...progress(f, level, rows)))
    .catch((e) => box.replaceChildren(h('p', { class: 'error' }, errorText(e, t))));
  return box;
}

function progress(f: WarningFigures, level: string, rows: EmergencyRow[]): HTMLElement[] {
  const num = (n: number, k: string) => h('td', { class: 'num', 'data-label': t(k) }, String(n));
  const counties = h('div', { class: 'tablewrap' }, h('table', { class: 'grid stack' },
    h('thead', {}, h('tr', {}, ['wp.county', 'wp.listed', 'wp.tasks', 'wp.checked', 'wp.inplace'].map((k, i) => h('th', { class: i ? 'num' : '' }, t(k))))),
    h('tbody', {}, (f.counties ?? []).map((c) => h('tr', { 'data-testid': 'wp-county' },
      h('td', { class: 'name' }, c.county_name), num(c.listed, 'wp.listed'), num(c.tasks, 'wp.tasks'), num(c.checked, 'wp.checked'),
      h('td', { class: 'num', 'data-label': t('wp.inplace') }, c.measures ? `${c.measures_in_place}/${c.measures}` : '—'))))));
  const sites = [...(f.sites ?? [])].sort((a, b) => Number(checked(a)) - Number(checked(b)) || a.county_name.localeCompare(b.county_name));
  const todo = sites.filter((s) => !checked(s)).length;
  const measures = (s: WarningSiteFigures) => rows.find((r) => r.name === s.name && r.level === level)?.measures ?? [];
  const list = h('details', { 'data-testid': 'wp-sites', open: sites.length <= 20 ? '' : null },
    h('summary', {}, t('wp.sites', { n: sites.length, u: todo })),
    h('ul', { class: 'wpsites' }, sites.map((s) => siteItem(s, measures(s)))));
  return [h('h3', {}, t('wp.title')), counties, list];
}

const checked = (s: WarningSiteFigures) => s.task_state === 'reported' || s.task_state === 'closed';

/** siteItem: 示例工地02 · 浑源县 · 待检查 — 停止土石方作业；物料堆场覆盖 (as found: ✓ ✗). */
function siteItem(s: WarningSiteFigures, listed: EmergencyRow['measures']): HTMLElement {
  const found = s.checklist?.length
    ? s.checklist.map((c) => `${measureText(c.measure)}${c.in_place === true ? ' ✓' : c.in_place === false ? ' ✗' : ''}`)
    : (listed ?? []).map(measureText);
  const state = checked(s) ? t(s.task_state === 'closed' ? 'wp.closed' : 'wp.reported') : t(s.task_id ? 'wp.todo' : 'wp.none');
  return h('li', { class: checked(s) ? 'done' : 'todo', 'data-testid': 'wp-site' },
    s.task_id ? h('a', { href: `#/tasks/${s.task_id}` }, s.name) : s.name, ` · ${s.county_name} · `,
    h('b', {}, state), found.length ? h('span', { class: 'muted' }, ' — ', found.join('；')) : null);
}
