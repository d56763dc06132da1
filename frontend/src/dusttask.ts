// A dust task's own part of the task page (the supervisor's phone and the
// official's review): the site, what exceeded (rule, value, limit, time,
// in Chinese) and the readings since the alarm (24 hours at most, the
// chart with its limit line, its heading giving the hours), from
// GET /api/tasks/:id/dust. Loaded only for dust tasks.
import { api, errorText } from './api';
import { clear, h } from './dom';
import { t, tOr } from './i18n';
import { formatDateTime } from './format';
import type { EventAlarm, SiteDust } from './api/types.gen';
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
      // What the task is about first: the device, its rule, when (a silent device had only 超标情况 to show).
      if (d.task_alarms?.length) box.append(...taskAlarms(d.task_alarms, cls));
      // A monitor on no registered site: its alarms are all there is (it was a 404 and a red 没有找到).
      if (!d.site_id) { box.append(h('p', { class: 'muted', 'data-testid': 'dust-task-nosite' }, t('dust.nosite'))); return; }
      // A site inspection is sent for the site's registry violation, not for an exceedance: that is its reason.
      const why = cls === 'site_inspection' && d.violation;
      const head = why ? 'dust.inspect.why' : cls === 'monitor_offline' ? 'dust.task.site' : d.task_alarms?.length ? 'dust.exceeded.since' : 'dust.exceeded';
      box.append(h('h2', {}, t(head)),
        h('p', {}, h('a', { href: `#/site/${d.site_id}`, 'data-testid': 'dust-task-site' }, d.site_name), d.county_name ? ` · ${d.county_name}` : ''));
      if (why) box.append(h('p', { class: 'warn', 'data-testid': 'dust-task-violation' }, tOr('rule', d.violation)));
      // What exceeded only where a monitor stands: without one there is nothing to judge (it said 本时段无超标).
      if (why && d.monitors.length) box.append(h('h3', {}, t('dust.exceeded')));
      // A silent device's task is about its silence: no exceedance judged of readings it did not send.
      if (cls !== 'monitor_offline') box.append(...exceeded(d));
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

/** exceeded: the rules' breaches since the alarm, with what they could not judge; or that none was found. */
function exceeded(d: SiteDust): HTMLElement[] {
  if (d.alarms.length) {
    return [h('ul', { class: 'alarms', 'data-testid': 'dust-task-exceed' }, d.alarms.map((a) => h('li', {},
      h('b', {}, tOr('rule', a.rule)), h('br'), a.detail))), ...dustParas(unjudgedWords(d), 0)];
  }
  return d.monitors.length ? dustParas(noAlarmWords(d), 1) : [];
}

/** taskAlarms: the task's alarms, newest first: 设备离线（长时间无数据） · 示例监测仪（DEMOC06） · 10-31 18:03, and its words. */
function taskAlarms(as: EventAlarm[], cls: string): HTMLElement[] {
  return [h('h2', {}, t(cls === 'monitor_offline' ? 'dust.task.offline' : 'dust.task.alarms')),
    h('ul', { class: 'alarms', 'data-testid': 'dust-task-alarms' }, as.map((a) => h('li', {},
      h('b', {}, tOr('rule', a.rule)), ' · ', a.monitor_name && a.monitor_name !== a.mn ? `${a.monitor_name}（${a.mn}）` : t('dust.device', { mn: a.mn }), ' · ',
      formatDateTime(a.window_end).slice(5),
      a.detail ? h('br') : null, a.detail)))];
}

/** sinceRange: the chart's hours in Beijing time, the end's date only when it is another day. */
function sinceRange(from: string, to: string): { from: string; to: string } {
  const f = formatDateTime(from).slice(5), e = formatDateTime(to).slice(5);
  return { from: f, to: e.slice(0, 5) === f.slice(0, 5) ? e.slice(6) : e };
}
