// apiAs logs a user in through the API (a cookie session and its CSRF
// token) for the tests' own requests: setting up data, reading the answer a
// page should show.
import { request } from '@playwright/test';

export const PASSWORD = 'skygrid-demo';

/** apiAs resolves { ctx, csrf, get, post, multipart, upload } for name on url. */
export async function apiAs(url, name, password = PASSWORD) {
  const ctx = await request.newContext({ baseURL: url });
  const res = await ctx.post('/api/login', { data: { name, password } });
  if (!res.ok()) throw new Error(`log-in ${name}: ${res.status()}`);
  const { csrf } = await res.json();
  const multipart = (path, parts) => ctx.post(path, { multipart: parts, headers: { 'X-CSRF-Token': csrf } });
  return {
    ctx, csrf, multipart, upload: multipart,
    get: async (path) => (await ctx.get(path)).json(),
    post: (path, data) => ctx.post(path, { data, headers: { 'X-CSRF-Token': csrf } }),
  };
}

/**
 * apiSessions logs names in through the API before the tests of the
 * current file or describe block (beforeAll) and out after them; the
 * returned object holds each session under its user's name.
 */
export function apiSessions(test, names) {
  const sessions = {};
  test.beforeAll(async ({ url }) => {
    for (const name of names) sessions[name] = await apiAs(url, name);
  });
  test.afterAll(async () => {
    for (const name of names) await sessions[name]?.ctx.dispose();
  });
  return sessions;
}
