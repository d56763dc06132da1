// startDemo runs `skygrid demo` on 127.0.0.1 port 0 with its own database
// in a fresh temporary directory; it resolves when the server listens.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.SKYGRID_BIN || join(root, 'bin', 'skygrid');

/** startDemo (extra flags in args) resolves { url, db, hj212 (the HJ 212 receiver's address), dir, proc } once the demo listens (90 s at most). */
export function startDemo(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'skygrid-e2e-'));
  const db = join(dir, 'skygrid.db');
  // The server's log goes to e2e/screenshots/demo.log (kept with the run's other output).
  mkdirSync(join(root, 'e2e', 'screenshots'), { recursive: true });
  const log = openSync(join(root, 'e2e', 'screenshots', 'demo.log'), 'a');
  const proc = spawn(bin, ['demo', '--addr', '127.0.0.1:0', '--db', db, ...args], { stdio: ['ignore', 'pipe', log] });
  return listening(proc, 'demo', 90).then(({ url, out }) =>
    ({ url, db: out.match(/^database: (.+)$/m)?.[1] ?? db, hj212: out.match(/hj212 receiver listening on (\S+)/)?.[1], dir, proc }));
}

/**
 * listening resolves { url, out } once a started skygrid (proc, its
 * stdout piped) says it listens on 127.0.0.1; out is what it printed. The
 * limit (seconds) is on start-up, not a wait: it only ends a server that
 * hangs, as `what` names it.
 */
export function listening(proc, what, seconds) {
  return new Promise((resolve, reject) => {
    let out = '';
    const limit = setTimeout(() => { proc.kill(); reject(new Error(`${what} did not start in ${seconds} s:\n${out}`)); }, seconds * 1000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(limit); resolve({ url: m[1], out }); }
    });
    proc.on('exit', (code) => { clearTimeout(limit); reject(new Error(`${what} exited ${code}:\n${out}`)); });
  });
}
