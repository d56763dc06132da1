// The warning banner: while a heavy-pollution warning is in force, a
// small band in its level's colour on every page of the web app (level
// and area), linking to the warnings page for those who may open it.
import { api, newestOnly } from './api';
import { h, clear } from './dom';
import { t } from './i18n';
import { now } from './clock';
import { isReviewer } from './session';
import { LEVEL_COLORS, bannerText, levelInk, strongest, type Warning } from './warnwords';
import type { WarningList } from './api/types.gen';

const EVERY_MS = 60_000;
let fetchedAt = 0;
let warnings: Warning[] = [];
let asking: Promise<void> | null = null;
// Only the newest answer is drawn: one asked before a lift may come after it.
const ask = newestOnly();

function bar(): HTMLElement {
  let el = document.getElementById('warnbar');
  if (!el) {
    el = h('div', { id: 'warnbar', class: 'warnbar', role: 'status', 'data-testid': 'warn-banner', hidden: true });
    (document.getElementById('topbar') ?? document.body.firstElementChild)?.after(el);
  }
  return el;
}

function draw(): void {
  const el = bar();
  clear(el);
  const w = strongest(warnings, now());
  el.hidden = !w;
  if (!w) return;
  el.dataset.level = w.level;
  el.style.background = LEVEL_COLORS[w.level] ?? '#868e96';
  el.style.color = levelInk(w.level);
  el.append(h('span', { 'data-testid': 'warn-banner-text' }, '⚠ ', bannerText(w)));
  if (isReviewer()) el.append(' ', h('a', { href: '#/warnings', style: `color:${levelInk(w.level)}`, 'data-testid': 'warn-banner-link' }, t('warn.banner.link')));
}

/** showWarningBar draws the banner, asking the server at most once a minute. */
export function showWarningBar(): void {
  draw();
  if (Date.now() - fetchedAt < EVERY_MS || asking) return;
  refreshWarningBar();
}

/** refreshWarningBar asks the server now (after a warning was issued, extended or lifted). */
export function refreshWarningBar(): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return Promise.resolve();
  const newest = ask();
  asking = api.get<WarningList>('/api/warnings')
    .then((r) => {
      if (!newest()) return;
      fetchedAt = Date.now();
      warnings = r.warnings ?? [];
      draw();
    })
    .catch(() => { /* offline or not allowed: the banner keeps what it had */ })
    .finally(() => { asking = null; });
  return asking;
}

/** hideWarningBar: signed out. */
export function hideWarningBar(): void {
  warnings = [];
  fetchedAt = 0;
  const el = document.getElementById('warnbar');
  if (el) el.hidden = true;
}
