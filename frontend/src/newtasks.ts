// New tasks while the app is open (grid supervisors): the 任务 tab and the
// installed app's icon show how many tasks wait to be acknowledged, and a
// new one rings, vibrates and says what and where in a notice.
import { api, qs } from './api';
import { h, toast } from './dom';
import { t } from './i18n';
import { placeName } from './place';
import { taskTitle } from './taskwords';
import type { Task } from './types';

const SEEN = 'skygrid.seenTasks';
let timer = 0;
let waiting = 0;
let audio: AudioContext | null = null;

/** pollMs: how often to look (a minute; the browser tests set a shorter one). */
function pollMs(): number {
  const v = Number(sessionStorage.getItem('skygrid.pollMs'));
  return v >= 500 ? v : 60000;
}

function seen(): Set<number> {
  try { return new Set(JSON.parse(sessionStorage.getItem(SEEN) ?? '[]') as number[]); } catch { return new Set(); }
}

/** start looks for new tasks until stop(); the first look only learns what is there. */
export function start(): void {
  stop();
  // Browsers play sound only after the user touched the page once.
  window.addEventListener('pointerdown', unlock, { once: true });
  const look = async () => {
    try {
      const r = await api.get<{ tasks: Task[] }>('/api/tasks' + qs({ state: 'dispatched', limit: 200 }));
      report(r.tasks ?? []);
    } catch { /* offline: try again later */ }
    timer = window.setTimeout(look, pollMs());
  };
  look();
}

export function stop(): void {
  clearTimeout(timer);
  timer = 0;
  show(0);
}

function report(tasks: Task[]): void {
  const known = seen();
  const first = !sessionStorage.getItem(SEEN);
  const fresh = tasks.filter((x) => !known.has(x.id));
  tasks.forEach((x) => known.add(x.id));
  sessionStorage.setItem(SEEN, JSON.stringify([...known].slice(-1000)));
  show(tasks.length);
  if (!first && fresh.length) announce(fresh);
}

function announce(fresh: Task[]): void {
  const x = fresh[0];
  toast(t('new.task', { title: taskTitle(x), place: placeName(x) }) + (fresh.length > 1 ? t('new.more', { n: fresh.length - 1 }) : ''));
  ring();
  navigator.vibrate?.([200, 100, 200]);
}

/** show puts the count on the 任务 tab, the page title and the app icon. */
function show(n: number): void {
  waiting = n;
  mount();
  document.title = (n ? `(${n}) ` : '') + document.title.replace(/^\(\d+\) /, '');
  const nav = navigator as Navigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
  (n ? nav.setAppBadge?.(n) : nav.clearAppBadge?.())?.catch(() => { /* not installed */ });
}

/** mount draws the count on the 任务 tab (again after the top bar is redrawn). */
export function mount(): void {
  const tab = document.querySelector('[data-testid=nav-tasks]');
  if (!tab) return;
  tab.querySelector('.navbadge')?.remove();
  if (waiting) tab.append(h('span', { class: 'navbadge', 'data-testid': 'task-badge', 'aria-label': t('new.badge', { n: waiting }) }, String(waiting)));
}

function unlock(): void {
  try { audio ??= new AudioContext(); audio.resume(); } catch { /* no Web Audio */ }
}

/** ring: two short rising tones. */
function ring(): void {
  (window as unknown as { skygridRings?: number }).skygridRings = ((window as unknown as { skygridRings?: number }).skygridRings ?? 0) + 1;
  if (!audio || audio.state !== 'running') return;
  const at = audio.currentTime;
  [[880, 0], [1320, 0.22]].forEach(([f, d]) => {
    const o = audio!.createOscillator(), g = audio!.createGain();
    o.frequency.value = f;
    g.gain.setValueAtTime(0.0001, at + d);
    g.gain.exponentialRampToValueAtTime(0.4, at + d + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, at + d + 0.2);
    o.connect(g).connect(audio!.destination);
    o.start(at + d);
    o.stop(at + d + 0.22);
  });
}
