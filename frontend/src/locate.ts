// "You are here" on the map: the phone's position (asked for on a tap of
// the 我的位置 button, never on page load) as a blue dot with its accuracy
// circle, followed while the map is open (watchPosition, cleared on
// leaving). Opened from a task (#/map?lat=..&lon=..), the map also says how
// far and which way the fire is, and draws a dashed line to it.
import L from './leaflet';
import { h, toast } from './dom';
import { t } from './i18n';
import { distanceWords, fireDirection, type LatLon } from './position';

export interface Locator { dispose(): void }

/**
 * addLocate puts the 我的位置 button on the map; fire is the task's fire
 * point, if any (what 'place': a registered site's, from the registries).
 */
export function addLocate(map: L.Map, fire: LatLon | null, what: 'fire' | 'place' = 'fire'): Locator {
  let watch: number | null = null;
  let fixed = false;
  let last: GeolocationPosition | null = null;
  const layer = L.layerGroup().addTo(map);
  const info = h('div', { class: 'posinfo', 'data-testid': 'pos-info', role: 'status', hidden: true });
  const button = h('button', { type: 'button', class: 'locate', 'data-testid': 'locate', title: t('pos.button.title'), 'aria-label': t('pos.button.title') },
    h('span', { 'aria-hidden': 'true' }, '◎'), ' ', t('pos.button'));

  const show = (pos: GeolocationPosition) => {
    last = pos;
    const me = { lat: pos.coords.latitude, lon: pos.coords.longitude };
    const acc = Math.max(0, pos.coords.accuracy || 0);
    layer.clearLayers();
    if (fire) {
      L.polyline([[me.lat, me.lon], [fire.lat, fire.lon]], { color: '#1d4ed8', weight: 2, dashArray: '6 6', interactive: false, className: 'to-fire' }).addTo(layer);
    }
    L.circle([me.lat, me.lon], { radius: acc, color: '#2563eb', weight: 1, opacity: 0.5, fillColor: '#3b82f6', fillOpacity: 0.12, interactive: false, className: 'you-accuracy' }).addTo(layer);
    L.circleMarker([me.lat, me.lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#2563eb', fillOpacity: 1, interactive: false, className: 'you-are-here' }).addTo(layer);
    info.replaceChildren(h('div', { class: 'muted' }, t('pos.you', { a: distanceWords(acc) })));
    if (fire) info.prepend(h('b', { 'data-testid': 'fire-direction' }, fireDirection(me, fire, acc, undefined, what)));
    info.hidden = false;
    if (!fixed) {
      fixed = true;
      // Both in view, clear of the layers panel (on a wide screen) and of this box.
      const panel = document.querySelector<HTMLElement>('.mappanel');
      const right = panel && getComputedStyle(panel).display !== 'none' ? panel.getBoundingClientRect().width + 30 : 50;
      if (fire) map.fitBounds(L.latLngBounds([[me.lat, me.lon], [fire.lat, fire.lon]]), { paddingTopLeft: [60, 70], paddingBottomRight: [right, 100], maxZoom: 16 });
      else map.setView([me.lat, me.lon], Math.max(map.getZoom(), 14));
    }
    (window as unknown as { skygridPosition?: unknown }).skygridPosition = { ...me, accuracy: acc };
  };
  const fail = (err: GeolocationPositionError) => {
    const key = !window.isSecureContext ? 'pos.err.insecure'
      : err.code === err.PERMISSION_DENIED ? 'pos.err.denied' : err.code === err.TIMEOUT ? 'pos.err.timeout' : 'pos.err.unavailable';
    // A fix already shown stays; a first fix that fails says why and stops.
    if (!last || err.code === err.PERMISSION_DENIED) {
      info.replaceChildren(h('span', { class: 'error' }, t(key)));
      info.hidden = false;
      stop();
    }
  };
  const stop = () => {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    button.classList.remove('on');
  };
  button.addEventListener('click', () => {
    if (!('geolocation' in navigator)) return toast(t('pos.err.none'), 'err');
    if (watch !== null) {
      // Watching already: back to the position.
      if (last) map.panTo([last.coords.latitude, last.coords.longitude]);
      return;
    }
    fixed = false;
    button.classList.add('on');
    info.replaceChildren(h('span', { class: 'muted' }, t('pos.wait')));
    info.hidden = false;
    watch = navigator.geolocation.watchPosition(show, fail, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  });

  const Control = L.Control.extend({
    onAdd: () => {
      const box = h('div', { class: 'leaflet-bar leaflet-control locatebox' }, button);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  const InfoControl = L.Control.extend({
    onAdd: () => {
      L.DomEvent.disableClickPropagation(info);
      return info;
    },
  });
  const control = new Control({ position: 'topleft' }).addTo(map);
  const infoControl = new InfoControl({ position: 'bottomleft' }).addTo(map);
  return {
    dispose() {
      stop();
      control.remove();
      infoControl.remove();
      layer.remove();
    },
  };
}
