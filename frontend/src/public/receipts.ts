// The receipt codes of the reports filed from this phone, kept in its
// localStorage (codes, kinds and times only: nothing of the report), so
// that a second report does not take the first one's code off the screen
// and a page closed before the code was copied down loses nothing.

/** Kept is one report filed from this phone. */
export interface Kept { code: string; kind: string; at: string }

/** KEEP is how many codes a phone keeps, newest first. */
export const KEEP = 20;
const KEY = 'skygrid-public-receipts';

/** keepReceipt puts r first, once, and keeps at most max. */
export function keepReceipt(list: Kept[], r: Kept, max = KEEP): Kept[] {
  return [r, ...list.filter((k) => k.code !== r.code)].slice(0, max);
}

/** readReceipts: the kept codes; none where storage is refused or holds something else. */
export function readReceipts(store: Pick<Storage, 'getItem'> | null = storage()): Kept[] {
  try {
    const v: unknown = JSON.parse(store?.getItem(KEY) ?? '[]');
    if (!Array.isArray(v)) return [];
    return v.filter((k): k is Kept => typeof k?.code === 'string' && typeof k?.kind === 'string' && typeof k?.at === 'string').slice(0, KEEP);
  } catch {
    return [];
  }
}

/** rememberReceipt keeps r on this phone (silently not, where storage is refused) and gives the list. */
export function rememberReceipt(r: Kept, store: Pick<Storage, 'getItem' | 'setItem'> | null = storage()): Kept[] {
  const list = keepReceipt(readReceipts(store), r);
  try {
    store?.setItem(KEY, JSON.stringify(list));
  } catch { /* a private window: the code is still on the screen */ }
  return list;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
