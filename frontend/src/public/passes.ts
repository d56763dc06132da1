// 卫星过境: the next passes of the fire satellites over Datong (the
// server's city centre), tiny: a heading, a list, the elements' age.
import { dayNight, passWhen, publicAgeNote } from '../satpass';
import type { PassList } from '../api/types.gen';

export async function mount(el: HTMLElement): Promise<void> {
  const r = await fetch('/public/api/passes', { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const l = (await r.json()) as PassList;
  const h2 = document.createElement('h2');
  h2.textContent = '卫星过境（未来48小时，北京时间）';
  const ul = document.createElement('ul');
  ul.className = 'pub-passes';
  for (const p of l.passes.slice(0, 12)) {
    const li = document.createElement('li');
    li.dataset.testid = 'pub-pass';
    for (const [text, cls] of [[passWhen(p.peak), 'when'], [p.satellite, 'sat'], [dayNight(p), 'dn']]) {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      li.append(span);
    }
    ul.append(li);
  }
  const note = document.createElement('p');
  note.className = 'pub-note';
  // The list shows the next 12; the heading says 48 hours: the rest are counted, not left unsaid.
  const more = l.passes.length > 12 ? `另有 ${l.passes.length - 12} 次过境未列出（至${passWhen(l.passes[l.passes.length - 1].peak)}）。` : '';
  note.textContent = [l.passes.length ? more : '未来48小时无过境。', '卫星过境时才可能发现火点；无火点不等于未观测。', publicAgeNote(l)].filter(Boolean).join('');
  el.replaceChildren(h2, ul, note);
}
