// The page a user asked for before logging in: a task's link from a notice
// (#/tasks/42) opened on a phone with no session, or a page whose session
// ended, opens again once the user has logged in, not the start page. The
// log-in page keeps it in its own hash: #/login?next=%2Ftasks%2F42.

// A page of the app: its path (/tasks/42, /auditlog?action=task.) and name.
const PAGE = /^#(\/([a-z]+)(?:[/?].*)?)$/;

/**
 * loginHash is the log-in page's hash, keeping hash (the page asked for)
 * to return to; the log-in page's own hash stays as it is (a refused
 * question who is logged in both ends the session and sends to the log-in).
 */
export function loginHash(hash: string): string {
  const m = PAGE.exec(hash);
  if (m?.[2] === 'login') return hash;
  return m ? '#/login?next=' + encodeURIComponent(m[1]) : '#/login';
}

/** nextHash is the page to open after a log-in on the page at hash, or '' for the role's start page. */
export function nextHash(hash: string): string {
  const i = hash.indexOf('?');
  if (PAGE.exec(hash)?.[2] !== 'login' || i < 0) return '';
  const next = '#' + (new URLSearchParams(hash.slice(i + 1)).get('next') ?? '');
  const m = PAGE.exec(next);
  return m && m[2] !== 'login' ? next : '';
}
