import { describe, expect, it } from 'vitest';
import { importSummary, propFields, refusedRows, rowInWords, userRefusal } from './admin';
import { ApiError } from './api';

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

// The server's refusals of a user (its messages as store.CreateUser,
// username, password and skygrid.ParsePhone write them) are said in
// Chinese, naming the field, with no English left.
describe('userRefusal', () => {
  it.each([
    [409, 'user "li" exists', '用户名「li」已被使用'],
    [400, 'region "149999" is not imported', '负责区域：没有编号为「149999」的区域'],
    [400, 'region 140225 is a county: a supervisor is scoped to grids', '负责区域：140225 是区县，网格员只能负责网格'],
    [400, 'region 140225-006-009 is a grid: an official is scoped to a county or a township', '负责区域：140225-006-009 是网格，乡镇或区县干部只能负责区县或乡镇'],
    [400, 'region 140200 is a city: an official is scoped to counties or townships; for the whole city give its counties: --region 140212,140213', '负责全市请填写其各区县：140212,140213'],
    [400, 'auditor users are city-wide: they take no region', '负责区域：管理员和审计人员面向全市'],
    [400, 'supervisor users need a region (a county or township for officials, grids for supervisors)', '负责区域：请填写'],
    [400, 'a password needs at least 8 characters', '密码：至少 8 个字符'],
    [400, 'password: at most 72 bytes, got 80', '密码：太长，最多 72 个字节'],
    [400, 'phone "139abc45678": want an 11-digit mainland mobile (13812345678, +86 allowed) or a landline with its area code (0352-1234567)', '手机号：请填写 11 位手机号'],
    [400, 'DingTalk id "a,b": no spaces, commas or control characters', '钉钉 ID：'],
    [400, 'user name: at most 64 characters, got 70 bytes', '用户名不符合要求'],
  ])('%i %s', (status, msg, want) => {
    const said = userRefusal(new ApiError(status, status === 409 ? 'conflict' : 'invalid', msg), 'zh');
    expect(said).toContain(want);
    expect(said).not.toMatch(/[a-z]{3,}/);
  });
  it('keeps the server\'s words in English, and says other failures as errorText does', () => {
    expect(userRefusal(new ApiError(400, 'invalid', 'a password needs at least 8 characters'), 'en')).toBe('a password needs at least 8 characters');
    expect(userRefusal(new ApiError(403, 'forbidden', 'admins only'), 'zh')).toContain('无权');
  });
});
