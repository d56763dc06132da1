// 公开页 · 区县环境空气质量排名: this month's county ranking by the
// comprehensive index (HJ 663-2013), from GET /public/api/ranking, as a
// compact table for a phone: rank, county, index with its change from the
// previous month, PM2.5, good-day share; estimated counties starred and
// named below with their stations. Chinese only, no web app loaded.
import './ranking.css';
import { changeClass, fmtChange, fmtConc, fmtIndex, fmtShare, monthText, notes, rankText } from '../airrank';

import type { AirRankingAnswer, CountyAir } from '../api/types.gen';
import { h as el } from './util';

function row(c: CountyAir): HTMLTableRowElement {
  const tr = el('tr', c.rank ? '' : 'unranked');
  tr.dataset.county = c.county_id;
  const change = c.change_prev === null ? null : el('span', 'chg ' + changeClass(c.change_prev), fmtChange(c.change_prev));
  tr.append(el('td', 'num', rankText(c)), el('td', '', c.county_name, c.estimated ? el('sup', 'est', '*') : null),
    el('td', 'num', fmtIndex(c.index), change ? el('br', '') : null, change),
    el('td', 'num', fmtConc(c.pm25)), el('td', 'num', fmtShare(c.good_share)));
  return tr;
}

export async function mount(root: HTMLElement): Promise<void> {
  root.classList.add('pub-rank');
  root.append(el('h2', '', '区县环境空气质量排名'));
  const res = await fetch('/public/api/ranking');
  if (res.status === 404) { root.append(el('p', 'muted', '暂无空气质量排名。')); return; }
  if (!res.ok) throw new Error(`ranking: ${res.status}`);
  const ans = (await res.json()) as AirRankingAnswer;
  const cs = ans.counties ?? [];
  const h2 = root.querySelector('h2')!;
  h2.append(el('small', 'month', ' ' + monthText(ans.month)));
  if (ans.demo) h2.append(el('span', 'demo', '示例数据'));
  if (!cs.some((c) => c.rank > 0)) { root.append(el('p', 'muted', '本月有效监测天数不足，暂不排名。')); return; }
  const head = el('tr', '');
  // A header breaks only where \u200b allows (word-break: keep-all): at 360 px it read 排/名, 综合指/数.
  for (const [text, cls] of [['排名', 'num'], ['区县', ''], ['综合\u200b指数', 'num'], ['PM2.5', 'num'], ['优良天数\u200b比例', 'num']]) head.append(el('th', cls, text));
  root.append(el('div', 'scroll', el('table', '', el('thead', '', head), el('tbody', '', ...cs.map(row)))),
    el('p', 'muted', '综合指数越小空气越好，相同者并列；指数下为较上月变化；PM2.5 单位 µg/m³。* 无本地站点，为估算值。'),
    el('ul', 'muted notes', ...notes(cs).map((n) => el('li', '', n))));
}
