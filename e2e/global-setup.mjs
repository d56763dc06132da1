// Global setup: one demo server for the whole run (its own temporary
// database), stopped by the returned teardown. Workers read its address
// from SKYGRID_URL, its database from SKYGRID_DB and its HJ 212
// receiver's address from SKYGRID_HJ212.
//
// The run has a temporary folder of its own (TMPDIR for the workers too):
// the teardown removes it and fails the run when a test left something in
// it (a second demo's database, an upload's files), as runs once left
// their folders in /tmp.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from './lib/demo.mjs';
import { checksFile, shots } from './lib/checks.mjs';

export default async function globalSetup() {
  mkdirSync(shots, { recursive: true });
  writeFileSync(checksFile, '');
  writeFileSync(join(shots, 'demo.log'), '');
  const tmp = mkdtempSync(join(tmpdir(), 'skygrid-e2e-run-'));
  process.env.TMPDIR = tmp;
  // Every browser of the suite is one client address (127.0.0.1): the
  // default per-address allowance for the no-session routes (20 a second,
  // a burst of 200, meant for one person's phone) refused a page's asset
  // once the suite had loaded enough pages in a row (429 in sitepage.spec
  // after the public page's suites). The limiter stays on, sized for a
  // whole office behind one address.
  const demo = await startDemo(['--set', 'server.public_rate=200.0', '--set', 'server.public_burst=2000']);
  process.env.SKYGRID_URL = demo.url;
  process.env.SKYGRID_DB = demo.db;
  process.env.SKYGRID_HJ212 = demo.hj212 ?? '';
  console.log('demo at', demo.url);
  return async () => {
    demo.proc.kill();
    rmSync(demo.dir, { recursive: true, force: true });
    const left = readdirSync(tmp);
    rmSync(tmp, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(`the tests left ${left.join(', ')} in the run's temporary folder (removed now): a test removes what it makes`);
    }
  };
}
