// The satellite fire count by county over the last 7 Beijing days (GET
// /public/api/fires) and a light SVG map of the fires rounded to about a
// kilometre over the county outlines (GET /public/api/counties, read when
// the map scrolls into view). No Leaflet: the app's basemap tiles need a
// session, and the outlines with the cells draw in a few KB (figures in
// docs/PERFORMANCE.md).
import { getJSON, h, heading, when, none, wholeArea } from './util';
import { mapBox, project } from './firemap';
import type { PublicCounty as County, PublicCountyList, PublicFire as Fire, PublicFireCount as FireCount, PublicFires as Fires } from '../api/types.gen';

const DAYS = 7;
const SVG = 'http://www.w3.org/2000/svg';

export async function mount(el: HTMLElement): Promise<void> {
  heading(el, `近${DAYS}日卫星火点`, '卫星火点为遥感监测结果，经现场核实后处置；位置已取整到约1公里。');
  const f = await getJSON<Fires>(`public/api/fires?days=${DAYS}`);
  el.appendChild(countTable(f.counties));
  el.appendChild(h('p', 'pub-meta', `统计时段：${when(f.since)} 至 ${when(f.until)}（北京时间）`));
  const box = h('div', 'pub-map');
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', `近${DAYS}日卫星火点分布图`);
  box.appendChild(h('p', 'pub-none', '地图加载中…'));
  el.appendChild(box);
  el.appendChild(h('p', 'pub-note', '图中圆点为约1公里范围内的火点，圆点越大火点越多。'));
  whenVisible(box, () => {
    getJSON<PublicCountyList>('public/api/counties')
      .then(({ counties }) => box.replaceChildren(drawMap(counties, f.fires)))
      .catch(() => box.replaceChildren(none('地图暂时无法显示，请稍后刷新。')));
  });
}

// FIRST_ROWS: the counties a phone shows at first (a province has over a
// hundred); the rest come with a tap.
const FIRST_ROWS = 15;

/** countTable is the counties, most fires first, with the area's total. */
export function countTable(counts: FireCount[]): HTMLElement {
  if (!counts.length) return none('暂无区县数据。');
  const table = h('table', 'pub-table pub-fires');
  const head = table.createTHead().insertRow();
  head.append(h('th', '', '区县'), h('th', 'num', '火点数'));
  const body = table.createTBody();
  let total = 0;
  for (const [i, c] of counts.entries()) {
    const tr = body.insertRow();
    tr.append(h('td', '', c.county), h('td', 'num', String(c.fires)));
    tr.hidden = i >= FIRST_ROWS;
    total += c.fires;
  }
  const foot = table.createTFoot().insertRow();
  foot.append(h('th', '', wholeArea()), h('th', 'num', String(total)));
  if (counts.length <= FIRST_ROWS) return table;
  const more = h('button', 'pub-more', `显示全部 ${counts.length} 个区县`);
  more.type = 'button';
  more.addEventListener('click', () => {
    for (const tr of body.rows) tr.hidden = false;
    more.remove();
  });
  return h('div', '', table, more);
}

/** whenVisible runs fn once when el comes near the screen. */
function whenVisible(el: HTMLElement, fn: () => void): void {
  if (!('IntersectionObserver' in window)) return fn();
  const io = new IntersectionObserver((es) => {
    if (es.some((e) => e.isIntersecting)) {
      io.disconnect();
      fn();
    }
  }, { rootMargin: '300px' });
  io.observe(el);
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** drawMap draws the outlines, the county names and the fire cells. */
export function drawMap(counties: County[], fires: Fire[]): SVGSVGElement {
  const b = mapBox(counties.map((c) => c.outline));
  const svg = svgEl('svg', { viewBox: `0 0 ${b.width.toFixed(0)} ${b.height.toFixed(0)}`, class: 'pub-svg' });
  for (const c of counties) {
    const d = c.outline.map((poly) => poly.map((ring) => 'M' + ring.map((p) => project(b, p).map((v) => v.toFixed(1)).join(',')).join('L') + 'Z').join('')).join('');
    svg.appendChild(svgEl('path', { d, class: 'county' }));
  }
  for (const f of fires) {
    const [x, y] = project(b, [f.lon, f.lat]);
    const dot = svgEl('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: (4 + 2.5 * Math.sqrt(f.count)).toFixed(1), class: 'fire' });
    dot.appendChild(svgEl('title', {})).textContent = `${f.county ?? ''} ${f.count} 个火点，最近 ${when(f.last)}`;
    svg.appendChild(dot);
  }
  // The names above the fires, haloed, so that a busy county keeps its name.
  for (const c of counties) {
    const [x, y] = project(b, c.centre);
    svg.appendChild(svgEl('text', { x: x.toFixed(0), y: y.toFixed(0), class: 'county-name' })).textContent = c.name;
  }
  return svg;
}
