import './style.css';
import { api, forgetSavedCopies, loginErrorText, onSavedCopy, setCsrf, setUnauthorizedHandler, ApiError, NetworkError, type Session } from './api';
import { getLang, setAreaWords, setLang, t } from './i18n';
import { pageArea, wholeOf } from './areaname';
import { h, clear, toast } from './dom';
import * as outbox from './outbox';
import { getSession, putSession, role, isReviewer, canReadAuditLog } from './session';
import { rejectedCard, rejectedWhy } from './rejected';
import { formatDateTime } from './format';
import { setLatestDetection, setServerNow } from './clock';
import * as newTasks from './newtasks';
import { hideWarningBar, showWarningBar } from './warnbar';
import { loginHash, nextHash } from './loginnext';

const app = document.getElementById('app')!;
let cleanup: (() => void) | null = null;


setUnauthorizedHandler(() => {
  newTasks.stop();
  putSession(null);
  if (!location.hash.startsWith('#/login')) location.replace(loginHash(location.hash));
});

/** areaName: the area the deployment serves (the page's skygrid-area, or
 * in English skygrid-area-en, which the server writes from [server]
 * area_name and area_name_en). */
function areaName(): string {
  const zh = pageArea();
  if (getLang() !== 'en') return zh;
  return document.querySelector<HTMLMetaElement>('meta[name=skygrid-area-en]')?.content || zh;
}

function topbar(): void {
  const bar = document.getElementById('topbar')!;
  clear(bar);
  const session = getSession();
  if (!session) { bar.hidden = true; hideWarningBar(); return; }
  bar.hidden = false;
  const r = role();
  const links: [string, string, string][] = [['map', 'nav.map', 'nav-map'], ['tasks', 'nav.tasks', 'nav-tasks'], ['sites', 'nav.sites', 'nav-sites']];
  if (isReviewer()) links.push(['audit', 'nav.audit', 'nav-audit'], ['moderation', 'nav.moderation', 'nav-moderation']);
  if (isReviewer()) links.push(['warnings', 'nav.warnings', 'nav-warnings']);
  if (canReadAuditLog()) links.push(['auditlog', 'nav.auditlog', 'nav-auditlog']);
  if (r === 'admin') links.push(['admin', 'nav.admin', 'nav-admin']);
  const cur = location.hash.split('?')[0].split('/')[1] ?? '';
  bar.append(
    h('a', { class: 'brand', href: '#/map' }, t('app.title', { area: areaName() })),
    h('nav', {}, links.map(([p, k, id]) => h('a', { href: '#/' + p, 'data-testid': id, class: cur === p ? 'active' : '' }, t(k)))),
    h('div', { class: 'who' },
      h('a', { class: 'uname', href: '#/password', title: t('pw.title'), 'data-testid': 'my-password' }, session.user.name),
      h('span', { class: 'rname' }, t('role.' + r)),
      h('button', { class: 'link', type: 'button', onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); route(); } }, t('lang.switch')),
      h('button', { class: 'link', type: 'button', 'data-testid': 'logout', onclick: logout }, t('logout')),
    ),
  );
  newTasks.mount();
  showWarningBar();
}

async function logout(): Promise<void> {
  try { await api.post('/api/logout'); } catch { /* ignore */ }
  await forgetSavedCopies();
  newTasks.stop();
  sessionStorage.removeItem('skygrid.seenTasks');
  putSession(null);
  setCsrf('');
  location.hash = '#/login';
}

function loginPage(): void {
  const err = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, 'data-testid': 'login-name' });
  const pw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const form = h('form', { class: 'card login' },
    h('h1', {}, t('app.title', { area: areaName() })),
    h('label', {}, t('login.name'), name),
    h('label', {}, t('login.password'), pw),
    err,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, t('login.submit')),
    h('button', { type: 'button', class: 'link', onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); route(); } }, t('lang.switch')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const s = await api.post<Session>('/api/login', { name: name.value.trim(), password: pw.value });
      await forgetSavedCopies();
      // Fetched again through the service worker, the user is kept on the phone.
      if (navigator.serviceWorker?.controller) api.get('/api/me').catch(() => {});
      setSession(s);
      // The page asked for before the log-in (a notice's task link), else the
      // start page, in the log-in page's place: back does not show the form again.
      location.replace(nextHash(location.hash) || startPage());
    } catch (e2) {
      const why = loginErrorText(e2, t);
      clear(err);
      err.append(h('span', { 'data-testid': 'login-error' }, why.text));
      if (why.detail) err.append(h('details', { class: 'detail' }, h('summary', {}, t('login.detail')), h('code', {}, why.detail)));
    }
  });
  app.append(form);
  name.focus();
}

/** startPage is the role's first page: a supervisor's task list, else the map. */
const startPage = (): string => (role() === 'supervisor' ? '#/tasks' : '#/map');

function setSession(s: Session): void {
  putSession(s);
  setCsrf(s.csrf);
  setServerNow(s.now);
  setLatestDetection(s.latest_detection);
  document.body.dataset.role = s.user.role;
  if (s.user.role === 'supervisor') newTasks.start();
  outbox.flush().then(flushed).catch(() => {});
}

/** flushed tells what became of the queued reports: sent, or refused (why). */
function flushed(r: outbox.FlushResult): void {
  if (r.rejected.length) {
    const x = r.rejected[0];
    toast(t('rejected.toast', { id: x.taskId, why: rejectedWhy(x) }) + (r.rejected.length > 1 ? ` (+${r.rejected.length - 1})` : ''), 'err');
  } else if (r.sent) toast(t('pending.sent', { n: r.sent }));
  // The page shows the task's new state (or the notice).
  if (r.sent || r.rejected.length) {
    if (location.hash.startsWith('#/tasks')) route();
  }
}

/** offlinePage: no network and no session yet: the queue on this phone. */
async function offlinePage(): Promise<void> {
  const [pending, refused] = await Promise.all([outbox.list().catch(() => []), outbox.rejected().catch(() => [])]);
  clear(app);
  app.className = 'page-offline';
  app.append(h('section', { class: 'card offline', 'data-testid': 'offline-page' },
    h('h1', {}, '⚡ ', t('offline.title')),
    h('p', {}, t('offline.body')),
    h('h2', {}, t('offline.queue'), ` (${pending.length})`),
    pending.length
      ? h('ul', { class: 'queue', 'data-testid': 'offline-queue' }, pending.map((p) => h('li', {},
        h('b', {}, t('offline.task', { id: p.taskId })), ` · ${formatDateTime(p.savedAt)} · `, t('offline.photos', { n: p.photos.length }))))
      : h('p', { class: 'muted' }, t('offline.none')),
    h('button', { type: 'button', class: 'primary', onclick: () => route() }, t('offline.retry'))),
    ...refused.map((r) => rejectedCard(r)));
}

const pages: Record<string, () => Promise<{ render: (el: HTMLElement, arg?: string) => (() => void) | void }>> = {
  map: () => import('./map'),
  tasks: () => import('./tasks'),
  sites: () => import('./sites'),
  site: () => import('./site'),
  audit: () => import('./audit'),
  auditlog: () => import('./auditlog'),
  admin: () => import('./admin'),
  warnings: () => import('./warnings'),
  password: () => import('./password'),
  moderation: () => import('./moderation'),
};

let routeSeq = 0;
export async function route(): Promise<void> {
  const seq = ++routeSeq;
  const [, page = '', arg] = location.hash.split('?')[0].split('/');
  cleanup?.();
  cleanup = null;
  clear(app);
  app.className = 'page-' + (page || 'none');
  if (!getSession() && page !== 'login') {
    try {
      setSession(await api.get<Session>('/api/me'));
    } catch (e) {
      if (seq !== routeSeq) return;
      if (e instanceof NetworkError) { topbar(); await offlinePage(); return; }
      if (!(e instanceof ApiError && e.status === 401)) app.append(h('p', { class: 'error' }, t('error') + ': ' + (e as Error).message));
      location.replace(loginHash(location.hash)); // in the page's place, given back after the log-in
      return;
    }
    if (seq !== routeSeq) return;
  }
  topbar();
  if (page === 'login' || !getSession()) { loginPage(); return; }
  const allowed = page === 'audit' || page === 'moderation' || page === 'warnings' ? isReviewer() : page === 'auditlog' ? canReadAuditLog() : page === 'admin' ? role() === 'admin' : true;
  const load = allowed ? pages[page] : undefined;
  if (!load) { location.replace(startPage()); return; }
  app.append(h('p', { class: 'muted' }, t('loading')));
  const mod = await load();
  if (seq !== routeSeq) return;
  clear(app);
  cleanup = mod.render(app, arg ? decodeURIComponent(arg) : undefined) || null;
}

function banner(c: outbox.Counts): void {
  const b = document.getElementById('banner')!;
  clear(b);
  b.hidden = c.pending === 0 && c.rejected === 0;
  if (c.pending) b.append(h('span', { 'data-testid': 'pending-banner' }, t('pending.n', { n: c.pending })));
  if (c.rejected) b.append(h('a', { class: 'bad', href: '#/tasks', 'data-testid': 'rejected-banner' }, '⚠ ' + t('rejected.banner', { n: c.rejected })));
}

setLang(getLang());
setAreaWords(wholeOf(pageArea()), wholeOf(pageArea(), 'en'));
outbox.onChange(banner);
outbox.start(flushed);
// Back online on the offline page: try again.
window.addEventListener('online', () => { if (app.className === 'page-offline') route(); });
window.addEventListener('hashchange', route);

// --bar is the sticky top bar's height, --above all that is above the page
// (banners, the bar, a warning): an official's bar wraps onto three lines
// on a phone, and the map fills what is left of the screen, no more.
function trackBar(): void {
  let above = 0; // the heights, not #app's offsetTop: a page's first margin may collapse into it
  for (let el = document.body.firstElementChild; el && el.id !== 'app'; el = el.nextElementSibling) above += (el as HTMLElement).offsetHeight;
  const root = document.documentElement.style; // the same value again changes nothing
  root.setProperty('--bar', document.getElementById('topbar')!.offsetHeight + 'px');
  root.setProperty('--above', above + 'px');
}
// What is above the page changes size (a banner shown, the bar wrapping)
// without the body's size changing (it is at least a screen high).
const resized = new ResizeObserver(trackBar);
const watchAbove = () => { for (const el of document.body.children) if (el.id !== 'app' && el.tagName !== 'SCRIPT') resized.observe(el); };
new MutationObserver(() => { watchAbove(); trackBar(); }).observe(document.body, { childList: true });
watchAbove();

// The service worker keeps the app shell for use without network (built app only).
// Answers from the phone's saved copy (no network): say so, with their age.
let savedNote: HTMLElement | null = null;
onSavedCopy((at) => {
  if (!savedNote) {
    savedNote = h('div', { class: 'banner saved', role: 'status', 'data-testid': 'saved-copy' });
    document.getElementById('banner')!.after(savedNote);
  }
  savedNote.hidden = false;
  savedNote.textContent = t('saved.copy', { at: formatDateTime(at) });
});
window.addEventListener('online', () => { if (savedNote) savedNote.hidden = true; });
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => { navigator.serviceWorker.register('./sw.js').catch(() => { /* the app works without it */ }); });
  // The worker takes over a page already loaded (the first visit): fetch
  // the user and a supervisor's tasks once more through it, so the phone
  // has them for a field without signal.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!getSession()) return;
    api.get('/api/me').catch(() => {});
    if (role() === 'supervisor') import('./tasks').then((m) => m.keepForOffline()).catch(() => {});
  });
}
// No page asked for (the app's address alone): the role's start page, after
// the log-in when there is no session (route).
route();
