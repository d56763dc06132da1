// A tiny i18n dictionary: Chinese by default, English on request.
export type Lang = 'zh' | 'en';

const zh: Record<string, string> = {
  'app.title': '天网格 · 大同火点监管',
  'nav.map': '地图', 'nav.tasks': '任务', 'nav.sites': '台账', 'nav.audit': '统计审计', 'nav.admin': '管理',
  'logout': '退出', 'lang.switch': 'EN',
  'login.title': '登录', 'login.name': '用户名', 'login.password': '密码', 'login.submit': '登录',
  'login.failed': '登录失败',
  'loading': '加载中…', 'error': '出错了', 'none': '暂无', 'back': '返回',
  'conflict': '该任务已被他人修改，已重新加载，请核对后重试。',
  'pending.n': '待发送 {n} 条', 'pending.sent': '已发送离线保存的上报 {n} 条',
  'saved.offline': '网络不可用：上报已保存在本机，联网后自动发送。',
  'map.layers': '图层', 'map.legend': '图例', 'map.window': '时间范围',
  'map.24h': '最近24小时', 'map.7d': '最近7天', 'map.custom': '自定义', 'map.day': '2023年10月逐日', 'map.oct': '2023年10月全月', 'map.timed': '按时间',
  'map.all': '全部', 'map.from': '从', 'map.to': '到', 'map.apply': '应用',
  'map.search': '搜索地点：区县、乡镇、网格、工地', 'map.go': '定位', 'map.notfound': '未找到该地点',
  'search.kind.city': '市', 'search.kind.county': '区县', 'search.kind.township': '乡镇', 'search.kind.grid': '网格', 'search.kind.site': '台账',
  'map.noevent': '此处没有火情', 'map.day.label': '10月{d}日',
  'site.ok': '符合要求', 'site.area': '面积', 'site.permit': '施工许可证', 'site.builder': '建设单位', 'site.video': '视频监控',
  'site.material': '物料', 'site.suppression': '抑尘措施',
  'event': '火情', 'event.class': '类型', 'event.grid': '网格', 'event.supervisor': '网格员',
  'event.task': '任务', 'event.first': '首次发现', 'event.last': '最近发现', 'event.hotspots': '火点数',
  'event.open': '打开任务', 'county': '区县', 'township': '乡镇',
  'tasks.title': '我的任务', 'tasks.empty': '没有任务', 'tasks.due': '截止', 'tasks.overdue': '已超时',
  'tasks.left': '剩余', 'tasks.state': '状态', 'tasks.all': '全部状态',
  'task.title': '任务', 'task.nav': '导航', 'task.ack': '签收', 'task.acked': '已签收',
  'task.report': '现场核查上报', 'task.finding': '核查结论', 'task.notes': '说明',
  'task.photos': '现场照片（1–5张）', 'task.position': '手机位置', 'task.locate': '获取位置',
  'task.nolocate': '未获取（可选）', 'task.submit': '提交上报', 'task.submitted': '已提交',
  'task.review': '审核', 'task.close': '办结', 'task.return': '退回', 'task.reason': '退回原因',
  'task.reassign': '改派', 'task.gridid': '网格编号', 'task.photos.need': '请选择1–5张照片',
  'task.ackdue': '签收截止', 'task.reportdue': '上报截止', 'task.created': '派发时间',
  'task.escalation': '督办级别', 'task.reports': '上报次数', 'task.version': '版本',
  'task.showmap': '在地图上查看', 'task.done': '操作成功',
  'sites.title': '台账', 'sites.kind': '类型', 'sites.violation': '仅看违规', 'sites.name': '名称',
  'sites.area': '面积', 'sites.status': '状态', 'sites.map': '地图',
  'kind.construction': '建筑工地', 'kind.stockpile': '堆场', 'kind.nocoal': '禁煤区',
  'audit.title': '统计审计', 'audit.period': '月份', 'audit.load': '查询', 'audit.stats': '统计',
  'audit.ranking': '排名', 'audit.exports': '导出', 'audit.monthly': '月报',
  'admin.title': '管理', 'admin.users': '用户', 'admin.batches': '数据批次', 'admin.feeds': '数据源',
  'state.dispatched': '待签收', 'state.acknowledged': '已签收', 'state.reported': '已上报', 'state.closed': '已办结',
  'state.open': '未办结', 'state.unassigned': '未派发',
  'finding.straw_burning': '秸秆焚烧', 'finding.open_burning': '其他露天焚烧',
  'finding.industrial_heat': '工业热源', 'finding.false_alarm': '误报', 'finding.not_found': '现场未发现',
  'class.straw_burning': '秸秆焚烧', 'class.open_burning': '露天焚烧', 'class.industrial_heat': '工业热源',
  'class.loose_coal_burning': '散煤燃烧', 'class.construction_site': '建筑工地', 'class.stockpile': '堆场',
  'role.admin': '管理员', 'role.auditor': '审计', 'role.official': '干部', 'role.supervisor': '网格员',
  'rejected.title': '离线上报未被接受', 'rejected.banner': '{n} 条离线上报未被接受，点此查看',
  'rejected.toast': '任务 #{id} 的离线上报未被接受：{why}',
  'rejected.409': '任务在您离线期间已被修改（改派、退回或已有人上报）', 'rejected.403': '该任务已不在您的网格（可能已改派给其他网格）',
  'rejected.404': '该任务已不存在', 'rejected.400': '上报内容不符合要求（照片或核查结论）', 'rejected.other': '服务器拒绝了这条上报',
  'rejected.reason': '服务器答复', 'rejected.saved': '保存于', 'rejected.photos': '照片 {n} 张，删除此记录前一直保留在本机',
  'rejected.again': '用保存的内容重新上报', 'rejected.dismiss': '删除此记录', 'rejected.open': '打开任务',
  'rejected.filled': '已填入保存的结论、说明和照片，请核对后提交。', 'rejected.confirm': '删除后，保存的照片也将从本机删除。确定吗？',
  'offline.title': '离线', 'offline.body': '无法连接服务器。联网后，本机保存的上报会自动发送。',
  'offline.queue': '本机待发送的上报', 'offline.none': '没有待发送的上报', 'offline.retry': '重新连接', 'offline.task': '任务 #{id}', 'offline.photos': '照片 {n} 张',
  'unit.d': '天', 'unit.h': '小时', 'unit.m': '分',
};

const en: Record<string, string> = {
  'app.title': 'SkyGrid · Datong fire watch',
  'nav.map': 'Map', 'nav.tasks': 'Tasks', 'nav.sites': 'Sites', 'nav.audit': 'Audit', 'nav.admin': 'Admin',
  'logout': 'Log out', 'lang.switch': '中文',
  'login.title': 'Sign in', 'login.name': 'User name', 'login.password': 'Password', 'login.submit': 'Sign in',
  'login.failed': 'Sign-in failed',
  'loading': 'Loading…', 'error': 'Error', 'none': 'None', 'back': 'Back',
  'conflict': 'Someone else changed this task; it was reloaded — check and try again.',
  'pending.n': '{n} waiting to send', 'pending.sent': 'Sent {n} report(s) saved offline',
  'saved.offline': 'No network: the report is kept on this phone and sent when back online.',
  'map.layers': 'Layers', 'map.legend': 'Legend', 'map.window': 'Time window',
  'map.24h': 'Last 24 h', 'map.7d': 'Last 7 days', 'map.custom': 'Custom', 'map.day': 'October 2023 by day', 'map.oct': 'All of October 2023', 'map.timed': 'timed',
  'map.all': 'All', 'map.from': 'From', 'map.to': 'To', 'map.apply': 'Apply',
  'map.search': 'Find a place: county, township, grid, site', 'map.go': 'Go', 'map.notfound': 'No such place',
  'search.kind.city': 'City', 'search.kind.county': 'County', 'search.kind.township': 'Township', 'search.kind.grid': 'Grid', 'search.kind.site': 'Site',
  'map.noevent': 'No fire event here', 'map.day.label': 'Oct {d}',
  'site.ok': 'Compliant', 'site.area': 'Area', 'site.permit': 'Permit', 'site.builder': 'Builder', 'site.video': 'Video',
  'site.material': 'Material', 'site.suppression': 'Dust suppression',
  'event': 'Fire event', 'event.class': 'Class', 'event.grid': 'Grid', 'event.supervisor': 'Supervisor',
  'event.task': 'Task', 'event.first': 'First seen', 'event.last': 'Last seen', 'event.hotspots': 'Hotspots',
  'event.open': 'Open task', 'county': 'County', 'township': 'Township',
  'tasks.title': 'My tasks', 'tasks.empty': 'No tasks', 'tasks.due': 'Due', 'tasks.overdue': 'Overdue',
  'tasks.left': 'left', 'tasks.state': 'State', 'tasks.all': 'All states',
  'task.title': 'Task', 'task.nav': 'Navigate', 'task.ack': 'Acknowledge', 'task.acked': 'Acknowledged',
  'task.report': 'Field report', 'task.finding': 'Finding', 'task.notes': 'Notes',
  'task.photos': 'Photos (1–5)', 'task.position': 'Phone position', 'task.locate': 'Locate',
  'task.nolocate': 'Not taken (optional)', 'task.submit': 'Submit report', 'task.submitted': 'Submitted',
  'task.review': 'Review', 'task.close': 'Close', 'task.return': 'Return', 'task.reason': 'Reason',
  'task.reassign': 'Reassign', 'task.gridid': 'Grid id', 'task.photos.need': 'Choose 1–5 photos',
  'task.ackdue': 'Acknowledge by', 'task.reportdue': 'Report by', 'task.created': 'Dispatched',
  'task.escalation': 'Escalation', 'task.reports': 'Reports', 'task.version': 'Version',
  'task.showmap': 'Show on map', 'task.done': 'Done',
  'sites.title': 'Sites', 'sites.kind': 'Kind', 'sites.violation': 'Violations only', 'sites.name': 'Name',
  'sites.area': 'Area', 'sites.status': 'Status', 'sites.map': 'Map',
  'kind.construction': 'Construction sites', 'kind.stockpile': 'Stockpiles', 'kind.nocoal': 'No-coal zones',
  'audit.title': 'Audit', 'audit.period': 'Month', 'audit.load': 'Load', 'audit.stats': 'Statistics',
  'audit.ranking': 'Ranking', 'audit.exports': 'Exports', 'audit.monthly': 'Monthly report',
  'admin.title': 'Admin', 'admin.users': 'Users', 'admin.batches': 'Batches', 'admin.feeds': 'Feeds',
  'state.dispatched': 'Dispatched', 'state.acknowledged': 'Acknowledged', 'state.reported': 'Reported', 'state.closed': 'Closed',
  'state.open': 'Open', 'state.unassigned': 'Unassigned',
  'finding.straw_burning': 'Straw burning', 'finding.open_burning': 'Other open burning',
  'finding.industrial_heat': 'Industrial heat', 'finding.false_alarm': 'False alarm', 'finding.not_found': 'Nothing found',
  'class.straw_burning': 'Straw burning', 'class.open_burning': 'Open burning', 'class.industrial_heat': 'Industrial heat',
  'class.loose_coal_burning': 'Loose coal burning', 'class.construction_site': 'Construction site', 'class.stockpile': 'Stockpile',
  'role.admin': 'Administrator', 'role.auditor': 'Auditor', 'role.official': 'Official', 'role.supervisor': 'Grid supervisor',
  'rejected.title': 'Offline report not accepted', 'rejected.banner': '{n} offline report(s) not accepted — tap to see',
  'rejected.toast': 'The offline report for task #{id} was not accepted: {why}',
  'rejected.409': 'The task changed while you were offline (reassigned, returned or already reported)', 'rejected.403': 'The task is no longer in your grid (probably reassigned)',
  'rejected.404': 'The task no longer exists', 'rejected.400': 'The report was not valid (photos or finding)', 'rejected.other': 'The server refused this report',
  'rejected.reason': 'Server said', 'rejected.saved': 'Saved', 'rejected.photos': '{n} photo(s), kept on this phone until you dismiss this',
  'rejected.again': 'Report again with the saved content', 'rejected.dismiss': 'Dismiss', 'rejected.open': 'Open task',
  'rejected.filled': 'The saved finding, notes and photos are filled in; check and submit.', 'rejected.confirm': 'Dismissing deletes the saved photos from this phone. Continue?',
  'offline.title': 'Offline', 'offline.body': 'Cannot reach the server. Reports saved on this phone are sent when the network is back.',
  'offline.queue': 'Reports waiting on this phone', 'offline.none': 'No reports waiting', 'offline.retry': 'Try again', 'offline.task': 'Task #{id}', 'offline.photos': '{n} photo(s)',
  'unit.d': 'd', 'unit.h': 'h', 'unit.m': 'min',
};

export const dictionaries: Record<Lang, Record<string, string>> = { zh, en };

let lang: Lang = 'zh';

function stored(): Lang | null {
  try {
    const v = globalThis.localStorage?.getItem('skygrid.lang');
    return v === 'en' || v === 'zh' ? v : null;
  } catch {
    return null;
  }
}
lang = stored() ?? 'zh';

export function getLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  try {
    globalThis.localStorage?.setItem('skygrid.lang', l);
  } catch {
    /* private mode */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** t looks a key up, falls back to Chinese, then to the key; {name} is filled from vars. */
export function t(key: string, vars?: Record<string, string | number>, l: Lang = lang): string {
  let s = dictionaries[l][key] ?? zh[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** tOr translates a prefixed code (state.x, class.x) or shows the code itself. */
export function tOr(prefix: string, code: string | undefined | null, l: Lang = lang): string {
  if (!code) return '';
  const k = `${prefix}.${code}`;
  return dictionaries[l][k] ?? zh[k] ?? code;
}

export function locale(l: Lang = lang): string {
  return l === 'zh' ? 'zh-CN' : 'en-GB';
}
