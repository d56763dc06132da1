import { describe, expect, it } from 'vitest';
import { KEEP, keepReceipt, readReceipts, rememberReceipt } from './receipts';

const mem = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); } };
};

describe('the receipt codes kept on the phone', () => {
  it('keeps every report\'s code, newest first, each once', () => {
    const s = mem();
    rememberReceipt({ code: 'AAAAA-AAAAA', kind: 'dust', at: '2026-11-05T02:00:00Z' }, s);
    const list = rememberReceipt({ code: 'BBBBB-BBBBB', kind: 'straw_burning', at: '2026-11-05T03:00:00Z' }, s);
    expect(list.map((k) => k.code)).toEqual(['BBBBB-BBBBB', 'AAAAA-AAAAA']);
    expect(readReceipts(s)).toEqual(list);
    expect(keepReceipt(list, list[1]).map((k) => k.code)).toEqual(['AAAAA-AAAAA', 'BBBBB-BBBBB']);
  });
  it('keeps at most KEEP', () => {
    let list: ReturnType<typeof keepReceipt> = [];
    for (let i = 0; i < KEEP + 5; i++) list = keepReceipt(list, { code: String(i), kind: 'dust', at: '' });
    expect(list.length).toBe(KEEP);
    expect(list[0].code).toBe(String(KEEP + 4));
  });
  it('reads nothing from a refused or spoiled storage', () => {
    expect(readReceipts(null)).toEqual([]);
    expect(readReceipts({ getItem: () => '{not json' })).toEqual([]);
    expect(readReceipts({ getItem: () => '[{"code":1},{"code":"X","kind":"dust","at":"t"}]' })).toEqual([{ code: 'X', kind: 'dust', at: 't' }]);
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(rememberReceipt({ code: 'C', kind: 'dust', at: '' }, full).map((k) => k.code)).toEqual(['C']);
  });
});
