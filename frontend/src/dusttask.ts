// A dust task's own part of the task page (the supervisor's phone and the
// official's review): the site, what exceeded (rule, value, limit, time,
// in Chinese) and the readings since the alarm (24 hours at most, the
// chart with its limit line, its heading giving the hours), from
// GET /api/tasks/:id/dust. Loaded only for dust tasks.
import { api, errorText } from './api';
import { clear, h } from './dom';
import { t, tOr } from './i18n';
import { formatDateTime } from './format';
import type { SiteDust } from './api/types.gen';
import { dustParas, noAlarmWords, unjudgedWords } from './monitorwords';

/** dustTaskSection fills box for a task of class cls and returns the cleanup (the chart's disposal). */
export function dustTaskSection(box: HTMLElement, taskID: number, cls = ''): () => void {
  let stop = () => {};
  let gone = false;
  box.append(h('h2', {}, t('dust.since')), h('p', { class: 'muted' }, t('loading')));
  (async () => {
    try {
      const [d, charts] = await Promise.all([api.get<SiteDust>(`/api/tasks/${taskID}/dust`), import('./dustchart')]);
      if (gone) return;
      clear(box);
      // A site inspection is sent for the site's registry violation, not for an exceedance: that is its reason.
      const why = cls === 'site_inspection' && d.violation;
      box.append(h('h2', {}, t(why ? 'dust.inspect.why' : 'dust.exceeded')),
        h('p', {}, h('a', { href: `#/site/${d.site_id}`, 'data-testid': 'dust-task-site' }, d.site_name), d.county_name ? ` · ${d.county_name}` : ''));
      if (why) box.append(h('p', { class: 'warn', 'data-testid': 'dust-task-violation' }, tOr('rule', d.violation)));
      // What exceeded only where a monitor stands: without one there is nothing to judge (it said 本时段无超标).
      if (why && d.monitors.length) box.append(h('h3', {}, t('dust.exceeded')));
      if (d.alarms.length) {
        box.append(h('ul', { class: 'alarms', 'data-testid': 'dust-task-exceed' }, d.alarms.map((a) => h('li', {},
          h('b', {}, tOr('rule', a.rule)), h('br'), a.detail))), ...dustParas(unjudgedWords(d), 0));
      } else if (d.monitors.length) box.append(...dustParas(noAlarmWords(d), 1));
      const chartBox = h('div', { class: 'dustchart', 'data-testid': 'dust-chart' });
      box.append(h('h3', {}, t('dust.since.range', sinceRange(d.from, d.to))), chartBox);
      if (!d.monitors.length) { chartBox.replaceWith(h('p', { class: 'muted' }, t('dust.nomonitor'))); return; }
      const chart = charts.dustChart(chartBox, d);
      const ro = new ResizeObserver(() => { if (!chart.isDisposed()) chart.resize(); });
      ro.observe(chartBox);
      stop = () => { ro.disconnect(); chart.dispose(); };
    } catch (e) {
      if (gone) return;
      clear(box);
      box.append(h('p', { class: 'error' }, errorText(e, t)));
    }
  })();
  return () => { gone = true; stop(); };
}

/** sinceRange: the chart's hours in Beijing time, the end's date only when it is another day. */
function sinceRange(from: string, to: string): { from: string; to: string } {
  const f = formatDateTime(from).slice(5), e = formatDateTime(to).slice(5);
  return { from: f, to: e.slice(0, 5) === f.slice(0, 5) ? e.slice(6) : e };
}
