// 举报 on the public page: what (kind), where (the phone's position, or a pin
// on a small map whose Leaflet loads only when asked), 1-3 photos, a note
// and an optional phone; the receipt code comes back, shown large. A lookup
// box shows a receipt's outcome. Chinese only; nothing of the web app.
import './report.css';
import { locate } from '../geolocation';
import { intake, intakeNote, type PhotoWord } from '../photocheck';
import type { PublicCountyList, PublicReceipt } from '../api/types.gen';
import { readReceipts, rememberReceipt, type Kept } from './receipts';

interface Outcome {
  receipt: string; kind: string; state: string; county?: string; created_at: string; reason?: string;
  task_state?: string; finding?: string; closed_at?: string; rewarded: boolean;
}

const KINDS: Array<[string, string]> = [['straw_burning', '秸秆焚烧'], ['dust', '扬尘'], ['loose_coal', '散煤燃烧'], ['other', '其他']];
const KIND_NAMES = Object.fromEntries(KINDS);
const MAX_PHOTOS = 3;
const PHOTO_WORDS: Record<PhotoWord, (v: Record<string, string | number>) => string> = {
  type: (v) => `「${v.name}」不是 JPEG 或 PNG 照片，没有加上（请用相机拍照，或选 JPG 照片）`,
  size: (v) => `「${v.name}」超过 15 MB，没有加上`,
  empty: (v) => `「${v.name}」是空文件，没有加上`,
  over: (v) => `最多 ${v.max} 张，另外 ${v.n} 张没有加上`,
};
const TASK_WORDS: Record<string, string> = {
  dispatched: '已派给网格员，等待签收', acknowledged: '网格员已签收，正在现场核查',
  reported: '网格员已上报核查结果，等待审核', closed: '已办结',
};
const FINDINGS: Record<string, string> = {
  straw_burning: '确有秸秆焚烧', open_burning: '确有露天焚烧', rectified: '已责令整改', stop_work: '已责令停工整改',
  false_alarm: '经核实情况不属实', not_found: '现场未发现问题', industrial_heat: '为工业热源',
};

type Attrs = Record<string, string | ((e: Event) => void)>;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: Array<Node | string | null>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of kids) if (c !== null) e.append(c);
  return e;
}

/** errorWords: the server's Chinese message, or what went wrong in Chinese. */
async function errorWords(res: Response | null): Promise<string> {
  if (!res) return '网络不可用，请稍后再试';
  const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
  const msg = body?.error?.message ?? '';
  if (res.status === 413) return '照片太大：每张不超过 15 MB';
  if (/[\u4e00-\u9fff]/.test(msg)) return msg;
  return res.status === 429 ? '提交过于频繁，请稍后再试' : `提交失败（${res.status}）${msg ? '：' + msg : ''}`;
}

/** outcomeWords: a receipt's outcome in Chinese. */
export function outcomeWords(o: Outcome): string[] {
  const lines = [`查询码 ${o.receipt} · ${KIND_NAMES[o.kind] ?? o.kind}${o.county ? ' · ' + o.county : ''}`,
    `提交时间 ${new Date(o.created_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}`];
  if (o.state === 'pending') lines.push('已收到，等待区县工作人员审核');
  if (o.state === 'rejected') lines.push('不予受理' + (o.reason ? '：' + o.reason : ''));
  if (o.state === 'accepted') {
    lines.push('已受理，' + (TASK_WORDS[o.task_state ?? ''] ?? '已派单核查'));
    if (o.task_state === 'closed' && o.finding) lines.push('核查结果：' + (FINDINGS[o.finding] ?? o.finding));
  }
  if (o.rewarded) lines.push('已给予奖励，感谢您的监督');
  return lines;
}

export async function mount(root: HTMLElement): Promise<void> {
  const state: { kind: string; lon?: number; lat?: number; files: File[] } = { kind: '', files: [] };
  const msg = el('p', { class: 'pr-msg', role: 'status', 'data-testid': 'pr-msg' });
  const say = (text: string, bad = false) => { msg.textContent = text; msg.className = 'pr-msg' + (bad ? ' bad' : ''); };

  const kinds = el('div', { class: 'pr-kinds' });
  for (const [k, name] of KINDS) {
    kinds.append(el('button', { type: 'button', 'data-kind': k, 'data-testid': 'pr-kind', onclick: () => {
      state.kind = k;
      kinds.querySelectorAll('button').forEach((b) => b.classList.toggle('on', b.getAttribute('data-kind') === k));
      say('');
    } }, name));
  }

  const where = el('p', { class: 'pr-where', 'data-testid': 'pr-where' }, '尚未选择位置');
  const setPoint = (lon: number, lat: number, how: string) => {
    state.lon = lon; state.lat = lat;
    where.textContent = `${how}：${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    mapBox.dispatchEvent(new CustomEvent('pr-point', { detail: [lat, lon] })); // the pin follows, when the map is open
  };
  const mapBox = el('div', { class: 'pr-map', 'data-testid': 'pr-map', hidden: '' });
  const here = el('button', { type: 'button', 'data-testid': 'pr-here', onclick: async () => {
    where.textContent = '正在定位…';
    try {
      const f = await locate();
      setPoint(f.lon, f.lat, `已使用我的位置（约 ±${Math.round(f.accuracy)} 米）`);
    } catch {
      where.textContent = '无法获取位置：请允许定位，或在地图上选点';
    }
  } }, '使用我的位置');
  const pin = el('button', { type: 'button', 'data-testid': 'pr-pin', onclick: () => pinMap(mapBox, (lon, lat) => setPoint(lon, lat, '地图选点')) }, '在地图上选点');

  const photoBox = photoField(state);
  const note = el('textarea', { rows: '3', maxlength: '1000', placeholder: '补充说明（选填）：例如 村东头田里正在焚烧秸秆', 'data-testid': 'pr-note' }) as HTMLTextAreaElement;
  const phone = el('input', { type: 'tel', inputmode: 'numeric', maxlength: '20', placeholder: '手机号（选填）', 'data-testid': 'pr-phone' }) as HTMLInputElement;
  const receipt = el('div', { class: 'pr-receipt', 'data-testid': 'pr-receipt', hidden: '' });
  const lookup = lookupBox();
  const submit = el('button', { type: 'submit', class: 'pr-submit', 'data-testid': 'pr-submit' }, '提交举报');

  const form = el('form', { class: 'pr-form', onsubmit: async (e: Event) => {
    e.preventDefault();
    if (!state.kind) return say('请选择举报类型', true);
    if (state.lon === undefined || state.lat === undefined) return say('请使用我的位置或在地图上选点', true);
    if (state.files.length < 1) return say(`请拍摄或选择 1 至 ${MAX_PHOTOS} 张照片`, true);
    const fd = new FormData();
    fd.set('kind', state.kind); fd.set('lon', String(state.lon)); fd.set('lat', String(state.lat));
    fd.set('note', note.value.trim()); fd.set('phone', phone.value.trim());
    state.files.forEach((f) => fd.append('photos', f, f.name));
    submit.setAttribute('disabled', '');
    say('正在提交…');
    const res = await fetch('/public/api/reports', { method: 'POST', body: fd }).catch(() => null);
    submit.removeAttribute('disabled');
    if (!res || !res.ok) return say(await errorWords(res), true);
    const { receipt: code, created_at: at } = await res.json() as PublicReceipt;
    say('提交成功，感谢您的举报！');
    lookup.show(rememberReceipt({ code, kind: state.kind, at }));
    receipt.replaceChildren(el('div', { class: 'code', 'data-testid': 'pr-code' }, code),
      el('p', {}, '请保存此查询码，凭码查询处理结果（本机也已记下，见下方“查询举报处理结果”）'));
    receipt.hidden = false;
    form.reset(); photoBox.reset();
  } },
  el('h3', {}, '举报什么'), kinds,
  el('h3', {}, '在哪里'), el('div', { class: 'pr-row' }, here, pin), where, mapBox,
  el('h3', {}, `照片（1-${MAX_PHOTOS} 张）`), ...photoBox.els,
  el('h3', {}, '说明与联系方式'), note, phone, el('p', { class: 'pr-hint' }, '手机号只用于联系发放奖励，不会公开。'), submit, msg);

  // What was said of the last try (sent, or what was missing) goes once the form is touched again:
  // 提交成功 stayed under the next report being written.
  for (const ev of ['input', 'change']) form.addEventListener(ev, () => say(''));
  root.append(el('h2', {}, '我要举报'), el('p', { class: 'pr-hint' }, '发现秸秆焚烧、扬尘、散煤燃烧等大气污染行为，拍照举报。经核实的举报将给予奖励。'),
    form, receipt, lookup.el);
}

/**
 * photoField: the report's photos: the picker, what was not added and why
 * (beside the photos, until the next choice), and each photo a tap to take
 * back (a wrong one no longer means starting over). They are state.files.
 */
function photoField(state: { files: File[] }): { els: HTMLElement[]; reset: () => void } {
  const thumbs = el('div', { class: 'pr-thumbs' });
  const photos = el('input', { type: 'file', accept: 'image/jpeg,image/png', multiple: '', 'data-testid': 'pr-photos' }) as HTMLInputElement;
  const pick = el('label', { class: 'pr-pick' }, '拍照或选择照片', photos);
  const refused = el('p', { class: 'pr-msg bad', role: 'alert', 'data-testid': 'pr-photo-refused', hidden: '' });
  const drawThumbs = (): void => {
    thumbs.querySelectorAll('img').forEach((img) => URL.revokeObjectURL(img.src));
    thumbs.replaceChildren(...state.files.map((f, i) => el('button', { type: 'button', class: 'pr-thumb', 'aria-label': `删除照片 ${f.name}`,
      'data-testid': 'pr-photo-remove', onclick: () => { state.files.splice(i, 1); drawThumbs(); } },
    el('img', { src: URL.createObjectURL(f), alt: f.name }), el('span', {}, '✕ 删除'))));
  };
  photos.addEventListener('change', () => {
    const r = intake(state.files, Array.from(photos.files ?? []), MAX_PHOTOS);
    state.files = r.keep;
    refused.textContent = intakeNote(r, MAX_PHOTOS, (w, v) => PHOTO_WORDS[w](v));
    refused.hidden = !refused.textContent;
    photos.value = '';
    drawThumbs();
  });
  return { els: [pick, refused, thumbs], reset: () => { state.files = []; drawThumbs(); refused.hidden = true; } };
}

/**
 * lookupBox: a code typed in, or one of the codes this phone filed
 * (newest first, a tap each), and its outcome.
 */
function lookupBox(): { el: HTMLElement; show: (list: Kept[]) => void } {
  const code = el('input', { type: 'text', autocapitalize: 'characters', maxlength: '16', placeholder: '查询码，如 K7PM3-XQ9RT', 'data-testid': 'pr-lookup-code' }) as HTMLInputElement;
  const out = el('div', { class: 'pr-outcome', 'data-testid': 'pr-outcome', role: 'status' });
  const form = el('form', { class: 'pr-lookup', onsubmit: async (e: Event) => {
    e.preventDefault();
    const c = code.value.replace(/[\s-]/g, '').toUpperCase();
    if (!c) return;
    const res = await fetch('/public/api/reports/' + encodeURIComponent(c)).catch(() => null);
    if (!res || !res.ok) {
      out.replaceChildren(el('p', { class: 'bad' }, res?.status === 404 ? '查询码不存在，请检查后重试' : await errorWords(res)));
      return;
    }
    out.replaceChildren(...outcomeWords(await res.json() as Outcome).map((l) => el('p', {}, l)));
  } }, code, el('button', { type: 'submit', 'data-testid': 'pr-lookup' }, '查询'));
  const mine = el('div', { class: 'pr-mine', 'data-testid': 'pr-mine' });
  const show = (list: Kept[]): void => {
    mine.replaceChildren(...(list.length ? [el('p', { class: 'pr-hint' }, '本机提交过的举报（点一下查询）：')] : []),
      ...list.map((k) => el('button', { type: 'button', 'data-testid': 'pr-mine-code', onclick: () => { code.value = k.code; form.requestSubmit(); } },
        el('b', {}, k.code), ` · ${KIND_NAMES[k.kind] ?? k.kind} · ${keptWhen(k.at)}`)));
  };
  show(readReceipts());
  return { el: el('div', { class: 'pr-lookupbox' }, el('h3', {}, '查询举报处理结果'), form, mine, out), show };
}

/** keptWhen: when a kept report was filed, Beijing time (11月5日 10:00). */
function keptWhen(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** countiesGeoJSON: the public county outlines as GeoJSON for Leaflet. */
function countiesGeoJSON(list: PublicCountyList): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: list.counties.map((c) => ({
      type: 'Feature', properties: { id: c.id, name: c.name },
      geometry: { type: 'MultiPolygon', coordinates: c.outline },
    })),
  };
}

/** pinMap loads Leaflet (only now) and the city's counties; a tap puts the pin. */
async function pinMap(box: HTMLElement, picked: (lon: number, lat: number) => void): Promise<void> {
  if (!box.hidden) return;
  box.hidden = false;
  box.textContent = '地图加载中…';
  const [leaflet, , counties] = await Promise.all([import('leaflet'), import('leaflet/dist/leaflet.css'),
    fetch('/public/api/counties').then((r) => r.json() as Promise<PublicCountyList>).then(countiesGeoJSON).catch(() => null)]);
  const L = leaflet.default;
  box.textContent = '';
  const map = L.map(box, { zoomControl: true, attributionControl: false });
  const layer = L.geoJSON(counties, { style: { color: '#1f5fa8', weight: 1.5, fillOpacity: 0.05 } }).addTo(map);
  if (counties?.features?.length) map.fitBounds(layer.getBounds()); else map.setView([40.08, 113.3], 8);
  let marker: import('leaflet').Marker | null = null;
  const icon = L.divIcon({ className: 'pr-pin', iconSize: [18, 18], iconAnchor: [9, 9] });
  const put = (at: import('leaflet').LatLngExpression) => { if (marker) marker.setLatLng(at); else marker = L.marker(at, { icon }).addTo(map); };
  map.on('click', (e: import('leaflet').LeafletMouseEvent) => picked(e.latlng.lng, e.latlng.lat));
  box.addEventListener('pr-point', (e) => put((e as CustomEvent<[number, number]>).detail));
  (window as unknown as { skygridPinMap?: unknown }).skygridPinMap = map; // for the browser tests
}
