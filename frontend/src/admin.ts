// 管理: users, ingest batches and feeds.
import { api } from './api';
import { h } from './dom';
import { t } from './i18n';
import { objectTable } from './table';

export function render(el: HTMLElement): void {
  el.append(h('div', { class: 'pagehead' }, h('h1', {}, t('admin.title'))));
  for (const [key, url] of [['admin.users', '/api/users'], ['admin.feeds', '/api/feeds'], ['admin.batches', '/api/batches']] as const) {
    const box = h('section', {}, h('h2', {}, t(key)), h('p', { class: 'muted' }, t('loading')));
    el.append(box);
    api.get<any>(url).then((r) => {
      const rows = Array.isArray(r) ? r : Object.values(r ?? {}).find(Array.isArray) ?? [];
      box.lastElementChild!.replaceWith(objectTable(rows as any[]));
    }).catch((e) => { box.lastElementChild!.replaceWith(h('p', { class: 'error' }, (e as Error).message)); });
  }
}
