// Reports made offline wait in IndexedDB (photos as Blobs) until the 'online' event.
// A report the server refuses when it is finally sent (409: the task changed;
// 403: reassigned to another grid) is not dropped: it moves to the 'rejected'
// store with the server's answer, photos and all, until the supervisor
// dismisses it or reports again.
import { api, ApiError, NetworkError } from './api';

export interface PendingReport {
  id?: number;
  taskId: number;
  fields: Record<string, string>;
  photos: { name: string; type: string; blob: Blob }[];
  savedAt: string;
  /** ackFirst: the task was not acknowledged yet; reporting on site
   * acknowledges it first (fields.version is the version before that). */
  ackFirst?: boolean;
}

/**
 * sendReport sends a report, acknowledging the task first when it was
 * still dispatched. acked is told the version after the acknowledgement,
 * so a report whose sending then fails is kept as one of an acknowledged
 * task (sending the acknowledgement twice would be refused).
 */
export async function sendReport(r: PendingReport, acked: (version: number) => Promise<void> | void = () => {}): Promise<void> {
  if (r.ackFirst) {
    const after = await api.post<{ version: number }>(`/api/tasks/${r.taskId}/acknowledge`, { version: Number(r.fields.version) });
    r.ackFirst = false;
    r.fields = { ...r.fields, version: String(after.version) };
    await acked(after.version);
  }
  await api.post(`/api/tasks/${r.taskId}/report`, toFormData(r));
}

/** RejectedReport is a queued report the server refused, with its answer. */
export interface RejectedReport extends PendingReport {
  status: number;
  code: string;
  reason: string;
  rejectedAt: string;
}

const DB = 'skygrid';
const STORE = 'outbox';
const REJECTED = 'rejected';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 2);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      if (!db.objectStoreNames.contains(REJECTED)) db.createObjectStore(REJECTED, { keyPath: 'id' });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function tx<T>(stores: string[], mode: IDBTransactionMode, f: (t: IDBTransaction) => IDBRequest<T> | void): Promise<T> {
  const db = await open();
  return new Promise<T>((resolve, reject) => {
    const t = db.transaction(stores, mode);
    const req = f(t);
    t.oncomplete = () => { db.close(); resolve(req ? req.result : (undefined as T)); };
    t.onerror = () => { db.close(); reject(t.error); };
    t.onabort = () => { db.close(); reject(t.error); };
  });
}

export async function save(r: PendingReport): Promise<void> {
  await tx([STORE], 'readwrite', (t) => t.objectStore(STORE).add(r));
  notify();
}
export async function list(): Promise<PendingReport[]> {
  if (typeof indexedDB === 'undefined') return [];
  return tx([STORE], 'readonly', (t) => t.objectStore(STORE).getAll() as IDBRequest<PendingReport[]>);
}
async function remove(id: number): Promise<void> {
  await tx([STORE], 'readwrite', (t) => { t.objectStore(STORE).delete(id); });
}

/** rejected lists the reports the server refused, oldest first. */
export async function rejected(): Promise<RejectedReport[]> {
  if (typeof indexedDB === 'undefined') return [];
  return tx([REJECTED], 'readonly', (t) => t.objectStore(REJECTED).getAll() as IDBRequest<RejectedReport[]>);
}
/** dismiss forgets a rejected report (and its photos). */
export async function dismiss(id: number): Promise<void> {
  await tx([REJECTED], 'readwrite', (t) => { t.objectStore(REJECTED).delete(id); });
  notify();
}
/** dismissTask forgets the rejected reports of a task (once it is reported again). */
export async function dismissTask(taskId: number): Promise<void> {
  for (const r of await rejected()) if (r.taskId === taskId) await tx([REJECTED], 'readwrite', (t) => { t.objectStore(REJECTED).delete(r.id!); });
  notify();
}
/** reject moves a queued report to the rejected store, in one transaction. */
async function reject(r: PendingReport, e: ApiError, now: Date): Promise<RejectedReport> {
  const rec: RejectedReport = { ...r, status: e.status, code: e.code, reason: e.message, rejectedAt: now.toISOString() };
  await tx([STORE, REJECTED], 'readwrite', (t) => {
    t.objectStore(REJECTED).put(rec);
    t.objectStore(STORE).delete(r.id!);
  });
  return rec;
}

export function toFormData(r: PendingReport): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(r.fields)) fd.append(k, v);
  for (const p of r.photos) fd.append('photos', new File([p.blob], p.name, { type: p.type }));
  return fd;
}

/** Counts: reports waiting, and reports the server refused. */
export interface Counts { pending: number; rejected: number }
const listeners: ((c: Counts) => void)[] = [];
/** onChange calls f with the counts whenever they change; it returns the unsubscribe. */
export function onChange(f: (c: Counts) => void): () => void {
  listeners.push(f);
  return () => { const i = listeners.indexOf(f); if (i >= 0) listeners.splice(i, 1); };
}
async function notify(): Promise<void> {
  const c = { pending: (await list().catch(() => [])).length, rejected: (await rejected().catch(() => [])).length };
  listeners.forEach((f) => f(c));
}

/**
 * failureAction says what flush does with a report whose sending failed:
 * 'keep' it queued and stop (no network, not logged in, the server's own
 * trouble or throttling: try again later), or 'reject' it (the server
 * refused this report: sending it again would be refused again).
 */
export function failureAction(e: unknown): 'keep' | 'reject' {
  if (!(e instanceof ApiError)) return 'keep';
  if (e.status === 401 || e.status === 408 || e.status === 429 || e.status >= 500) return 'keep';
  return e.status >= 400 ? 'reject' : 'keep';
}

/**
 * rejectionKey is the i18n key explaining a refusal to the supervisor,
 * from its status and, where it tells more, the server's message: a task
 * already reported or closed, photos refused, a finding refused.
 */
export function rejectionKey(status: number, message = ''): string {
  switch (status) {
    case 409: return /\bis (reported|closed)\b/.test(message) ? 'rejected.409.done' : 'rejected.409';
    case 403: return 'rejected.403';
    case 404: return 'rejected.404';
    case 413: return 'rejected.413';
    case 400: case 415:
      if (/larger than/i.test(message)) return 'rejected.413';
      if (/photo|JPEG|PNG|image/i.test(message)) return 'rejected.400.photo';
      if (/finding|notes/i.test(message)) return 'rejected.400.finding';
      return 'rejected.400';
    default: return 'rejected.other';
  }
}

export interface FlushResult { sent: number; rejected: RejectedReport[] }

let flushing = false;
/**
 * flush sends waiting reports; a refused one moves to the rejected store.
 * One tab at a time (a Web Lock where the browser has them): two tabs
 * sending the same report would see the second refused as a conflict.
 */
export async function flush(): Promise<FlushResult> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (locks?.request) {
    return locks.request('skygrid-outbox', { ifAvailable: true }, (lock) => (lock ? flushHere() : { sent: 0, rejected: [] }));
  }
  return flushHere();
}

async function flushHere(): Promise<FlushResult> {
  const out: FlushResult = { sent: 0, rejected: [] };
  if (flushing) return out;
  flushing = true;
  try {
    for (const r of await list()) {
      try {
        await sendReport(r, () => tx([STORE], 'readwrite', (t) => { t.objectStore(STORE).put(r); }));
        out.sent++;
        await remove(r.id!);
      } catch (e) {
        if (e instanceof NetworkError || failureAction(e) === 'keep') break;
        out.rejected.push(await reject(r, e as ApiError, new Date()));
      }
    }
  } finally {
    flushing = false;
    await notify();
  }
  return out;
}

export function start(onFlushed: (r: FlushResult) => void): void {
  window.addEventListener('online', async () => {
    const r = await flush();
    if (r.sent || r.rejected.length) onFlushed(r);
  });
  notify();
}
export { notify as refreshCount };
