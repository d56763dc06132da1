// 统计审计 · 环境空气质量排名: the counties' monthly air-quality ranking
// (HJ 663-2013, GET /api/air/ranking) beside the straw-burning ranking:
// rank, index, PM2.5, PM10, good-day share, the changes from the previous
// month and a year before; estimated counties marked, with their stations.
import { h, clear } from './dom';
import { t } from './i18n';
import { changeClass, fmtChange, fmtConc, fmtIndex, fmtShare, monthText, notes, rankText, tied } from './airrank';

import type { AirRankingAnswer, CountyAir } from './api/types.gen';

/** rankTabs: the straw-burning ranking and the air-quality ranking as two
 * tabs (each a card at full width: side by side, neither table fits the
 * audit page's 1280 px); the straw-burning one first, as before. */
export function rankTabs(straw: HTMLElement, air: HTMLElement): HTMLElement {
  const panels = [straw, air];
  const tabs = [t('audit.ranking.straw'), t('air.title')].map((label, i) =>
    h('button', { type: 'button', role: 'tab', class: 'tab', 'data-testid': i ? 'tab-air' : 'tab-straw' }, label));
  const show = (i: number) => {
    tabs.forEach((b, j) => { b.setAttribute('aria-selected', String(i === j)); b.classList.toggle('on', i === j); });
    panels.forEach((p, j) => { p.hidden = i !== j; });
  };
  tabs.forEach((b, i) => b.addEventListener('click', () => show(i)));
  show(0);
  return h('div', { class: 'ranks' }, h('div', { class: 'tabs', role: 'tablist' }, tabs), straw, air);
}

export function drawAirRanking(card: HTMLElement, ans: AirRankingAnswer): void {
  clear(card);
  const cs = ans.counties ?? [];
  card.append(h('h2', {}, t('air.title'), ' ', h('small', { class: 'muted', 'data-testid': 'air-month' }, t('air.month', { month: monthText(ans.month) })),
    ans.demo ? h('span', { class: 'badge demo', 'data-testid': 'air-demo' }, t('air.demo')) : null));
  if (!cs.some((c) => c.stations.length)) { card.append(h('p', { class: 'muted' }, t('air.none'))); return; }
  const change = (v: number | null) => h('td', { class: 'num ' + changeClass(v) }, fmtChange(v));
  const row = (c: CountyAir) => h('tr', { 'data-testid': 'air-row', 'data-county': c.county_id, class: c.rank ? '' : 'muted' },
    h('td', { class: 'num' }, rankText(c), tied(cs, c) ? h('small', { class: 'muted' }, ' ' + t('air.tied')) : null),
    h('td', {}, c.county_name, c.estimated ? h('small', { class: 'est', title: c.stations.join('、') }, ' *' + t('air.estimated')) : null),
    h('td', { class: 'num' }, fmtIndex(c.index)), h('td', { class: 'num' }, fmtConc(c.pm25)), h('td', { class: 'num' }, fmtConc(c.pm10)),
    h('td', { class: 'num' }, fmtShare(c.good_share)), change(c.change_prev), change(c.change_year_ago));
  card.append(h('div', { class: 'tablewrap' }, h('table', { class: 'grid', 'data-testid': 'air-table' },
    h('thead', {}, h('tr', {}, ['air.rank', 'air.county', 'air.index', 'air.pm25', 'air.pm10', 'air.good', 'air.prev', 'air.yearago']
      .map((k, i) => h('th', { class: i === 1 ? '' : 'num' }, t(k))))),
    h('tbody', {}, cs.map(row)))),
  h('p', { class: 'muted small' }, t('air.method')),
  h('ul', { class: 'muted small airnotes', 'data-testid': 'air-notes' }, notes(cs).map((n) => h('li', {}, n))));
}
