// Renders an array of flat-ish objects as a table (nested values as JSON).
import { h } from './dom';
import { formatDateTime } from './format';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' && ISO.test(v)) return formatDateTime(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function objectTable(rows: any[], cols?: string[]): HTMLElement {
  if (!Array.isArray(rows) || !rows.length) return h('p', { class: 'muted' }, '—');
  const keys = cols ?? Array.from(rows.reduce((s: Set<string>, r: any) => { Object.keys(r ?? {}).forEach((k) => s.add(k)); return s; }, new Set<string>())) as string[];
  return h('div', { class: 'tablewrap' }, h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, keys.map((k) => h('th', {}, k)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, keys.map((k) => h('td', { class: typeof r?.[k] === 'number' ? 'num' : '' }, cell(r?.[k]))))))));
}
