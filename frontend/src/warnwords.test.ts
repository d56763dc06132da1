import { describe, expect, it } from 'vitest';
import { setLang } from './i18n';
import { areaText, bannerText, checklistPayload, fromBeijingInput, inForce, pastEnd, withdrawn, levelInk, measureText, strongest, toBeijingInput, unanswered, type Warning } from './warnwords';

setLang('zh');

const w = (over: Partial<Warning>): Warning => ({
  id: 1, level: 'orange', county_ids: ['140215', '140213'], county_names: ['云州区', '平城区'],
  start: '2026-12-05T00:00:00Z', expected_end: '2026-12-08T00:00:00Z', state: 'active',
  created_at: '2026-12-05T00:00:00Z', updated_at: '2026-12-05T00:00:00Z', tasks: 0, ...over,
});

describe('areaText', () => {
  it.each([
    ['names the counties', w({}), '云州区、平城区'],
    ['says 全市 for the whole city', w({ county_ids: [], county_names: undefined }), '全市'],
    ['falls back to the ids', w({ county_names: [] }), '140215、140213'],
    ['names a province\'s whole city by the city', w({ area_names: ['大同市'] }), '大同市'],
  ])('%s', (_name, x, want) => { expect(areaText(x)).toBe(want); });
});

describe('bannerText', () => {
  it('says the level, the area and the expected end in Beijing time', () => {
    expect(bannerText(w({}))).toBe('橙色预警 · 云州区、平城区 · 预计 12-08 08:00 结束');
  });
});

describe('inForce and strongest', () => {
  const at = Date.parse('2026-12-06T00:00:00Z');
  it.each([
    ['started, not lifted', w({}), true],
    ['not started', w({ start: '2026-12-07T00:00:00Z', state: 'issued' }), false],
    ['lifted', w({ lifted_at: '2026-12-05T12:00:00Z', state: 'lifted' }), false],
    ['lifted by the server a moment ahead of the page', w({ lifted_at: '2026-12-06T00:00:00.900Z', state: 'lifted' }), false],
    ['active by the server, its start a moment ahead of the page', w({ start: '2026-12-06T00:00:00.500Z' }), true],
    ['issued, its start come by the page', w({ start: '2026-12-05T23:00:00Z', state: 'issued' }), true],
    ['past its expected end, not lifted', w({ expected_end: '2026-12-05T06:00:00Z' }), true],
  ])('%s', (_name, x, want) => { expect(inForce(x, at)).toBe(want); });
  it('picks the most severe warning in force', () => {
    const ws = [w({ id: 1, level: 'yellow' }), w({ id: 2, level: 'red', lifted_at: '2026-12-05T01:00:00Z' }), w({ id: 3, level: 'orange' })];
    expect(strongest(ws, at)?.id).toBe(3);
    expect(strongest([], at)).toBeNull();
  });
});

describe('measureText', () => {
  it.each([
    [{ code: 'stop_earthworks', text: '停止土石方' }, '停止土石方作业'],
    [{ code: 'limit_output', text: '限产30%', percent: 30 }, '限产30%'],
    [{ text: '禁止露天喷涂' }, '禁止露天喷涂'],
    [{ code: 'unknown_code', text: '自定义措施' }, '自定义措施'],
  ])('%o', (m, want) => { expect(measureText(m)).toBe(want); });
});

describe('the checklist', () => {
  const m = (code: string) => ({ code, text: code });
  it('finds the measures not answered', () => {
    expect(unanswered([{ in_place: true }, { in_place: null }, { in_place: false }, { in_place: null }])).toEqual([1, 3]);
    expect(unanswered([{ in_place: false }])).toEqual([]);
  });
  it('tags each photo with its measure, after the general photos', () => {
    const items = [
      { measure: m('stop_earthworks'), in_place: true, note: ' 已停工 ' },
      { measure: m('cover_stockpile'), in_place: false },
      { measure: m('sprinkle'), in_place: true },
    ];
    const { checklist, files } = checklistPayload(items, [['a', 'b'], [], ['c']], 1);
    expect(files).toEqual(['a', 'b', 'c']);
    expect(checklist).toEqual([
      { measure: m('stop_earthworks'), in_place: true, note: '已停工', photo_index: [1, 2] },
      { measure: m('cover_stockpile'), in_place: false },
      { measure: m('sprinkle'), in_place: true, photo_index: [3] },
    ]);
  });
});

describe('Beijing times in the form', () => {
  it.each([
    ['2026-12-05T08:00', '2026-12-05T00:00:00Z'],
    ['2026-12-05T03:30', '2026-12-04T19:30:00Z'],
    ['2026-12-05', ''],
    ['', ''],
  ])('%s', (input, want) => {
    expect(fromBeijingInput(input)).toBe(want);
    if (want) expect(toBeijingInput(want)).toBe(input);
  });
  it('writes black on yellow, white on the others', () => {
    expect(levelInk('yellow')).toBe('#212529');
    expect(levelInk('red')).toBe('#ffffff');
  });
});

describe('pastEnd', () => {
  it.each([
    ['before its expected end', '2026-12-07T23:59:00Z', w({}), false],
    ['at its expected end, not lifted', '2026-12-08T00:00:00Z', w({}), true],
    ['a day past it', '2026-12-09T00:00:00Z', w({}), true],
    ['lifted', '2026-12-09T00:00:00Z', w({ state: 'lifted', lifted_at: '2026-12-07T00:00:00Z' }), false],
    ['not begun', '2026-12-04T00:00:00Z', w({ state: 'issued' }), false],
  ])('%s', (_name, at, x, want) => { expect(pastEnd(x, Date.parse(at))).toBe(want); });
});

// Lifted before its start: withdrawn (shown 已撤销（未生效）, no report); lifted after it, not.
describe('withdrawn', () => {
  it.each([
    ['lifted before its start', w({ state: 'lifted', lifted_at: '2026-12-04T00:00:00Z' }), true],
    ['lifted at its start', w({ state: 'lifted', lifted_at: '2026-12-05T00:00:00Z' }), true],
    ['lifted after it began', w({ state: 'lifted', lifted_at: '2026-12-06T00:00:00Z' }), false],
    ['in force', w({}), false],
  ])('%s', (_name, x, want) => { expect(withdrawn(x)).toBe(want); });
});
