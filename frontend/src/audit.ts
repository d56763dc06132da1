// 统计审计: stats, ranking, exports and the monthly report for a month.
import { api, qs } from './api';
import { h, clear } from './dom';
import { t } from './i18n';
import { objectTable } from './table';

export function render(el: HTMLElement): void {
  const period = h('input', { type: 'month', value: '2023-10', 'aria-label': t('audit.period'), 'data-testid': 'period' });
  const out = h('div');
  const form = h('form', { class: 'pagehead' }, h('h1', {}, t('audit.title')), h('label', {}, t('audit.period'), ' ', period), h('button', { type: 'submit', class: 'primary' }, t('audit.load')));
  el.append(form, out);
  const load = async () => {
    const p = period.value || '2023-10';
    clear(out);
    const links = h('div', { class: 'navbtns' },
      ...['csv', 'xlsx', 'geojson', 'kml'].map((f) => h('a', { class: 'btn', href: `/api/exports/events.${f}${qs({ period: p })}`, download: '', 'data-testid': 'export-' + f }, `events.${f}`)),
      h('a', { class: 'btn', href: `/api/reports/monthly${qs({ month: p })}`, target: '_blank', rel: 'noopener', 'data-testid': 'monthly' }, t('audit.monthly')));
    out.append(h('h2', {}, t('audit.exports')), links, h('h2', {}, t('audit.stats')));
    try {
      const s = await api.get<any>('/api/stats' + qs({ period: p }));
      const areas = s.stats?.areas ?? [];
      const total = s.stats?.total;
      out.append(objectTable(total ? [...areas, { ...total, name: total.name ?? '合计 / Total' }] : areas));
    } catch (e) { out.append(h('p', { class: 'error' }, (e as Error).message)); }
    out.append(h('h2', {}, t('audit.ranking')));
    try {
      const r = await api.get<any>('/api/stats/ranking' + qs({ period: p }));
      const rows = Array.isArray(r) ? r : r.ranking ?? r.areas ?? Object.values(r).find(Array.isArray) ?? [];
      out.append(objectTable(rows as any[]));
    } catch (e) { out.append(h('p', { class: 'error' }, (e as Error).message)); }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  load();
}
