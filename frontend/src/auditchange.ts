// The audit log's "change" column in words: the server records a change
// as it happened, in codes ("class=straw_burning grid=140225-005-009
// ack_due=2023-10-29T05:06:00Z"); describeChange says it as a person
// would ("类别：秸秆焚烧；网格：浑源县 6行10列；签收截止：2023-10-29 13:06"),
// times in Beijing time, regions by name (the API sends their names). A
// record it cannot read is shown as recorded. Pure: tested with Vitest.
import { formatDateTime } from './format';
import { getLang, t, tOr, type Lang } from './i18n';

/** Region names by id, as GET /api/audit sends them. */
export type Names = Record<string, string>;

const KEY = /(?:^|\s)([a-z_]+)=/g;

/**
 * pairs splits "a=1 b=two words c=3" into its keys and values (values may
 * hold spaces); a quoted value (b="a reviewer's words, even k=v") is read
 * as one and unquoted.
 */
export function pairs(s: string): [string, string][] | null {
  const out: [string, string][] = [];
  KEY.lastIndex = 0;
  let m = KEY.exec(s);
  if (!m || s.slice(0, m.index).trim()) return null;
  while (m) {
    const key = m[1];
    let from = m.index + m[0].length;
    const quoted = s[from] === '"' ? quotedAt(s, from) : null;
    if (quoted) from += quoted.length;
    KEY.lastIndex = from;
    const next = KEY.exec(s);
    out.push([key, quoted ? JSON.parse(quoted) as string : s.slice(from, next ? next.index : s.length).trim()]);
    m = next;
  }
  return out;
}

/** quotedAt reads the Go-quoted string starting at s[i] ('"…"' with backslash escapes), or null. */
function quotedAt(s: string, i: number): string | null {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '"') {
      const q = s.slice(i, j + 1);
      try { JSON.parse(q); return q; } catch { return null; }
    }
  }
  return null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const time = (v: string) => (RFC3339.test(v) ? formatDateTime(v) : v);

function region(id: string, names: Names): string {
  return names[id] ?? id;
}

/** value says one key's value in words. */
function value(key: string, v: string, names: Names, l: Lang): string {
  const tr = (k: string, vars?: Record<string, string | number>) => t(k, vars, l);
  const known = (k: string) => { const s = tr(k); return s === k ? v : s; };
  switch (key) {
    case 'class': return tOr('class', v, l);
    case 'state': return tOr('state', v, l);
    case 'finding': return tOr('finding', v, l);
    case 'role': return tOr('role', v, l);
    case 'grid': return v ? region(v, names) : tr('chg.nogrid');
    case 'region': return v ? region(v, names) : tr('chg.citywide');
    case 'regions': return v ? v.split(',').map((id) => region(id, names)).join(l === 'zh' ? '、' : ', ') : tr('chg.citywide');
    case 'assigned_by': return known('chg.assigned.' + v);
    case 'hotspots': return tr('chg.n.hotspots', { n: v });
    case 'photos': return tr('chg.n.photos', { n: v });
    case 'event': return '#' + v;
    case 'monitor': return v === '0' ? '—' : '#' + v;
    case 'rule': return tOr('rule', v, l);
    case 'window': return v.split('/').map(time).join(' – ');
    case 'last_seen': return time(v);
    case 'history': return tr('chg.history.v');
    case 'cross_border': return tr('chg.cross_border.v');
    case 'near': return region(v, names);
    case 'live_from': return time(v);
    case 'ack_due': case 'report_due': return time(v);
    case 'kind': return known('chg.kind.' + v);
    case 'expires': return time(v);
    // A warning (warning.issue, extend, lift): level, area, its times.
    case 'level': return known('warn.level.' + v);
    case 'area': return v === 'city' ? tr('warn.city') : v.split(',').map((id) => region(id, names)).join(l === 'zh' ? '、' : ', ');
    case 'start': case 'expected_end': case 'lifted_at': return time(v);
    case 'token_state': return known('token.state.' + v);
    case 'disabled': return known('chg.disabled.' + v);
    case 'sessions_ended': return tr('chg.n.sessions', { n: v });
    case 'password_changed': return known('chg.password_changed.' + v);
    case 'audience': return known('chg.audience.' + v);
    case 'signed': return known('chg.' + v);
    case 'to': {
      if (v === 'unassigned queue') return tr('chg.to.queue');
      const m = /^grid (\S+) \(no supervisor\)$/.exec(v);
      return m ? tr('chg.to.nosup', { grid: region(m[1], names) }) : v;
    }
    case 'escalation': {
      const m = /^(\d+)(?: to .*)?$/.exec(v);
      return m ? known('chg.esc.' + m[1]) : v;
    }
    case 'flagged':
      return v.split(',').map((f) => {
        const [sha, flags = ''] = f.split(':');
        return `${sha.slice(0, 8)}（${flags.split('+').map((x) => known('chg.flag.' + x)).join(l === 'zh' ? '、' : ', ')}）`;
      }).join(l === 'zh' ? '；' : '; ');
  }
  return v;
}

/** Whole-line records (not key=value): their pattern and how to say them. */
const LINES: [RegExp, (m: RegExpExecArray, names: Names, l: Lang) => string][] = [
  [/^(.*): (\d+) rows, (\d+) new, (\d+) duplicates, (\d+) rejected, (\d+) outside; (\d+) new events, (\d+) new tasks$/,
    (m, _, l) => t('chg.ingest', { file: m[1], rows: m[2], new: m[3], dup: m[4], rej: m[5], out: m[6], events: m[7], tasks: m[8] }, l)],
  [/^event=(\d+) now (\d+) hotspots, last seen (\S+)$/, (m, _, l) => t('chg.update', { event: m[1], n: m[2], at: time(m[3]) }, l)],
  [/^(\d+) sites \((\d+) new\) map\[(.*)\]; (\d+) events reclassified$/, (m, _, l) => t('chg.sites', {
    n: m[1], new: m[2], re: m[4],
    kinds: m[3].split(' ').filter(Boolean).map((kv) => { const [k, n] = kv.split(':'); return `${tOr('kind', k, l)} ${n}`; }).join(l === 'zh' ? '、' : ', '),
  }, l)],
  [/^(\d+ (?:city|county|township|grid))(?:, \d+ (?:city|county|township|grid))*$/, (m, _, l) => m[0].split(', ').map((p) => {
    const [n, level] = p.split(' ');
    return t('chg.n.level', { n, level: level === 'city' ? t('search.kind.city', undefined, l) : tOr('level', level, l) }, l);
  }).join(l === 'zh' ? '、' : ', ')],
  [/^(\d+) supervisors$/, (m, _, l) => t('chg.supervisors', { n: m[1] }, l)],
  [/^(\d+) monitors \((\d+) new\)$/, (m, _, l) => t('chg.monitors', { n: m[1], new: m[2] }, l)],
  [/^(\d+) stations \((\d+) in a county\)$/, (m, _, l) => t('chg.stations', { n: m[1], placed: m[2] }, l)],
  [/^(\d+) station hours \((\d+) new, (\d+) updated\)$/, (m, _, l) => t('chg.airhours', { n: m[1], new: m[2], upd: m[3] }, l)],
  // a site's violation as the video probe set it (sites.video)
  [/^(no_video|video_offline|uncovered_pile)$/, (m, _, l) => tOr('rule', m[1], l)],
  [/^token (.+)$/, (m, _, l) => t('chg.token', { name: m[1] }, l)],
  [/^no success since (\S+); last error: (.*)$/s, (m, _, l) => t('chg.feedfail', { at: time(m[1]), err: m[2] }, l)],
];

/**
 * describeChange says a recorded before or after in the UI's language.
 * The escalation's "… to the area's officials" is read as its level.
 */
export function describeChange(text: string | null | undefined, names: Names = {}, l: Lang = getLang()): string {
  const s = (text ?? '').trim();
  if (!s) return '';
  for (const [re, say] of LINES) {
    const m = re.exec(s);
    if (m) return say(m, names, l);
  }
  const ps = pairs(s);
  if (!ps) return s;
  const sep = l === 'zh' ? '；' : '; ';
  const colon = l === 'zh' ? '：' : ': ';
  return ps.map(([k, v]) => {
    const label = t('chg.' + k, undefined, l);
    return (label === 'chg.' + k ? k : label) + colon + value(k, v, names, l);
  }).join(sep);
}
