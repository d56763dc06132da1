// The dust line chart (PM10/PM2.5/TSP, the limit and the ambient line,
// flagged values, wind in the tooltip) with ECharts, tree-shaken (line and
// scatter charts, drawn as SVG like the audit page's) and imported only by
// the pages that draw it: the site page and a dust task.
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { dustChartData, nearestWind, windText } from './dustseries';
import { escapeHtml, formatDateTime } from './format';
import { getLang, t } from './i18n';
import type { SiteDust } from './api/types.gen';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type Chart = echarts.ECharts;

const FONT = 'system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';

interface AxisParam { seriesName: string; value: [number, number]; color: string; axisValue: number }

/**
 * dustChart draws d in el and writes what it drew on el's data attributes
 * for tests and assistive tools: data-series (the legend names, "|"),
 * data-limit (each limit line's values, "rule:min-max") and data-flagged.
 */
export function dustChart(el: HTMLElement, d: SiteDust): Chart {
  const cd = dustChartData(d);
  const small = el.clientWidth < 500;
  // The plot keeps its height below however many rows the legend wraps to (two monitors on a phone: nine).
  const legendH = legendHeight(cd.lines.map((l) => l.name), el.clientWidth || 360, small);
  el.style.height = `${legendH + (small ? 240 : 300)}px`;
  const c = echarts.init(el, undefined, { renderer: 'svg' });
  c.setOption({
    textStyle: { fontFamily: FONT }, animation: false,
    // Every legend entry shown (wrapped on a phone): the limit and why points are flagged must not hide behind a scroller.
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, itemGap: 8, textStyle: { fontSize: small ? 11 : 12 } },
    grid: { left: 6, right: 18, top: legendH + 22, bottom: 4, containLabel: true },
    tooltip: {
      trigger: 'axis', confine: true,
      formatter: (ps: AxisParam[]) => {
        if (!ps.length) return '';
        const at = ps[0].axisValue;
        const w = windText(nearestWind(cd.wind, at), getLang());
        const rows = ps.map((p) => `<span style="color:${p.color}">●</span> ${escapeHtml(p.seriesName)}: <b>${Math.round(p.value[1])}</b>`);
        return [escapeHtml(formatDateTime(at)), ...rows, w ? `${escapeHtml(t('dust.wind'))}: ${escapeHtml(w)}` : ''].filter(Boolean).join('<br>');
      },
    },
    // Ticks no closer than a label's own step: on a task opened minutes ago they were 15 s apart, read 17:30 17:30 17:31.
    xAxis: { type: 'time', min: cd.from, max: cd.to, minInterval: labelStep(d.res), axisLabel: { fontSize: 11, hideOverlap: true, formatter: (v: number) => shortTime(v, d.res) } },
    yAxis: { type: 'value', name: t('dust.unit'), nameTextStyle: { align: 'left' }, min: 0 },
    series: cd.lines.map((l) => l.kind === 'flagged'
      ? { type: 'scatter', id: l.id, name: l.name, data: l.data, symbol: 'triangle', symbolSize: 9, itemStyle: { color: l.colour } }
      : {
        type: 'line', id: l.id, name: l.name, data: l.data, showSymbol: d.res === 'hour' && l.kind === 'factor' && l.data.length < 48,
        symbolSize: 4, lineStyle: { width: l.kind === 'factor' ? 1.5 : 2, type: l.kind === 'limit' ? 'dashed' : l.kind === 'ambient' ? 'dotted' : 'solid', color: l.colour },
        itemStyle: { color: l.colour }, z: l.kind === 'limit' ? 5 : 2, connectNulls: false,
      }),
  });
  el.dataset.series = cd.lines.map((l) => l.name).join('|');
  el.dataset.limit = cd.lines.filter((l) => l.kind === 'limit').map((l) => {
    const vs = l.data.map((p) => p[1]);
    return `${l.id.slice(6)}:${Math.min(...vs)}-${Math.max(...vs)}`;
  }).join(' ');
  el.dataset.flagged = String(cd.flagged);
  return c;
}

/**
 * legendHeight: the height of the legend's rows when its entries wrap in
 * width px (ECharts lays them out left to right and wraps): each entry is
 * its symbol, a gap and its name, CJK characters a font size wide and
 * others about 0.6 of it.
 */
export function legendHeight(names: string[], width: number, small: boolean): number {
  const font = small ? 11 : 12;
  const text = (s: string) => [...s].reduce((w, ch) => w + (/[\u2e80-\uffff]/.test(ch) ? font : font * 0.6), 0);
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = 14 + 5 + text(n) + 8;
    if (x > 0 && x + w > width) { rows++; x = 0; }
    x += w;
  }
  return rows * (font + 10);
}

/** labelStep: the time a tick's label names (a minute's HH:MM, an hourly series' day MM/DD), in ms. */
export function labelStep(res: string): number {
  return res === 'hour' ? 24 * 3600e3 : 60e3;
}

/** shortTime: "14:00" for minutes, "11/03" for hours (Beijing time). */
function shortTime(v: number, res: string): string {
  const s = formatDateTime(v); // YYYY-MM-DD HH:MM
  return res === 'hour' ? s.slice(5, 10).replace('-', '/') : s.slice(11, 16);
}
