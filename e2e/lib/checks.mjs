// Every check a test makes is also written, one line each ("ok  " or
// "FAIL" and its name), to e2e/screenshots/CHECKS.txt: the list compared
// across runners and runs.
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';

export const shots = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
export const checksFile = join(shots, 'CHECKS.txt');

/** check records one named check as a soft expectation: the test goes on and every check is reported. */
export function check(ok, what) {
  appendFileSync(checksFile, `${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  expect.soft(ok, what).toBe(true);
}
