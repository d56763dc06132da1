// The sites confirmed breaking the rules (plan §32; GET
// /public/api/violations): only closed tasks whose on-site finding
// confirmed the violation and an official accepted; what was wrong and
// when it was put right.
import { getJSON, h, heading, day, none } from './util';
import type { PublicViolations } from '../api/types.gen';

const DAYS = 90;

export async function mount(el: HTMLElement): Promise<void> {
  heading(el, '违规工地公示', `近${DAYS}日经现场核实并已整改的扬尘违规工地、堆场。`);
  const { violations } = await getJSON<PublicViolations>(`public/api/violations?days=${DAYS}`);
  if (!violations.length) {
    el.appendChild(none(`近${DAYS}日无经核实的违规工地。`));
    return;
  }
  const ul = h('ul', 'pub-list pub-violations');
  for (const v of violations) {
    const li = h('li');
    const head = h('div', 'pub-row');
    head.append(h('strong', 'pub-site', v.site), h('span', 'pub-county', v.county));
    const dates = h('div', 'pub-meta', `发现 ${day(v.found)}` + (v.rectified ? ` · 整改 ${day(v.rectified)}` : ''));
    li.append(head, h('div', 'pub-what', v.what), dates);
    ul.appendChild(li);
  }
  el.appendChild(ul);
}
