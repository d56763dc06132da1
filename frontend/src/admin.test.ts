import { describe, expect, it } from 'vitest';
import { propFields, refusedRows } from './admin';

describe('refusedRows', () => {
  it('splits the CLI refusal into its headline and one line per row', () => {
    const msg = '工地.csv: 2 rows refused, nothing stored:\n  工地.csv: line 2: field 是否视频: "也许": want yes or no\n  工地.csv: line 3: field 经度: not a number: "东经113"';
    const r = refusedRows(msg);
    expect(r.head).toBe('工地.csv: 2 rows refused, nothing stored:');
    expect(r.rows).toEqual(['工地.csv: line 2: field 是否视频: "也许": want yes or no', '工地.csv: line 3: field 经度: not a number: "东经113"']);
  });
  it('keeps a one-line refusal whole', () => {
    expect(refusedRows('notes.txt: not a fire file')).toEqual({ head: 'notes.txt: not a fire file', rows: [] });
  });
});

describe('propFields', () => {
  it('reads attribute=column lines, trimming, and lists the malformed ones', () => {
    expect(propFields(' video = 是否视频 \n\npermit=许可证号\r\nbad\n=x\ny=\n')).toEqual({ props: ['video=是否视频', 'permit=许可证号'], bad: ['bad', '=x', 'y='] });
  });
});
