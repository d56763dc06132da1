// A task said in words, for the supervisor's cards and page and the
// official's review: pure functions of the task and the time.
import { t, tOr } from './i18n';
import { deadlineOf, formatCountdown, formatShort } from './format';
import { actorName } from './words';
import type { Task, TimelineEntry } from './types';

/**
 * taskTitle follows what is known: a suspicion until someone reports
 * ("疑似秸秆焚烧"), then the finding awaiting review ("误报（待审核）"), then the
 * confirmed finding ("秸秆焚烧（已核实）").
 */
export function taskTitle(x: Pick<Task, 'state' | 'finding' | 'event_class' | 'listed_name'>): string {
  // An emergency inspection is of a listed site or enterprise: its name
  // as listed is the title (its place alone does not say which to visit).
  const name = x.event_class === 'emergency_inspection' ? (x.listed_name ?? '').trim() : '';
  const title = stateTitle(x);
  if (!name) return title;
  return x.finding && (x.state === 'closed' || x.state === 'reported') ? t('title.listed', { n: name, s: title }) : name;
}

function stateTitle(x: Pick<Task, 'state' | 'finding' | 'event_class'>): string {
  const finding = x.finding ? tOr('finding', x.finding) : '';
  if (x.state === 'closed' && finding) return t('title.confirmed', { f: finding });
  if (x.state === 'reported' && finding) return t('title.reported', { f: finding });
  if (x.event_class === 'public_report') return t('class.public_report'); // reported, not suspected
  const cls = x.event_class ? tOr('class', x.event_class) : t('event');
  // An inspection the warning asks for is no suspicion: its name alone.
  if (x.event_class === 'emergency_inspection') return cls;
  return t('title.suspected', { c: cls });
}

/** telHref: a phone number as a tel: link ('' when it holds no digit): "0352-1234567" -> "tel:03521234567". */
export function telHref(phone: string | undefined): string {
  const digits = (phone ?? '').replace(/[^\d+]/g, '');
  return /\d/.test(digits) ? 'tel:' + digits : '';
}

/**
 * listedContact: whom to call at an emergency inspection's listed site,
 * as the list names them ("张三 · 13800000001", the call link); null when
 * the list names nobody.
 */
export function listedContact(x: Pick<Task, 'listed_contact' | 'listed_phone'>): { text: string; tel: string } | null {
  const who = (x.listed_contact ?? '').trim();
  const phone = (x.listed_phone ?? '').trim();
  if (!who && !phone) return null;
  return { text: [who, phone].filter(Boolean).join(' · '), tel: telHref(phone) };
}

/** The dust classes: alarms of site monitors, registry violations, a warning's inspections (skygrid.DustClasses). */
export const DUST_CLASSES = ['dust_exceedance', 'monitor_offline', 'site_inspection', 'emergency_inspection'];
const FIRE_FINDINGS = ['straw_burning', 'open_burning', 'industrial_heat', 'false_alarm', 'not_found'];
const DUST_FINDINGS = ['rectified', 'stop_work', 'device_fault', 'false_alarm', 'not_found'];

/** isOpen: whether a task is still to be done on site (dispatched or acknowledged, not yet reported). */
export function isOpen(state: string | undefined): boolean {
  return state === 'dispatched' || state === 'acknowledged';
}

/** isDust: whether a class is a dust class (skygrid.IsDust). */
export function isDust(cls: string | undefined): boolean {
  return !!cls && DUST_CLASSES.includes(cls);
}

/**
 * kindKey: key in the words of what the task is about: a satellite's fire
 * (key itself), a site (key.dust: 工地) or a citizen's report (key.public:
 * 举报地点), for the i18n keys that have the three.
 */
export function kindKey(cls: string | undefined, key: string): string {
  if (cls === 'public_report') return key + '.public';
  return isDust(cls) ? key + '.dust' : key;
}

/**
 * seenKey: the i18n key of when a task's event began: a citizen's report,
 * a registry violation found, a warning's start, a dust alarm, else the
 * satellite's first sight (as skygrid.TaskNoun's notices say them).
 */
export function seenKey(cls: string | undefined): string {
  switch (cls) {
    case 'public_report': return 'mod.filed';
    case 'site_inspection': return 'tp.found';
    case 'emergency_inspection': return 'tp.warned';
  }
  return isDust(cls) ? 'dust.alarm.at' : 'tp.seen';
}

/** spotWhat: how the distance to the task's point names it (position.fireDirection): a fire only for a satellite's fire. */
export function spotWhat(cls: string | undefined): 'fire' | 'place' {
  return cls === 'public_report' || isDust(cls) ? 'place' : 'fire';
}

/** closeNeedsNote: whether closing the task needs the reviewer's note (a dust task's reason; skygrid.CloseNeedsReason). */
export function closeNeedsNote(cls: string | undefined): boolean {
  return isDust(cls);
}

/** returnedText: "已退回：照片不清晰" for a task sent back to be done again (open, with the reviewer's reason); '' otherwise. */
export function returnedText(x: Pick<Task, 'state' | 'review_note'>): string {
  return isOpen(x.state) && x.review_note ? t('task.returned', { reason: x.review_note }) : '';
}

/** A public report's task: the fire findings of a burning, the dust ones of a site put right (skygrid.PublicReportFindings). */
const PUBLIC_FINDINGS = ['straw_burning', 'open_burning', 'rectified', 'stop_work', 'false_alarm', 'not_found'];

/** findingsFor: the findings a task of the class takes, in the order shown (skygrid.FindingsFor). */
export function findingsFor(cls?: string): string[] {
  if (cls === 'public_report') return PUBLIC_FINDINGS;
  return isDust(cls) ? DUST_FINDINGS : FIRE_FINDINGS;
}

/** findingHelp: the i18n key of a finding's help line for the class. */
export function findingHelp(cls: string | undefined, f: string): string {
  if (cls === 'public_report') {
    if (f === 'rectified' || f === 'stop_work') return 'finding.help.dust.' + f;
    if (f === 'false_alarm' || f === 'not_found') return 'finding.help.public.' + f;
  }
  return isDust(cls) ? 'finding.help.dust.' + f : 'finding.help.' + f;
}

/** deadlineText: "请在 10月31日 15:05 前签收 · 还剩 28分" or "签收已超时 12分"; '' when none applies. */
export function deadlineText(x: Pick<Task, 'state' | 'ack_due' | 'report_due'>, now: number): { text: string; over: boolean } {
  const d = deadlineOf(x);
  if (d === null) return { text: '', over: false };
  const what = x.state === 'dispatched' ? 'ack' : 'report';
  if (d < now) return { text: t(`due.${what}.over`, { left: formatCountdown(now - d) }), over: true };
  return { text: t(`due.${what}`, { at: formatShort(d, now), left: formatCountdown(d - now) }), over: false };
}

/** escalationText: who has been told that the task is late. */
export function escalationText(level: number | undefined): string {
  return level ? t(`escalation.${Math.min(level, 2)}`) : '';
}

/** timelineText: one step of a task's history in words (without its time). */
export function timelineText(e: TimelineEntry): string {
  const who = actorName(e.actor);
  const parts = [t('tl.' + e.action, { who })];
  if (e.action === 'dispatch' && e.assignee) parts.push(e.assignee === 'unassigned queue' ? t('tl.queue') : t('tl.to', { who: e.assignee }));
  if (e.finding) parts.push(t('tl.finding', { f: tOr('finding', e.finding) }));
  if (e.photos) parts.push(t('tl.photos', { n: e.photos }) + (e.flagged ? t('tl.flagged') : ''));
  if (e.from_grid || e.to_grid) parts.push(t('tl.reassigned', { from: e.from_grid_name || e.from_grid || '', to: e.to_grid_name || e.to_grid || '' }));
  if (e.level) parts.push(escalationText(Number(e.level)));
  if (e.note) parts.push(`“${e.note}”`);
  return parts.join('，');
}
