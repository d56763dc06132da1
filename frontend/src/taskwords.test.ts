import { describe, expect, it } from 'vitest';
import { setLang, t, tOr } from './i18n';
import { closeNeedsNote, deadlineText, escalationText, returnedText, findingHelp, findingsFor, isOpen, kindKey, listedContact, seenKey, spotWhat, taskTitle, telHref, timelineText } from './taskwords';
import { fireDirection } from './position';

setLang('zh');
const at = Date.parse('2023-10-31T09:30:00Z'); // 17:30 Beijing

describe('taskTitle follows what is known', () => {
  it.each([
    [{ state: 'dispatched', event_class: 'straw_burning' }, '疑似秸秆焚烧'],
    [{ state: 'reported', event_class: 'straw_burning', finding: 'false_alarm' }, '误报（待审核）'],
    [{ state: 'closed', event_class: 'open_burning', finding: 'straw_burning' }, '秸秆焚烧（已核实）'],
    [{ state: 'acknowledged', event_class: 'open_burning', finding: '' }, '疑似露天焚烧'],
    [{ state: 'dispatched', event_class: 'public_report' }, '群众举报'],
    [{ state: 'closed', event_class: 'public_report', finding: 'rectified' }, '已整改（洒水、覆盖）（已核实）'],
    [{ state: 'dispatched', event_class: 'emergency_inspection' }, '应急减排检查'],
    [{ state: 'reported', event_class: 'emergency_inspection', finding: 'stop_work' }, '停工整改（待审核）'],
    // An emergency inspection of a listed enterprise is titled by its name as listed.
    [{ state: 'dispatched', event_class: 'emergency_inspection', listed_name: '示例搅拌站（未入库）' }, '示例搅拌站（未入库）'],
    [{ state: 'acknowledged', event_class: 'emergency_inspection', listed_name: ' 示例砖厂 ' }, '示例砖厂'],
    [{ state: 'reported', event_class: 'emergency_inspection', finding: 'stop_work', listed_name: '示例砖厂' }, '示例砖厂：停工整改（待审核）'],
    [{ state: 'closed', event_class: 'emergency_inspection', finding: 'rectified', listed_name: '示例砖厂' }, '示例砖厂：已整改（洒水、覆盖）（已核实）'],
    // Only an emergency inspection's name counts.
    [{ state: 'dispatched', event_class: 'straw_burning', listed_name: '示例砖厂' }, '疑似秸秆焚烧'],
  ])('%o', (x, want) => { expect(taskTitle(x)).toBe(want); });
});

describe('listedContact: whom to call at a listed site', () => {
  it.each([
    ['name and mobile', { listed_contact: '示例联系人张', listed_phone: '13800000001' }, { text: '示例联系人张 · 13800000001', tel: 'tel:13800000001' }],
    ['a landline with a dash', { listed_contact: '示例联系人李', listed_phone: '0352-1234567' }, { text: '示例联系人李 · 0352-1234567', tel: 'tel:03521234567' }],
    ['a phone alone', { listed_phone: '+86 138 0000 0001' }, { text: '+86 138 0000 0001', tel: 'tel:+8613800000001' }],
    ['a name alone: nothing to dial', { listed_contact: '示例联系人王' }, { text: '示例联系人王', tel: '' }],
    ['nobody', { listed_contact: ' ', listed_phone: '' }, null],
  ])('%s', (_, x, want) => { expect(listedContact(x)).toEqual(want); });
  it('telHref dials digits only, and nothing without one', () => {
    expect(telHref('（0352）123-4567')).toBe('tel:03521234567');
    expect(telHref('无')).toBe('');
    expect(telHref(undefined)).toBe('');
  });
});

describe('deadlineText', () => {
  it('says when and how long is left', () => {
    expect(deadlineText({ state: 'dispatched', ack_due: '2023-10-31T09:42:00Z', report_due: '2023-10-31T13:30:00Z' }, at)).toEqual({ text: '请在 10月31日 17:42 前签收 · 还剩 12分', over: false });
  });
  it('says how late', () => {
    expect(deadlineText({ state: 'acknowledged', ack_due: '2023-10-31T07:00:00Z', report_due: '2023-10-31T08:00:00Z' }, at)).toEqual({ text: '上报已超时 1小时30分', over: true });
  });
  it('says nothing for a reported task', () => {
    expect(deadlineText({ state: 'reported', ack_due: '2023-10-31T07:00:00Z', report_due: '2023-10-31T08:00:00Z' }, at).text).toBe('');
  });
});

describe('timelineText', () => {
  it('names the system and the level of an escalation', () => {
    expect(timelineText({ at: '', action: 'escalate', actor: 'escalation', level: '2' })).toBe('超时督办，' + escalationText(2));
    expect(timelineText({ at: '', action: 'escalate', actor: 'escalation' })).toBe('超时督办');
  });
  it('says a report with its finding and flagged photos, a return with its reason', () => {
    expect(timelineText({ at: '', action: 'report', actor: 'wangge', finding: 'straw_burning', photos: '2', flagged: true }))
      .toBe('wangge上报，结论：秸秆焚烧，照片2张（有照片存疑）');
    expect(timelineText({ at: '', action: 'return', actor: 'hunyuan', note: '看不清' })).toBe('hunyuan退回，“看不清”');
  });
  it('names every system actor of the store in words, not its code', () => {
    for (const [actor, who] of [['dust', '系统（扬尘监管）'], ['warning', '系统（重污染预警）'], ['video', '系统（视频巡检）'], ['public', '公众（群众举报）']]) {
      expect(timelineText({ at: '', action: 'dispatch', actor })).toBe(who + '派单');
    }
  });
  it('says where a dispatch went', () => {
    expect(timelineText({ at: '', action: 'dispatch', actor: 'feed', assignee: 'unassigned queue' })).toBe('系统（自动拉取卫星数据）派单，进入市级待分派队列（不在任何网格）');
  });
});

describe('findingsFor and findingHelp follow the class', () => {
  it.each([
    ['straw_burning', ['秸秆焚烧', '其他露天焚烧', '工业热源', '误报', '现场未发现'], 'finding.help.false_alarm'],
    ['dust_exceedance', ['已整改（洒水、覆盖）', '停工整改', '设备故障', '误报', '现场未发现'], 'finding.help.dust.false_alarm'],
    ['monitor_offline', ['已整改（洒水、覆盖）', '停工整改', '设备故障', '误报', '现场未发现'], 'finding.help.dust.false_alarm'],
    ['site_inspection', ['已整改（洒水、覆盖）', '停工整改', '设备故障', '误报', '现场未发现'], 'finding.help.dust.false_alarm'],
    ['public_report', ['秸秆焚烧', '其他露天焚烧', '已整改（洒水、覆盖）', '停工整改', '误报', '现场未发现'], 'finding.help.public.false_alarm'],
  ])('%s', (cls, names, help) => {
    expect(findingsFor(cls).map((f) => tOr('finding', f))).toEqual(names);
    expect(findingHelp(cls, 'false_alarm')).toBe(help);
  });
});

describe('isOpen: still to be done on site', () => {
  it.each([['dispatched', true], ['acknowledged', true], ['reported', false], ['closed', false], [undefined, false]])('%s', (state, open) => {
    expect(isOpen(state)).toBe(open);
  });
});

// A task's words name what it is about: only a satellite's fire is a 火点
// seen by satellite; a site's task is about the site and its alarm, a
// citizen's report about the reported place and when it was filed.
describe('a task is worded by what it is about', () => {
  const me = { lat: 39.7, lon: 113.7 };
  const spot = { lat: 39.7001, lon: 113.7001 };
  it.each([
    ['straw_burning', '卫星发现', '您已在火点附近（约 10 米）', '上报位置距火点约 1.2 公里'],
    ['dust_exceedance', '告警时间', '您已在该地点附近（约 10 米）', '上报位置距工地约 1.2 公里'],
    ['site_inspection', '发现时间', '您已在该地点附近（约 10 米）', '上报位置距工地约 1.2 公里'],
    ['emergency_inspection', '预警开始', '您已在该地点附近（约 10 米）', '上报位置距工地约 1.2 公里'],
    ['public_report', '举报时间', '您已在该地点附近（约 10 米）', '上报位置距举报地点约 1.2 公里'],
  ])('%s', (cls, seen, here, near) => {
    expect(t(seenKey(cls))).toBe(seen);
    expect(fireDirection(me, spot, 0, 'zh', spotWhat(cls))).toBe(here);
    expect(t(kindKey(cls, 'rv.near'), { d: '约 1.2 公里' })).toBe(near);
  });
  it('every key a kind needs is there', () => {
    for (const key of ['rv.near', 'rv.far', 'rv.fireplace', 'rv.fire', 'rv.contains']) {
      for (const cls of ['straw_burning', 'dust_exceedance', 'public_report']) expect(t(kindKey(cls, key))).not.toBe(kindKey(cls, key));
    }
  });
});

// Closing a dust task needs the reviewer's reason (skygrid.CloseNeedsReason), a fire's or a citizen's report's does not.
describe('closeNeedsNote', () => {
  it.each([['dust_exceedance', true], ['monitor_offline', true], ['site_inspection', true], ['emergency_inspection', true],
    ['straw_burning', false], ['public_report', false]])('%s', (cls, want) => { expect(closeNeedsNote(cls)).toBe(want); });
});

// A task sent back is said so on its card: open with the reviewer's reason.
describe('returnedText', () => {
  it.each([
    [{ state: 'acknowledged', review_note: '照片不清晰' }, '已退回，请重新核查：照片不清晰'],
    [{ state: 'dispatched', review_note: '位置不对' }, '已退回，请重新核查：位置不对'],
    [{ state: 'acknowledged', review_note: '' }, ''],
    [{ state: 'closed', review_note: '同意办结' }, ''],
    [{ state: 'reported', review_note: '照片不清晰' }, ''],
  ])('%o', (x, want) => { expect(returnedText(x)).toBe(want); });
});

// A reassignment says its grids by name where the server gives them (the code was shown), by code where the grid is gone.
describe('timelineText: a reassignment', () => {
  it('names the grids', () => {
    expect(timelineText({ at: '', action: 'reassign', actor: 'hunyuan', from_grid: '140225-010-003', to_grid: '140225-008-006',
      from_grid_name: '下韩村乡 9行7列', to_grid_name: '东坊城乡 3行2列' })).toBe('hunyuan改派，从 下韩村乡 9行7列 改到 东坊城乡 3行2列');
    expect(timelineText({ at: '', action: 'reassign', actor: 'hunyuan', from_grid: '140225-010-003', to_grid: '140225-008-006', to_grid_name: '东坊城乡 3行2列' }))
      .toBe('hunyuan改派，从 140225-010-003 改到 东坊城乡 3行2列');
  });
});
