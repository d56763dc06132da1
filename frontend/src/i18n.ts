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
  'map.layers': '图层', 'map.legend': '图例', 'legend.violation': '违规工地、堆场', 'map.window': '时间范围',
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
  'audit.title': '统计审计', 'audit.period': '时段', 'audit.load': '查询', 'audit.stats': '分区统计',
  'audit.ranking': '区县排名', 'audit.exports': '导出', 'audit.monthly': '月报（可打印）',
  'nav.auditlog': '操作日志',
  'period.month': '按月', 'period.week': '按周', 'period.day': '按日', 'period.range': '自定义时段', 'period.key': '重点时段', 'period.year': '按年',
  'period.kind': '时段类型', 'period.from': '起', 'period.to': '止', 'period.year.label': '年份', 'period.spring': '春季（春耕 3月1日–5月31日）',
  'period.autumn': '秋季（秋收 9月15日–11月30日）', 'period.weekof': '所在周', 'period.bad': '请完整填写时段',
  'audit.by': '分组', 'by.county': '按区县', 'by.township': '按乡镇', 'by.grid': '按网格', 'audit.region': '区域',
  'audit.region.all': '全部区域', 'audit.subregion': '乡镇/网格编号（可选）',
  'audit.summary': '概况', 'audit.yearago': '同比', 'audit.daily': '逐日火情（按类型堆叠）', 'audit.rankchart': '区县排名（最严重在上）',
  'audit.response': '响应用时分布（派单→上报）', 'audit.confirmed': '核实的秸秆焚烧', 'audit.confirmed.none': '本时段没有核实（已办结）的秸秆焚烧。',
  'audit.confirmed.n': '共 {n} 起', 'audit.noresponse': '本时段没有上报记录。', 'audit.nodata': '本时段没有数据。',
  'audit.median': '中位数', 'audit.p90': 'P90', 'audit.unit.min': '分钟', 'audit.unit.h': '小时', 'audit.count': '件', 'audit.events.unit': '起',
  'audit.rank.unverified': '本时段各区县疑似秸秆焚烧均为 0 起，排名按未核实任务数。', 'audit.score.ha': '起/千公顷', 'audit.score.n': '起', 'audit.monthonly': '月报仅在按月查询时提供',
  'ex.events': '火情', 'ex.hotspots': '火点（FIRMS格式）', 'ex.stats': '统计表',
  'st.region': '区域', 'st.hotspots': '卫星火点', 'st.events': '火情', 'st.straw': '疑似秸秆焚烧', 'st.tasks': '任务',
  'st.confirmed': '核实秸秆焚烧', 'st.false': '误报', 'st.unverified': '未核实', 'st.ack.median': '签收中位(分)', 'st.ack.p90': '签收P90(分)',
  'st.rep.median': '上报中位(分)', 'st.rep.p90': '上报P90(分)', 'st.overdue': '超时', 'st.overdue.share': '超时率', 'st.cropland': '耕地(公顷)',
  'st.per1000': '每千公顷', 'st.total': '合计', 'st.ack': '签收用时', 'st.rep': '上报用时',
  'rk.rank': '名次', 'rk.county': '区县', 'rk.score': '得分', 'rk.reason': '说明',
  'cf.time': '发现时间', 'cf.place': '位置', 'cf.closed': '办结时间', 'cf.task': '任务',
  'log.title': '操作日志', 'log.task': '任务编号', 'log.actor': '用户', 'log.action': '操作', 'log.all': '全部操作', 'log.since': '从', 'log.until': '到',
  'log.at': '时间', 'log.entity': '对象', 'log.id': '编号', 'log.change': '变更（前 → 后）', 'log.more': '加载更多', 'log.empty': '没有符合条件的记录',
  'log.n': '显示 {n} 条', 'log.forbidden': '只有审计和管理员可以查看操作日志。', 'log.fortask': '任务 #{id} 的操作日志', 'log.history': '操作记录',
  'action.task.dispatch': '派单', 'action.task.acknowledge': '签收', 'action.task.report': '上报', 'action.task.close': '办结',
  'action.task.return': '退回', 'action.task.reassign': '改派', 'action.task.escalate': '超时督办', 'action.task.update': '任务更新',
  'action.ingest': '导入火点', 'action.event.create': '新建火情', 'action.event.reclassify': '火情重新分类', 'action.feed.failing': '数据源故障',
  'action.regions.import': '导入行政区', 'action.supervisors.import': '导入网格员', 'action.sites.import': '导入台账',
  'action.notify.channel.add': '添加通知渠道', 'action.user.add': '添加用户', 'action.token.create': '创建令牌',
  'entity.task': '任务', 'entity.batch': '数据批次', 'entity.event': '火情', 'entity.feed': '数据源', 'entity.region': '行政区',
  'entity.supervisor': '网格员', 'entity.site': '台账', 'entity.notify_channel': '通知渠道', 'entity.user': '用户',
  'admin.title': '管理', 'admin.users': '用户', 'admin.batches': '数据批次', 'admin.feeds': '数据源',
  'admin.imports': '数据导入',
  'import.kind': '导入内容', 'import.file': '文件',
  'import.kind.regions': '行政区划 / 网格（GeoJSON）', 'import.kind.supervisors': '网格员名单（CSV）', 'import.kind.sites': '台账（GeoJSON / CSV）',
  'import.kind.heat-sources': '工业热源（电厂、钢厂 CSV）', 'import.kind.fires': '卫星火点文件（FIRMS CSV、葵花 WLF）',
  'import.help.regions': '面要素（Polygon/MultiPolygon）。有一个要素出错，整个文件不导入，并列出每个出错要素。',
  'import.help.supervisors': 'CSV 表头：grid_id, name, phone。网格原有网格员会被替换。',
  'import.help.sites': 'GeoJSON，或带 WKT 列、经纬度列的 CSV（UTF-8 或 GBK）。中英文列名均可，其他列名用“字段对应”指定。有一行出错，整个文件不导入。',
  'import.help.heat-sources': '全球电厂数据库（GPPD）或 GEM 钢厂 CSV；只保留火电等有热辐射的电厂。',
  'import.help.fires': 'NASA FIRMS 各种 CSV 格式或葵花 WLF 文件。无法读取的行被计数并列出，其余照常入库。',
  'import.level': '级别', 'import.parent': '上级区划编号', 'import.parent.hint': '要素没有上级编号时使用',
  'import.crs': '坐标系', 'import.sitekind': '台账类型', 'import.idprop': '编号字段', 'import.nameprop': '名称字段',
  'import.wkt': 'WKT 列', 'import.lon': '经度列', 'import.lat': '纬度列',
  'import.props': '字段对应', 'import.props.hint': '每行一个：属性=列名，如 video=是否视频', 'import.props.bad': '字段对应格式不对（应为 属性=列名）：',
  'import.submit': '上传并导入', 'import.running': '正在导入 {name}…', 'import.ok': '{name} 已导入',
  'import.refused': '文件被拒绝，没有导入任何内容：', 'import.rejected': '{n} 行无法读取，未入库（见下方列表）', 'import.reclassified': '{n} 个未办结火情已重新分类',
  'level.county': '区县', 'level.township': '乡镇', 'level.grid': '网格',
  'crs.wgs84': 'WGS84（GPS）', 'crs.cgcs2000': 'CGCS2000（天地图）', 'crs.gcj02': 'GCJ-02（高德、腾讯）', 'crs.bd09': 'BD-09（百度）',
  'kind.cropland': '耕地', 'kind.industrial': '工业热源',
  'user.add': '添加用户', 'user.added': '已添加用户 {name}', 'user.role': '角色', 'user.regions': '管辖区域', 'user.regions.hint': '干部填区县或乡镇编号；网格员填网格编号（可多个，用逗号分隔）；管理员、审计不填',
  'user.phone': '电话', 'user.password.hint': '至少 8 个字符', 'user.created': '创建时间',
  'feed.source': '数据源', 'feed.success': '最近成功', 'feed.attempt': '最近尝试', 'feed.pulls': '拉取次数', 'feed.added': '累计新增', 'feed.errors': '失败次数',
  'feed.failing': '故障', 'feed.lasterror': '最近错误', 'feed.none': '未配置实时数据源：设置 FIRMS_MAP_KEY（或配置文件 [feed] map_key）后，serve 会定时拉取 FIRMS 火点。',
  'batch.file': '文件', 'batch.format': '格式', 'batch.origin': '来源', 'batch.rows': '行数', 'batch.new': '新增', 'batch.duplicates': '重复',
  'batch.rejected': '无法读取', 'batch.outside': '区域外', 'batch.events': '新火情', 'batch.tasks': '新任务', 'batch.finished': '完成时间',
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
  'map.layers': 'Layers', 'map.legend': 'Legend', 'legend.violation': 'Sites breaking a rule', 'map.window': 'Time window',
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
  'audit.title': 'Audit', 'audit.period': 'Period', 'audit.load': 'Query', 'audit.stats': 'Statistics by area',
  'audit.ranking': 'County ranking', 'audit.exports': 'Exports', 'audit.monthly': 'Monthly report (printable)',
  'nav.auditlog': 'Audit log',
  'period.month': 'Month', 'period.week': 'Week', 'period.day': 'Day', 'period.range': 'Custom range', 'period.key': 'Key period', 'period.year': 'Year',
  'period.kind': 'Period', 'period.from': 'From', 'period.to': 'To', 'period.year.label': 'Year', 'period.spring': 'Spring (ploughing, 1 Mar–31 May)',
  'period.autumn': 'Autumn (harvest, 15 Sep–30 Nov)', 'period.weekof': 'Week of', 'period.bad': 'Fill in the period',
  'audit.by': 'Group by', 'by.county': 'County', 'by.township': 'Township', 'by.grid': 'Grid', 'audit.region': 'Area',
  'audit.region.all': 'All areas', 'audit.subregion': 'Township/grid id (optional)',
  'audit.summary': 'Summary', 'audit.yearago': 'vs a year ago', 'audit.daily': 'Fire events by day (stacked by class)', 'audit.rankchart': 'County ranking (worst on top)',
  'audit.response': 'Response times (dispatch → report)', 'audit.confirmed': 'Confirmed straw burning', 'audit.confirmed.none': 'No confirmed (closed) straw burning in this period.',
  'audit.confirmed.n': '{n} in all', 'audit.noresponse': 'No reports in this period.', 'audit.nodata': 'No data for this period.',
  'audit.median': 'median', 'audit.p90': 'P90', 'audit.unit.min': 'min', 'audit.unit.h': 'h', 'audit.count': 'tasks', 'audit.events.unit': 'events',
  'audit.rank.unverified': 'No county has suspected straw burning in this period: ranked by unverified tasks.', 'audit.score.ha': 'per 1000 ha', 'audit.score.n': 'events', 'audit.monthonly': 'The monthly report is for a month',
  'ex.events': 'Events', 'ex.hotspots': 'Hotspots (FIRMS)', 'ex.stats': 'Statistics',
  'st.region': 'Area', 'st.hotspots': 'Hotspots', 'st.events': 'Events', 'st.straw': 'Suspected straw', 'st.tasks': 'Tasks',
  'st.confirmed': 'Confirmed straw', 'st.false': 'False alarms', 'st.unverified': 'Unverified', 'st.ack.median': 'Ack median (min)', 'st.ack.p90': 'Ack P90 (min)',
  'st.rep.median': 'Report median (min)', 'st.rep.p90': 'Report P90 (min)', 'st.overdue': 'Overdue', 'st.overdue.share': 'Overdue share', 'st.cropland': 'Cropland (ha)',
  'st.per1000': 'Per 1000 ha', 'st.total': 'Total', 'st.ack': 'Acknowledge time', 'st.rep': 'Report time',
  'rk.rank': 'Rank', 'rk.county': 'County', 'rk.score': 'Score', 'rk.reason': 'Why',
  'cf.time': 'First seen', 'cf.place': 'Place', 'cf.closed': 'Closed', 'cf.task': 'Task',
  'log.title': 'Audit log', 'log.task': 'Task id', 'log.actor': 'User', 'log.action': 'Action', 'log.all': 'All actions', 'log.since': 'From', 'log.until': 'To',
  'log.at': 'Time', 'log.entity': 'Entity', 'log.id': 'Id', 'log.change': 'Change (before → after)', 'log.more': 'Load more', 'log.empty': 'No matching entries',
  'log.n': '{n} shown', 'log.forbidden': 'Only auditors and administrators may read the audit log.', 'log.fortask': 'Audit log of task #{id}', 'log.history': 'History',
  'action.task.dispatch': 'Dispatched', 'action.task.acknowledge': 'Acknowledged', 'action.task.report': 'Reported', 'action.task.close': 'Closed',
  'action.task.return': 'Returned', 'action.task.reassign': 'Reassigned', 'action.task.escalate': 'Escalated (overdue)', 'action.task.update': 'Task updated',
  'action.ingest': 'Hotspots ingested', 'action.event.create': 'Event created', 'action.event.reclassify': 'Event reclassified', 'action.feed.failing': 'Feed failing',
  'action.regions.import': 'Regions imported', 'action.supervisors.import': 'Supervisors imported', 'action.sites.import': 'Sites imported',
  'action.notify.channel.add': 'Notification channel added', 'action.user.add': 'User added', 'action.token.create': 'Token created',
  'entity.task': 'Task', 'entity.batch': 'Batch', 'entity.event': 'Event', 'entity.feed': 'Feed', 'entity.region': 'Region',
  'entity.supervisor': 'Supervisor', 'entity.site': 'Site', 'entity.notify_channel': 'Notification channel', 'entity.user': 'User',
  'admin.title': 'Admin', 'admin.users': 'Users', 'admin.batches': 'Batches', 'admin.feeds': 'Feeds',
  'admin.imports': 'Imports',
  'import.kind': 'What', 'import.file': 'File',
  'import.kind.regions': 'Regions / grids (GeoJSON)', 'import.kind.supervisors': 'Grid supervisors (CSV)', 'import.kind.sites': 'Registries (GeoJSON / CSV)',
  'import.kind.heat-sources': 'Industrial heat sources (plants CSV)', 'import.kind.fires': 'Fire files (FIRMS CSV, Himawari WLF)',
  'import.help.regions': 'Polygon features. One bad feature refuses the whole file; every bad feature is listed.',
  'import.help.supervisors': 'CSV header: grid_id, name, phone. A grid\'s previous supervisor is replaced.',
  'import.help.sites': 'GeoJSON, or CSV with a WKT column or lon/lat columns (UTF-8 or GBK). English or Chinese column names; map others below. One bad row refuses the whole file.',
  'import.help.heat-sources': 'Global Power Plant Database or GEM steel plant CSV; only thermal plants are kept.',
  'import.help.fires': 'NASA FIRMS CSV (any layout) or Himawari WLF. Unreadable rows are counted and listed; the rest goes in.',
  'import.level': 'Level', 'import.parent': 'Parent region id', 'import.parent.hint': 'for features without a parent',
  'import.crs': 'Coordinates', 'import.sitekind': 'Registry', 'import.idprop': 'Id column', 'import.nameprop': 'Name column',
  'import.wkt': 'WKT column', 'import.lon': 'Longitude column', 'import.lat': 'Latitude column',
  'import.props': 'Column mapping', 'import.props.hint': 'one per line: attribute=column, e.g. video=是否视频', 'import.props.bad': 'Column mapping lines must be attribute=column:',
  'import.submit': 'Upload and import', 'import.running': 'Importing {name}…', 'import.ok': '{name} imported',
  'import.refused': 'The file was refused; nothing was imported:', 'import.rejected': '{n} unreadable rows were not stored (listed below)', 'import.reclassified': '{n} open events reclassified',
  'level.county': 'County', 'level.township': 'Township', 'level.grid': 'Grid',
  'crs.wgs84': 'WGS84 (GPS)', 'crs.cgcs2000': 'CGCS2000 (Tianditu)', 'crs.gcj02': 'GCJ-02 (Amap, Tencent)', 'crs.bd09': 'BD-09 (Baidu)',
  'kind.cropland': 'Cropland', 'kind.industrial': 'Industrial heat sources',
  'user.add': 'Add user', 'user.added': 'User {name} added', 'user.role': 'Role', 'user.regions': 'Area', 'user.regions.hint': 'officials: a county or township id; supervisors: grid ids (comma-separated); none for admins and auditors',
  'user.phone': 'Phone', 'user.password.hint': 'at least 8 characters', 'user.created': 'Created',
  'feed.source': 'Source', 'feed.success': 'Last success', 'feed.attempt': 'Last attempt', 'feed.pulls': 'Pulls', 'feed.added': 'Added', 'feed.errors': 'Errors',
  'feed.failing': 'Failing', 'feed.lasterror': 'Last error', 'feed.none': 'No live feed: set FIRMS_MAP_KEY (or [feed] map_key in the config) and serve pulls FIRMS on a schedule.',
  'batch.file': 'File', 'batch.format': 'Format', 'batch.origin': 'Origin', 'batch.rows': 'Rows', 'batch.new': 'New', 'batch.duplicates': 'Duplicates',
  'batch.rejected': 'Unreadable', 'batch.outside': 'Outside', 'batch.events': 'New events', 'batch.tasks': 'New tasks', 'batch.finished': 'Finished',
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
