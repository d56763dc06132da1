// The public page's warning section: the heavy-pollution warnings in
// force (GET /public/api/warning): a band in the level's colour, the
// area, the start and expected end in Beijing time, the advice to the
// public; "当前无重污染天气预警" when there is none. No framework, no
// Leaflet, no web app: a few lines of DOM.
import type { PublicWarning, PublicWarningList } from '../api/types.gen';
import { passWhen } from '../satpass';
import { h as el, wholeArea } from './util';

const LEVELS: Record<string, [name: string, colour: string, ink: string]> = {
  blue: ['蓝色预警', '#1e6fd9', '#fff'], yellow: ['黄色预警', '#f5c400', '#212529'],
  orange: ['橙色预警', '#ff7e00', '#fff'], red: ['红色预警', '#e0201b', '#fff'],
};

/**
 * ADVICE is what the public is told at each level when the bureau wrote no
 * advice of its own (the usual health protection measures of a city's
 * heavy-pollution emergency plan): the page said nothing at all.
 */
export const ADVICE: Record<string, string> = {
  blue: '儿童、老年人和呼吸道、心脑血管疾病患者减少户外活动。',
  yellow: '儿童、老年人和呼吸道、心脑血管疾病及其他慢性疾病患者尽量留在室内，避免户外活动；一般人群减少户外活动。',
  orange: '儿童、老年人和呼吸道、心脑血管疾病及其他慢性疾病患者留在室内，避免体力消耗；一般人群避免户外活动，户外作业人员做好防护。',
  red: '儿童、老年人和呼吸道、心脑血管疾病及其他慢性疾病患者留在室内，避免体力消耗；一般人群避免户外活动；中小学、幼儿园停止户外活动。',
};

/** advice: the bureau's advice, else the level's usual one. */
export function advice(w: Pick<PublicWarning, 'level' | 'public_advice'>): string {
  return w.public_advice?.trim() || ADVICE[w.level] || '';
}

/** beijing: "12月5日 08:00" in Beijing time, as the passes are written (satpass.passWhen). */
export const beijing = passWhen;

/** card: one warning as the public reads it (one issued to start later, upcoming). */
export function card(w: PublicWarning, upcoming = false): HTMLElement {
  const [name, colour, ink] = LEVELS[w.level] ?? [w.level, '#868e96', '#fff'];
  // Each name whole on a line (浑源县 broke into 浑源/县 on a 360 px phone).
  const whole = (s: string) => { const x = el('span', 'nowrap', s); x.style.whiteSpace = 'nowrap'; return x; };
  const names = areaNames(w);
  const box = el('div', 'pub-warning');
  box.dataset.level = w.level;
  const band = el('p', 'pub-warnband', whole(name), ' · ', ...names.flatMap((n, i) => (i ? ['、', whole(n)] : [whole(n)])));
  band.style.background = colour;
  band.style.color = ink;
  band.style.cssText += ';padding:.5em .8em;border-radius:8px;font-size:1.25rem;font-weight:700;text-align:center;margin:.3em 0';
  box.append(band, el('p', 'pub-warntime', `${beijing(w.start)} 起，预计 ${beijing(w.expected_end)} 结束（北京时间）`));
  if (upcoming) box.append(el('p', 'pub-upcoming', '即将生效：请提前做好防护准备'));
  const said = advice(w);
  if (said) box.append(el('p', 'pub-advice', '健康防护提示：' + said));
  return box;
}

export async function mount(root: HTMLElement): Promise<void> {
  const res = await fetch('/public/api/warning', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`warning: ${res.status}`);
  const body = (await res.json()) as PublicWarningList | null;
  const list = body?.warnings ?? [];
  root.replaceChildren(el('h2', '', '重污染天气预警'));
  if (!list.length) root.append(el('p', 'pub-nowarning', '当前无重污染天气预警'));
  root.append(...list.map((w) => card(w)));
  // Told before it starts, and for a day after it is lifted (the page said only 当前无…).
  root.append(...(body?.upcoming ?? []).map((w) => card(w, true)), ...(body?.lifted ?? []).map(liftedLine));
}

/** liftedLine: 黄色预警 · 天镇县 已于 12月8日 10:00 解除（北京时间）. */
export function liftedLine(w: PublicWarning): HTMLElement {
  return el('p', 'pub-lifted', `${LEVELS[w.level]?.[0] ?? w.level} · ${areaNames(w).join('、')} 已于 ${beijing(w.lifted_at ?? '')} 解除（北京时间）`);
}

/** areaNames: a warning's counties, or the whole area's name (全市). */
const areaNames = (w: PublicWarning): string[] => (w.counties?.length ? w.counties : [wholeArea()]);
