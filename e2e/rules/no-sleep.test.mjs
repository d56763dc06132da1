// No fixed sleeps in the browser tests: a test waits for what it needs
// (web-first assertions, expect.poll, waitForResponse), never for a time.
// Run by `make e2e` (node --test rules/) before the browser suite.
// NOSLEEP_DIR checks another tree (e.g. an old checkout's e2e/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.NOSLEEP_DIR || join(dirname(fileURLToPath(import.meta.url)), '..');
const skip = new Set(['node_modules', 'test-results', 'report', 'screenshots']);

/** sources lists the script files under d. */
function sources(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    if (skip.has(e.name)) return [];
    const p = join(d, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(m?js|ts)$/.test(e.name) ? [p] : [];
  });
}

// The only timers allowed: the demo's start-up limit (ends a server that
// hangs) and the slow network a page.route handler simulates.
const allowed = [
  ['lib/demo.mjs', 'const limit = setTimeout('],
  ['fixtures.mjs', 'await new Promise((ok) => setTimeout(ok, ms));'],
];

/** matching lists "file:line: text" for each line of e2e/ (rules/ aside) that bad(line, file) holds for. */
function matching(bad) {
  const found = [];
  for (const file of sources(dir)) {
    const rel = relative(dir, file);
    if (rel.startsWith('rules/')) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (bad(line, rel)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

test('no waitForTimeout and no setTimeout wait in e2e/', () => {
  const found = matching((line, rel) => /waitForTimeout/.test(line) ||
    (/setTimeout\s*\(/.test(line) && !allowed.some(([f, s]) => f === rel && line.includes(s))));
  assert.deepEqual(found, [], `fixed sleeps in ${dir} (wait for a state instead: expect(locator), expect.poll, waitForResponse):\n${found.join('\n')}`);
});

// Playwright's waitForFunction does not await its predicate: an async one
// returns a Promise, which is truthy, so the wait ends at once without
// looking. It once let the offline test read the service worker's cache
// before the open tasks were in it (on a loaded machine). Poll an
// evaluate instead: expect.poll(() => p.evaluate(async () => ...)).
test('no async predicate in waitForFunction', () => {
  const found = matching((line) => /waitForFunction\(\s*async\b/.test(line));
  assert.deepEqual(found, [], `waitForFunction with an async predicate in ${dir} (it never waits):\n${found.join('\n')}`);
});
