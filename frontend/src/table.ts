// Renders an array of flat-ish objects as a table (nested values as JSON).
import { h } from './dom';
import { formatDateTime } from './format';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' && ISO.test(v)) return formatDateTime(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? '✓' : '';
  return String(v);
}

/** A column: a key, or [key, header]. */
export type Col = string | [string, string];

export function objectTable(objects: object[], cols?: Col[]): HTMLElement {
  if (!Array.isArray(objects) || !objects.length) return h('p', { class: 'muted' }, '—');
  const rows = objects as Record<string, unknown>[];
  const spec: [string, string][] = (cols ?? Array.from(rows.reduce((s: Set<string>, r) => { Object.keys(r ?? {}).forEach((k) => s.add(k)); return s; }, new Set<string>())))
    .map((c) => (Array.isArray(c) ? c : [c, c]));
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, spec.map(([, label]) => h('th', {}, label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, spec.map(([k]) => h('td', { class: typeof r?.[k] === 'number' ? 'num' : '' }, cell(r?.[k]))))))));
}
