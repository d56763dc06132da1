// The audit page's charts with ECharts, tree-shaken (bar charts, drawn as
// SVG: crisp on a phone's screen, lighter than a canvas of the box's size
// at the phone's pixel ratio, and its words are elements a test can
// measure) and imported only by the audit page, so the map page stays small.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { CLASS_COLORS, histogram, quantile, stackDaily, type Day, type RankBar } from './auditutil';
import { t, tOr } from './i18n';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type Chart = echarts.ECharts;

const FONT = 'system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
const base = { textStyle: { fontFamily: FONT }, animation: false };
const narrow = (el: HTMLElement) => el.clientWidth < 500;

function init(el: HTMLElement): Chart {
  return echarts.init(el, undefined, { renderer: 'svg' });
}

/** daily: the events of each day stacked by class. */
export function daily(el: HTMLElement, days: Day[]): Chart {
  const c = init(el);
  const s = stackDaily(days);
  const small = narrow(el);
  c.setOption({
    ...base,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: small ? 11 : 12 } },
    grid: { left: 8, right: 8, top: small ? 52 : 36, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: s.days.map((d) => d.slice(5).replace('-', '/')), axisLabel: { fontSize: 11, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: s.series.map((x) => ({
      type: 'bar', name: tOr('class', x.cls), stack: 'all', data: x.data, itemStyle: { color: CLASS_COLORS[x.cls] }, barCategoryGap: '25%',
    })),
  });
  return c;
}

/** ranking: horizontal bars, worst on top. */
export function ranking(el: HTMLElement, rows: RankBar[]): Chart {
  const c = init(el);
  const color = { per_ha: '#e8590c', count: '#f08c00', unverified: '#6741d9' };
  c.setOption({
    ...base,
    tooltip: { trigger: 'item', formatter: (p: { name: string; dataIndex: number }) => `${p.name}: ${label(rows[p.dataIndex])}` },
    grid: { left: 8, right: 96, top: 8, bottom: 4, containLabel: true },
    xAxis: { type: 'value', splitNumber: 3, minInterval: rows.some((r) => r.by === 'per_ha') ? 0 : 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { fontSize: 12 } },
    series: [{
      type: 'bar', data: rows.map((r) => ({ value: r.value, itemStyle: { color: color[r.by] } })),
      label: { show: true, position: 'right', fontSize: 11, formatter: (p: { dataIndex: number }) => label(rows[p.dataIndex]) }, barMaxWidth: 22,
    }],
  });
  return c;
}

function label(r: RankBar | undefined): string {
  if (!r) return '';
  if (r.by === 'per_ha') return `${r.value.toFixed(2)} ${t('audit.score.ha')}`;
  if (r.by === 'unverified') return `${t('st.unverified')} ${r.value}`;
  return `${r.value} ${t('audit.score.n')}`;
}

/** response: the distribution of the response times, median and P90 in the title line. */
export function response(el: HTMLElement, minutes: number[]): Chart {
  const c = init(el);
  const hg = histogram(minutes);
  const unit = t(hg.unit === 'h' ? 'audit.unit.h' : 'audit.unit.min');
  const med = quantile(minutes, 0.5), p90 = quantile(minutes, 0.9);
  const fmt = (m: number | null) => (m === null ? '—' : m >= 180 ? `${(m / 60).toFixed(1)} ${t('audit.unit.h')}` : `${Math.round(m)} ${t('audit.unit.min')}`);
  c.setOption({
    ...base,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    // The median line on top, the y axis's name (件) below it: at top 30 the two were drawn over one another.
    grid: { left: 8, right: 8, top: 50, bottom: 22, containLabel: true },
    legend: { top: 0, left: 0, data: [`${t('audit.median')} ${fmt(med)} · ${t('audit.p90')} ${fmt(p90)}`], selectedMode: false, icon: 'none' },
    xAxis: {
      type: 'category', data: hg.bins.map((b) => `${b.from}–${b.to}`), name: unit, nameLocation: 'middle', nameGap: 24,
      axisLabel: { fontSize: 11, hideOverlap: true },
    },
    yAxis: { type: 'value', minInterval: 1, name: t('audit.count'), nameTextStyle: { align: 'right' } },
    series: [{
      type: 'bar', name: `${t('audit.median')} ${fmt(med)} · ${t('audit.p90')} ${fmt(p90)}`, data: hg.bins.map((b) => b.count),
      itemStyle: { color: '#1c7ed6' }, barCategoryGap: '4%',
    }],
  });
  return c;
}

/** keepSized resizes the charts with their boxes; returns the stop function. */
export function keepSized(charts: Chart[]): () => void {
  const ro = new ResizeObserver(() => charts.forEach((c) => { if (!c.isDisposed()) c.resize(); }));
  charts.forEach((c) => ro.observe(c.getDom()));
  return () => { ro.disconnect(); charts.forEach((c) => c.dispose()); };
}

/** dustHours: the exceedance hours of each county, horizontal bars. */
export function dustHours(el: HTMLElement, rows: { name: string; hours: number }[]): Chart {
  const c = init(el);
  c.setOption({
    ...base,
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${p.name}: ${p.value} ${t('dust.hours')}` },
    grid: { left: 8, right: 48, top: 8, bottom: 4, containLabel: true },
    xAxis: { type: 'value', splitNumber: 3, minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { fontSize: 12 } },
    series: [{
      type: 'bar', data: rows.map((r) => r.hours), itemStyle: { color: '#b45309' }, barMaxWidth: 22,
      label: { show: true, position: 'right', fontSize: 11 },
    }],
  });
  return c;
}
