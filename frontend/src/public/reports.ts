// The monthly reports the bureau marked public (GET /public/api/reports),
// each a link to its public copy (/public/reports/2026-11).
import { getJSON, h, heading, day, none } from './util';
import type { PublishedReportList } from '../api/types.gen';

export async function mount(el: HTMLElement): Promise<void> {
  heading(el, '月度报告');
  const { reports } = await getJSON<PublishedReportList>('public/api/reports');
  if (!reports.length) {
    el.appendChild(none('暂无公开的月度报告。'));
    return;
  }
  const ul = h('ul', 'pub-list pub-reports');
  for (const r of reports) {
    const li = h('li');
    const a = h('a', '', r.title);
    a.href = 'public/reports/' + encodeURIComponent(r.month);
    a.target = '_blank';
    a.rel = 'noopener';
    li.append(a, h('span', 'pub-meta', '公开于 ' + day(r.published_at)));
    ul.appendChild(li);
  }
  el.appendChild(ul);
}
