// Small helpers of the public page's sections: no import from the web app
// (the page must stay small) but areaname's two functions, Chinese only,
// times in Beijing time.
import { pageArea, wholeOf } from '../areaname';

export { wholeOf };

/** getJSON reads a public route; a failure throws a Chinese message. */
export async function getJSON<T>(url: string): Promise<T> {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(r.status === 429 ? '访问过于频繁，请稍后刷新。' : '数据暂时无法获取，请稍后刷新。');
  return (await r.json()) as T;
}

/** h makes an element with a class and its children (texts or nodes; empty texts and nulls are skipped). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', ...kids: Array<Node | string | null>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const k of kids) if (k !== null && k !== '') e.append(k);
  return e;
}

const dayFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** day is a date in Beijing time: 2026/12/5. */
export function day(iso: string): string {
  return iso ? dayFmt.format(new Date(iso)) : '';
}

/** when is a date and time in Beijing time: 12/5 10:30. */
export function when(iso: string): string {
  return iso ? timeFmt.format(new Date(iso)) : '';
}

/** heading starts a section: its title and an optional note under it. */
export function heading(el: HTMLElement, title: string, note = ''): void {
  el.replaceChildren(h('h2', '', title));
  if (note) el.appendChild(h('p', 'pub-note', note));
}

/** none says the section has nothing to show. */
export function none(text: string): HTMLElement {
  return h('p', 'pub-none', text);
}

/** wholeArea is wholeOf the page's area (全市, 全省). */
export function wholeArea(): string {
  return wholeOf(pageArea());
}
