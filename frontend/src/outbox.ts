// Reports made offline wait in IndexedDB (photos as Blobs) until the 'online' event.
import { api, ApiError, NetworkError } from './api';

export interface PendingReport {
  id?: number;
  taskId: number;
  fields: Record<string, string>;
  photos: { name: string; type: string; blob: Blob }[];
  savedAt: string;
}

const DB = 'skygrid';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = f(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(req.result); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export async function save(r: PendingReport): Promise<void> {
  await tx('readwrite', (s) => s.add(r));
  notify();
}
export async function list(): Promise<PendingReport[]> {
  if (typeof indexedDB === 'undefined') return [];
  return tx('readonly', (s) => s.getAll() as IDBRequest<PendingReport[]>);
}
async function remove(id: number): Promise<void> {
  await tx('readwrite', (s) => s.delete(id));
}

export function toFormData(r: PendingReport): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(r.fields)) fd.append(k, v);
  for (const p of r.photos) fd.append('photos', new File([p.blob], p.name, { type: p.type }));
  return fd;
}

const listeners: ((n: number) => void)[] = [];
export function onChange(f: (n: number) => void): void { listeners.push(f); }
async function notify(): Promise<void> {
  const n = (await list().catch(() => [])).length;
  listeners.forEach((f) => f(n));
}

let flushing = false;
/** flush sends waiting reports; returns how many were sent. A rejected one (4xx) is dropped. */
export async function flush(): Promise<number> {
  if (flushing) return 0;
  flushing = true;
  let sent = 0;
  try {
    for (const r of await list()) {
      try {
        await api.post(`/api/tasks/${r.taskId}/report`, toFormData(r));
        sent++;
        await remove(r.id!);
      } catch (e) {
        if (e instanceof NetworkError) break;
        if (e instanceof ApiError && e.status === 401) break; // log in first, keep it
        await remove(r.id!); // the server refused it (409 etc.): keeping it would loop forever
      }
    }
  } finally {
    flushing = false;
    await notify();
  }
  return sent;
}

export function start(onSent: (n: number) => void): void {
  window.addEventListener('online', async () => {
    const n = await flush();
    if (n) onSent(n);
  });
  notify();
}
export { notify as refreshCount };
