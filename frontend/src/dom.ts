// A small DOM builder: h('div', {class: 'x', onclick: f}, 'text', child).
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

let toastTimer = 0;
/** toast shows msg for 4 s, or until the next toast when stay is true (something on its way). */
export function toast(msg: string, kind: 'ok' | 'err' = 'ok', stay = false): void {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', role: 'status' });
    document.body.appendChild(el);
  }
  el.textContent = msg;
  el.className = 'toast ' + kind;
  clearTimeout(toastTimer);
  if (!stay) toastTimer = window.setTimeout(() => el!.classList.add('hide'), 4000);
}

/** hideToast puts away the toast now, when what it asked for is done (a reminder answered). */
export function hideToast(): void {
  clearTimeout(toastTimer);
  document.getElementById('toast')?.classList.add('hide');
}

/**
 * confirmButton acts on a second click: the first asks (its label turns
 * into the question for a few seconds), so a slip does not end someone's
 * sessions, turn a citizen's report away or pay a reward. ready, when
 * given, is asked before the question: false stops there (it says why).
 */
export function confirmButton(label: string, ask: string | (() => string), testid: string, act: () => Promise<void>,
  opts: { cls?: string; ready?: () => boolean } = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', class: opts.cls ?? 'small', 'data-testid': testid }, label);
  let armed = 0;
  b.addEventListener('click', async () => {
    if (!armed) {
      if (opts.ready && !opts.ready()) return;
      b.textContent = typeof ask === 'string' ? ask : ask();
      b.classList.add('armed');
      armed = window.setTimeout(() => { armed = 0; b.textContent = label; b.classList.remove('armed'); }, 4000);
      return;
    }
    clearTimeout(armed);
    b.disabled = true;
    try { await act(); } finally { armed = 0; b.disabled = false; b.textContent = label; b.classList.remove('armed'); }
  });
  return b;
}
