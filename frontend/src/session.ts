// The signed-in user, shared by the pages.
import type { Session } from './api';

let current: Session | null = null;
export function getSession(): Session | null { return current; }
export function putSession(s: Session | null): void { current = s; }
export function role(): string { return current?.user.role ?? ''; }
export const isReviewer = (): boolean => ['admin', 'auditor', 'official'].includes(role());
export const canReadAuditLog = (): boolean => ['admin', 'auditor'].includes(role());
