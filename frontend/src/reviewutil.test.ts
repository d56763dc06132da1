import { describe, expect, it } from 'vitest';
import { setLang } from './i18n';
import {
  DEFAULT_FILTER, apiQuery, closeResultText, deadlineText, listHash, listQuery, pageCount, pageText, parseListQuery, type ListFilter,
} from './reviewutil';

describe('the list filter in the URL', () => {
  it('is the default for an empty or unreadable query', () => {
    expect(parseListQuery('')).toEqual(DEFAULT_FILTER);
    expect(parseListQuery('state=finished&sort=id&order=up&page=-2&from=2023-13&view=globe')).toEqual(DEFAULT_FILTER);
    expect(listQuery(DEFAULT_FILTER)).toBe('');
    expect(listHash(DEFAULT_FILTER)).toBe('#/tasks');
  });
  it('reads every field', () => {
    const f = parseListQuery('county=140225&township=140225100&grid=140225-005-009&class=straw_burning&state=reported&overdue=1&from=2023-10-01&to=2023-10-15&q=%23378&sort=first_seen&order=asc&page=3&view=map');
    expect(f).toEqual({
      city: '', county: '140225', township: '140225100', grid: '140225-005-009', cls: 'straw_burning', state: 'reported', overdue: true,
      from: '2023-10-01', to: '2023-10-15', q: '#378', sort: 'first_seen', order: 'asc', page: 3, view: 'map',
    });
  });
  it('writes what it reads, leaving the defaults out', () => {
    for (const q of ['township=140225100&state=reported', 'class=open_burning&overdue=1&page=2', 'q=%E6%B0%B8%E5%AE%89&sort=place&order=desc',
      'state=all&from=2023-10-05&to=2023-10-05&view=map', 'sort=created', 'sort=created&order=asc', 'city=SX-1402&state=all']) {
      expect(listQuery(parseListQuery(q))).toBe(q);
    }
  });
  it('takes the newest first for times and ascending otherwise', () => {
    expect(parseListQuery('sort=created').order).toBe('desc');
    expect(parseListQuery('sort=first_seen').order).toBe('desc');
    expect(parseListQuery('sort=place').order).toBe('asc');
    expect(listQuery({ ...DEFAULT_FILTER, sort: 'first_seen', order: 'desc' })).toBe('sort=first_seen');
  });
});

describe('the API query of a filter', () => {
  const f = (patch: Partial<ListFilter>) => apiQuery({ ...DEFAULT_FILTER, ...patch });
  it('asks for open tasks by deadline, a page of 50', () => {
    expect(f({})).toEqual({ state: 'open', sort: 'deadline', order: 'asc', limit: 50, offset: 0 });
  });
  it('passes a province\'s city', () => {
    expect(f({ city: 'SX-1402' }).city).toBe('SX-1402');
    expect(f({}).city).toBeUndefined();
  });
  it('pages by offset', () => {
    expect(f({ page: 3 }).offset).toBe(100);
    expect(apiQuery({ ...DEFAULT_FILTER, page: 2 }, 20).offset).toBe(20);
  });
  it('passes the places, class, state and search', () => {
    expect(f({ county: '140225', township: 't', grid: 'g', cls: 'straw_burning', state: 'all', overdue: true, q: ' #12 ' })).toEqual({
      county: '140225', township: 't', grid: 'g', class: 'straw_burning', overdue: 'true', q: '#12', sort: 'deadline', order: 'asc', limit: 50, offset: 0,
    });
  });
  it('bounds the first sight by Beijing days, the last one included', () => {
    expect(f({ from: '2023-10-01', to: '2023-10-31' })).toMatchObject({ date: 'first_seen', since: '2023-10-01T00:00:00+08:00', until: '2023-11-01T00:00:00+08:00' });
    expect(f({ from: '2023-10-31', to: '2023-10-01' })).toMatchObject({ since: '2023-10-01T00:00:00+08:00', until: '2023-11-01T00:00:00+08:00' });
    const onlyFrom = f({ from: '2023-10-05' });
    expect(onlyFrom.since).toBe('2023-10-05T00:00:00+08:00');
    expect(onlyFrom.until).toBeUndefined();
    expect(f({ to: '2023-10-05' })).toMatchObject({ until: '2023-10-06T00:00:00+08:00' });
  });
});

describe('the page text', () => {
  it('says the page, the pages and the total', () => {
    expect(pageText(2, 312)).toBe('第 2/7 页，共 312 条');
    expect(pageText(1, 0)).toBe('第 1/1 页，共 0 条');
    expect(pageText(4, 200)).toBe('第 4/4 页，共 200 条');
    expect(pageCount(201)).toBe(5);
    setLang('en');
    expect(pageText(2, 312)).toBe('Page 2 of 7, 312 in all');
    setLang('zh');
  });
});

describe('a deadline in words', () => {
  const now = Date.parse('2023-10-10T04:00:00Z');
  it('says how late, by the server', () => {
    const d = deadlineText({ id: 1, version: 0, state: 'dispatched', ack_due: '2023-10-10T02:00:00Z', overdue: true }, now);
    expect(d).toEqual({ text: '已超时 2小时0分', when: '签收截止 2023-10-10 10:00', over: true });
  });
  it('says the time left', () => {
    const d = deadlineText({ id: 1, version: 1, state: 'acknowledged', report_due: '2023-10-10T04:45:00Z', overdue: false }, now);
    expect(d).toEqual({ text: '剩余 45分', when: '上报截止 2023-10-10 12:45', over: false });
    setLang('en');
    expect(deadlineText({ id: 1, version: 1, state: 'acknowledged', report_due: '2023-10-10T04:45:00Z' }, now).text).toBe('45 min left');
    setLang('zh');
  });
  it('takes the server’s word over this clock', () => {
    expect(deadlineText({ id: 1, version: 0, state: 'dispatched', ack_due: '2023-10-10T05:00:00Z', overdue: true }, now).over).toBe(true);
  });
  it('says a reported task waits for review, and when a closed one was closed', () => {
    expect(deadlineText({ id: 1, version: 2, state: 'reported', reported_at: '2023-10-10T01:00:00Z' }, now)).toEqual({ text: '待审核', when: '2023-10-10 09:00 上报', over: false });
    expect(deadlineText({ id: 1, version: 3, state: 'closed', closed_at: '2023-10-10T03:00:00Z' }, now).text).toBe('2023-10-10 11:00 办结');
  });
});

describe('what a bulk close did', () => {
  it('says how many were closed', () => {
    expect(closeResultText({ closed: 2 })).toBe('已办结 2 条任务。');
  });
  it('names the tasks that changed, with what they are now', () => {
    expect(closeResultText({ status: 409, refused: [{ id: 12, code: 'conflict', state: 'closed', version: 3 }, { id: 15, code: 'conflict', state: 'acknowledged', version: 4 }] }))
      .toBe('未办结任何任务：2 条任务在此期间已被他人修改：#12（现为已办结）、#15（现为已签收）。列表已刷新，请核对后重试。');
  });
  it('names the tasks outside the area', () => {
    expect(closeResultText({ status: 403, refused: [{ id: 7, code: 'forbidden' }, { id: 8, code: 'conflict', state: 'closed' }] }))
      .toBe('未办结任何任务：#7 不在您的管辖区域。');
  });
  it('passes on anything else', () => {
    expect(closeResultText({ status: 400, refused: [], message: 'notes longer than 4000 bytes' })).toBe('未办结任何任务：notes longer than 4000 bytes');
  });
});
