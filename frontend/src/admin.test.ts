import { describe, expect, it } from 'vitest';
import { importSummary, propFields, refusedRows, rowInWords } from './admin';

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

describe('importSummary', () => {
  it('says what each import stored in Chinese', () => {
    expect(importSummary({ stored: 10 }, 'regions', { level: 'county' }, 'zh')).toBe('已导入 10 个区划（区县）');
    expect(importSummary({ stored: 1978 }, 'supervisors', {}, 'zh')).toBe('已指派 1978 名网格员');
    expect(importSummary({ stored: 3, new: 2, violations: 1 }, 'sites', { siteKind: 'stockpile' }, 'zh')).toBe('已导入 3 处堆场（新增 2），其中 1 处违规');
    expect(importSummary({ stored: 5, items: [{ id: '', name: '示例搅拌站' }] }, 'emergency', {}, 'zh')).toBe('已导入应急减排清单 5 行，其中 1 行未匹配台账');
    expect(importSummary({ stored: 197, new: 0 }, 'heat-sources', {}, 'zh')).toBe('已导入 197 个工业热源（新增 0）');
    expect(importSummary({ batch: { rows: 361, new: 42, duplicates: 29, rejected: 0, outside: 290, events_new: 28, tasks_new: 24 } }, 'fires', {}, 'zh'))
      .toBe('361 行：新增火点 42 个，重复 29，无法读取 0，区域外 290；新火情 28 起，新任务 24 件');
  });
});

describe('rowInWords', () => {
  it('says where the refused row is in Chinese, the reason as the server gave it', () => {
    expect(rowInWords('工地.csv: line 2: field 是否视频: "也许": want yes or no', 'zh')).toBe('工地.csv 第 2 行，字段「是否视频」："也许": want yes or no');
    expect(rowInWords('firms-upload.csv:3: field latitude: not a number: "北纬40"', 'zh')).toBe('firms-upload.csv 第 3 行，字段「latitude」：not a number: "北纬40"');
    expect(rowInWords('a.geojson:7: unclosed ring', 'zh')).toBe('a.geojson 第 7 行：unclosed ring');
    expect(rowInWords('工地.csv: line 2: field 是否视频: x', 'en')).toBe('工地.csv line 2, field 是否视频: x');
    expect(rowInWords('something else', 'zh')).toBe('something else');
  });
});
