import { describe, expect, it } from 'vitest';
import { describeChange, pairs } from './auditchange';

const names = { '140225-005-009': '浑源县 6行10列', '140225': '浑源县', '140221-005-008': '阳高县 6行9列' };

describe('pairs', () => {
  it('splits key=value records whose values hold spaces', () => {
    expect(pairs('event=455 to=示例网格员 0565 ack_due=2026-12-04T20:30:18Z')).toEqual([
      ['event', '455'], ['to', '示例网格员 0565'], ['ack_due', '2026-12-04T20:30:18Z']]);
    expect(pairs('class=open_burning grid= assigned_by=none hotspots=2')).toEqual([
      ['class', 'open_burning'], ['grid', ''], ['assigned_by', 'none'], ['hotspots', '2']]);
    expect(pairs('46 sites (46 new)')).toBeNull();
  });
});

describe('describeChange', () => {
  // Every record the server writes (store/, dispatch/), as written.
  const cases: [string, string, string][] = [
    ['event.create', 'class=straw_burning grid=140225-005-009 assigned_by=contains hotspots=2',
      '类别：秸秆焚烧；网格：浑源县 6行10列；定位：在网格内；火点：2 个'],
    ['event.create', 'class=open_burning grid= assigned_by=none hotspots=1', '类别：露天焚烧；网格：未落入网格；定位：不在任何网格；火点：1 个'],
    ['task.dispatch', 'event=455 to=示例网格员 0565 ack_due=2023-10-29T05:06:00Z report_due=2023-10-29T05:36:00Z',
      '火情：#455；派给：示例网格员 0565；签收截止：2023-10-29 13:06；上报截止：2023-10-29 13:36'],
    ['task.dispatch', 'event=445 to=unassigned queue ack_due=2023-10-31T20:30:18Z report_due=2023-10-31T21:00:18Z',
      '火情：#445；派给：待分派队列；签收截止：2023-11-01 04:30；上报截止：2023-11-01 05:00'],
    ['task.dispatch', 'event=7 to=grid 140221-005-008 (no supervisor) ack_due=2023-10-01T00:00:00Z report_due=2023-10-01T00:30:00Z',
      '火情：#7；派给：阳高县 6行9列（无网格员）；签收截止：2023-10-01 08:00；上报截止：2023-10-01 08:30'],
    ['task.update', 'event=353 now 2 hotspots, last seen 2023-10-28T04:53:00Z', '火情 #353：现有 2 个火点，最近发现 2023-10-28 12:53'],
    ['task.report', 'state=reported grid=140225-005-009 version=3 finding=straw_burning photos=2 flagged=0123456789abcdef:far+early',
      '状态：已上报；网格：浑源县 6行10列；版本：3；核查结论：秸秆焚烧；照片：2 张；存疑照片：01234567（离火点超过 1 公里、早于卫星发现）'],
    ['task.return', 'state=acknowledged grid=140225-005-009 version=5 finding=false_alarm review=照片不清楚',
      '状态：已签收；网格：浑源县 6行10列；版本：5；核查结论：误报；审核意见：照片不清楚'],
    ['task.escalate', "state=dispatched grid=140225-005-009 version=2 escalation=1 to the area's officials",
      '状态：待签收；网格：浑源县 6行10列；版本：2；督办：一级（已通知区县干部）'],
    ['task.escalate', 'state=dispatched grid=140225-005-009 version=3 escalation=2 to the auditors',
      '状态：待签收；网格：浑源县 6行10列；版本：3；督办：二级（已通知审计部门）'],
    ['ingest', '2023-10-31.csv: 361 rows, 42 new, 29 duplicates, 0 rejected, 290 outside; 28 new events, 24 new tasks',
      '文件 2023-10-31.csv：361 行，新增 42，重复 29，无法读取 0，区域外 290；新火情 28 起，新任务 24 件'],
    ['sites.import', '46 sites (46 new) map[construction:30 nocoal:1 stockpile:15]; 0 events reclassified',
      '台账 46 处（新增 46）：建筑工地 30、禁煤区 1、堆场 15；重新分类火情 0 起'],
    ['event.reclassify', 'class=straw_burning site=示例耕地 3', '类别：秸秆焚烧；依据台账：示例耕地 3'],
    ['regions.import', '1 city, 10 county', '市 1 个、区县 10 个'],
    ['regions.import', '1978 grid', '网格 1978 个'],
    ['supervisors.import', '1978 supervisors', '网格员 1978 名'],
    ['user.add', 'name=wangge role=supervisor regions=140225-005-009', '用户名：wangge；角色：网格员；管辖区域：浑源县 6行10列'],
    ['user.add', 'name=nongye role=auditor regions=', '用户名：nongye；角色：审计；管辖区域：全市'],
    ['token.create', 'token puller', '令牌 puller'],
    ['token.create', 'token_name=puller token_id=3 user_id=1 expires=2024-05-30T02:00:00Z', '令牌：puller；令牌编号：3；用户编号：1；到期：2024-05-30 10:00'],
    ['token.revoke', 'token_name=puller token_id=3 user=ops token_state=revoked expires=2024-05-30T02:00:00Z',
      '令牌：puller；令牌编号：3；用户：ops；令牌状态：已撤销；到期：2024-05-30 10:00'],
    ['user.disable', 'name=wangge disabled=true sessions_ended=2', '用户名：wangge；停用：是；退出的登录：2 个'],
    ['user.enable', 'name=wangge disabled=false', '用户名：wangge；停用：否'],
    ['user.password', 'name=wangge password_changed=yes sessions_ended=1', '用户名：wangge；密码：已修改；退出的登录：1 个'],
    ['notify.channel.add', 'region=140225 kind=dingtalk audience=officials url=https://oapi.dingtalk.com/robot/send?access_token=*** signed=yes',
      '区域：浑源县；渠道：钉钉；通知对象：干部；地址：https://oapi.dingtalk.com/robot/send?access_token=***；加签：是'],
    ['feed.failing', 'no success since 2023-10-29T05:00:00Z; last error: firms: Invalid MAP_KEY.',
      '自 2023-10-29 13:00 起没有成功；最近错误：firms: Invalid MAP_KEY.'],
    ['event.create', 'class=dust_exceedance grid=140225-005-009 assigned_by=contains monitor=36 site=202 rule=datong_default window=2023-10-30T02:00:00Z/2023-10-30T03:00:00Z value=231.5 limit=140',
      '类别：扬尘超标；网格：浑源县 6行10列；定位：在网格内；监测设备：#36；依据台账：202；规则：大同默认：PM10 小时均值高于区县环境均值 80 µg/m³，每日超过 2 次；时段：2023-10-30 10:00 – 2023-10-30 11:00；数值：231.5；限值：140'],
    ['event.alarm', 'alarms=3 last_seen=2023-10-30T03:00:00Z rule=silent window=2023-10-30T02:00:00Z/2023-10-30T03:00:00Z value=30 limit=30',
      '报警次数：3；最近报警：2023-10-30 11:00；规则：设备离线（长时间无数据）；时段：2023-10-30 10:00 – 2023-10-30 11:00；数值：30；限值：30'],
    ['event.create', 'class=site_inspection grid=140225-005-009 assigned_by=contains monitor=0 site=233 rule=uncovered_pile',
      '类别：工地堆场检查；网格：浑源县 6行10列；定位：在网格内；监测设备：—；依据台账：233；规则：煤/矿堆场未苫盖或抑尘'],
    ['event.create', 'class=emergency_inspection grid=140225-005-009 assigned_by=contains monitor=0 site=233 listed="示例工地02：停止土石方作业；物料堆场覆盖"',
      '类别：应急减排检查；网格：浑源县 6行10列；定位：在网格内；监测设备：—；依据台账：233；清单工地及措施：示例工地02：停止土石方作业；物料堆场覆盖'],
    ['warning.issue', 'level=orange area=140225 start=2023-10-31T09:30:00Z expected_end=2023-11-03T09:30:00Z', '级别：橙色预警；范围：浑源县；开始：2023-10-31 17:30；预计结束：2023-11-03 17:30'],
    ['monitors.import', '30 monitors (30 new)', '30 台监测设备（新增 30 台）'],
    ['air.stations.import', '6 stations (6 in a county)', '6 个空气质量站（6 个在区县内）'],
    ['air.hours.ingest', '57 station hours (57 new, 0 updated)', '57 个站点小时（新增 57，更新 0）'],
    ['sites.video', 'video_offline', '5,000 m² 以上工地视频未接入监管平台'],
    ['public_report.file', 'rule=dust region=140225 grid=140225-005-009 photos=2', '规则：举报扬尘；区域：浑源县；网格：浑源县 6行10列；照片：2 张'],
    ['public_report.accept', 'state=accepted event=12 task=34 note="属实"', '状态：已受理；火情：#12；任务：34；审核备注：属实'],
    ['public_report.reject', 'state=rejected reason="重复举报"', '状态：不予受理；理由：重复举报'],
    ['public_report.reward', 'reward_yuan=50.00', '奖励金额（元）：50.00'],
  ];
  for (const [action, text, want] of cases) {
    it(`${action}: ${text.slice(0, 40)}`, () => expect(describeChange(text, names, 'zh')).toBe(want));
  }
  it('leaves no code, English word or UTC time in the Chinese of the records above', () => {
    for (const [, text] of cases) {
      const s = describeChange(text, names, 'zh').replace(/https?:\/\/\S+|\.csv|MAP_KEY|firms: Invalid|puller|wangge|nongye|ops|[0-9a-f]{8}/g, '');
      expect(s, text).not.toMatch(/[a-z]+_[a-z]+|\b[a-z]{3,}\b|T\d\d:\d\d|Z\b/);
    }
  });
  it('says it in English too', () => {
    expect(describeChange('class=straw_burning grid=140225-005-009 hotspots=2', names, 'en')).toBe('Class: Straw burning; Grid: 浑源县 6行10列; Hotspots: 2');
  });
  it('shows what it cannot read as recorded', () => {
    expect(describeChange('something new happened', names, 'zh')).toBe('something new happened');
    expect(describeChange('', names, 'zh')).toBe('');
    expect(describeChange('colour=red', names, 'zh')).toBe('colour：red');
  });
});

describe('describeChange: quoted words and the history and cross-border lines', () => {
  it('reads a quoted reason as one value, whatever it holds', () => {
    expect(describeChange('state=acknowledged grid=g1 version=3 review="照片看不清 finding=误写 请重拍"', { g1: '浑源县 6行10列' }, 'zh'))
      .toBe('状态：已签收；网格：浑源县 6行10列；版本：3；审核意见：照片看不清 finding=误写 请重拍');
    expect(describeChange('note="已电话核实"', {}, 'zh')).toBe('审核备注：已电话核实');
  });
  it('says a cross-border and a history event in words', () => {
    expect(describeChange('class=open_burning grid= assigned_by=none hotspots=2 cross_border=outside_the_city near=140225 where="浑源县以东约2.1公里，市外"', { '140225': '浑源县' }, 'zh'))
      .toBe('类别：露天焚烧；网格：未落入网格；定位：不在任何网格；火点：2 个；市外：在本市以外（联防联控），不派单；最近的区县：浑源县；位置：浑源县以东约2.1公里，市外');
    expect(describeChange('class=straw_burning grid=g1 assigned_by=contains hotspots=1 history=older_than_max_age', { g1: '6行10列' }, 'zh'))
      .toBe('类别：秸秆焚烧；网格：6行10列；定位：在网格内；火点：1 个；历史补录：发现已超过 24 小时，只记录，不派单');
  });
});

describe('a warning\'s audit lines in words', () => {
  it.each([
    ['level=orange area=140215,140225 start=2023-10-31T09:30:00Z expected_end=2023-11-03T09:30:00Z',
      '级别：橙色预警；范围：云州区、浑源县；开始：2023-10-31 17:30；预计结束：2023-11-03 17:30'],
    ['level=red area=city start=2023-10-31T09:30:00Z expected_end=2023-11-03T09:30:00Z lifted_at=2023-11-01T01:00:00Z',
      '级别：红色预警；范围：全市；开始：2023-10-31 17:30；预计结束：2023-11-03 17:30；解除：2023-11-01 09:00'],
    ['rows=4 matched=3 unmatched=1', '行数：4；匹配：3；未匹配：1'],
  ])('%s', (rec, want) => {
    expect(describeChange(rec, { '140215': '云州区', '140225': '浑源县' }, 'zh')).toBe(want);
  });
});
