// The service worker (sw/sw.js) run against fakes of the worker's globals:
// which requests it answers, and how.
import { describe, expect, it } from 'vitest';
import source from '../sw/sw.js?raw';

type Handler = (e: unknown) => void;

function load(scope = 'https://skygrid.example/', precache: string[] = ['assets/index-abc.js']) {
  const handlers: Record<string, Handler> = {};
  const stores = new Map<string, Map<string, Response>>();
  const log: string[] = [];
  let online = true;
  const key = (r: Request | string) => (typeof r === 'string' ? r : r.url).split('?')[0];
  const caches = {
    open: async (name: string) => {
      if (!stores.has(name)) stores.set(name, new Map());
      const m = stores.get(name)!;
      return {
        put: async (r: Request | string, res: Response) => { m.set(key(r), res); },
        match: async (r: Request | string) => m.get(key(r))?.clone(),
      };
    },
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
  };
  const fetch = async (r: Request | string) => {
    const url = typeof r === 'string' ? r : r.url;
    log.push(url);
    if (!online) throw new TypeError('Failed to fetch');
    return new Response('network ' + url, { status: url.includes('/api/tasks/401') ? 401 : 200 });
  };
  const self: Record<string, unknown> = {
    __SKYGRID_PRECACHE__: precache, __SKYGRID_VERSION__: 'v1',
    registration: { scope }, location: { href: scope + 'sw.js' },
    addEventListener: (type: string, f: Handler) => { handlers[type] = f; },
    skipWaiting: async () => {}, clients: { claim: async () => {} },
  };
  new Function('self', 'caches', 'fetch', source)(self, caches, fetch);
  // fetch dispatches a GET (or other method) and returns what the worker answered, or null if it let it through.
  const dispatch = async (url: string, init: { method?: string; mode?: string } = {}) => {
    let answer: Promise<Response> | null = null;
    const request = { url, method: init.method ?? 'GET', mode: init.mode ?? 'cors' };
    handlers.fetch({ request, respondWith: (p: Promise<Response>) => { answer = p; } });
    return answer ? await (answer as Promise<Response>) : null;
  };
  const install = async () => { let p: Promise<unknown> = Promise.resolve(); handlers.install({ waitUntil: (x: Promise<unknown>) => { p = x; } }); await p; };
  return { dispatch, install, stores, log, setOnline: (v: boolean) => { online = v; } };
}

describe('service worker', () => {
  it('precaches the page and the build at install', async () => {
    const sw = load();
    await sw.install();
    expect([...sw.stores.get('skygrid-shell-v1')!.keys()].sort()).toEqual(['https://skygrid.example/', 'https://skygrid.example/assets/index-abc.js']);
  });
  it('never answers the rest of the API, the tiles, writes or other sites', async () => {
    const sw = load();
    for (const u of ['https://skygrid.example/api/events', 'https://skygrid.example/api/tasks/1/photos', 'https://skygrid.example/api/photos/ab',
      'https://skygrid.example/api/stats', 'https://skygrid.example/tiles/base/8/1/2.png',
      'https://skygrid.example/sw.js', 'https://other.example/assets/x.js', 'https://skygrid.example/healthz']) {
      expect(await sw.dispatch(u), u).toBeNull();
    }
    expect(await sw.dispatch('https://skygrid.example/assets/index-abc.js', { method: 'POST' })).toBeNull();
    expect(await sw.dispatch('https://skygrid.example/api/tasks/1/report', { method: 'POST' })).toBeNull();
  });
  it('loads the page from the network when online, and keeps it', async () => {
    const sw = load();
    await sw.install();
    sw.log.length = 0;
    const res = await sw.dispatch('https://skygrid.example/', { mode: 'navigate' });
    expect(await res!.text()).toBe('network https://skygrid.example/');
    expect(sw.log).toEqual(['https://skygrid.example/']);
  });
  it('serves the kept page and assets without network', async () => {
    const sw = load();
    await sw.install();
    sw.setOnline(false);
    const page = await sw.dispatch('https://skygrid.example/?x=1', { mode: 'navigate' });
    expect(page).not.toBeNull();
    expect(await page!.text()).toBe('network https://skygrid.example/');
    const js = await sw.dispatch('https://skygrid.example/assets/index-abc.js');
    expect(await js!.text()).toBe('network https://skygrid.example/assets/index-abc.js');
    await expect(sw.dispatch('https://skygrid.example/assets/never-seen.js')).rejects.toThrow();
  });
  it('takes assets from the cache first, and caches new ones on fetch', async () => {
    const sw = load();
    await sw.install();
    sw.log.length = 0;
    await sw.dispatch('https://skygrid.example/assets/index-abc.js');
    expect(sw.log).toEqual([]);
    await sw.dispatch('https://skygrid.example/assets/tasks-def.js');
    await sw.dispatch('https://skygrid.example/assets/tasks-def.js');
    expect(sw.log).toEqual(['https://skygrid.example/assets/tasks-def.js']);
  });
  it('answers the user, the task list and tasks from the network, and from the saved copy only without network', async () => {
    const sw = load();
    for (const u of ['https://skygrid.example/api/me', 'https://skygrid.example/api/tasks', 'https://skygrid.example/api/tasks/7']) {
      const online = await sw.dispatch(u);
      expect(await online!.text(), u).toBe('network ' + u);
      expect(online!.headers.get('X-Skygrid-Saved-At'), u).toBeNull();
    }
    // A refusal is not kept (the next user must not see it, nor this one forever).
    await sw.dispatch('https://skygrid.example/api/tasks/401');
    expect([...sw.stores.get('skygrid-data')!.keys()].sort()).toEqual(['https://skygrid.example/api/me', 'https://skygrid.example/api/tasks', 'https://skygrid.example/api/tasks/7']);
    sw.setOnline(false);
    const saved = await sw.dispatch('https://skygrid.example/api/tasks/7');
    expect(await saved!.text()).toBe('network https://skygrid.example/api/tasks/7');
    expect(Date.parse(saved!.headers.get('X-Skygrid-Saved-At') ?? '')).toBeGreaterThan(0);
    await expect(sw.dispatch('https://skygrid.example/api/tasks/8')).rejects.toThrow();
  });
  it('keeps to its scope under a sub-path', async () => {
    const sw = load('https://gov.example/skygrid/');
    expect(await sw.dispatch('https://gov.example/skygrid/api/events')).toBeNull();
    expect(await sw.dispatch('https://gov.example/api/tasks')).toBeNull();
    expect(await sw.dispatch('https://gov.example/other/', { mode: 'navigate' })).toBeNull();
    expect(await sw.dispatch('https://gov.example/skygrid/assets/a.js')).not.toBeNull();
  });
});
