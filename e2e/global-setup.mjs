// Global setup: one demo server for the whole run (its own temporary
// database), stopped by the returned teardown. Workers read its address
// from SKYGRID_URL, its database from SKYGRID_DB and its HJ 212
// receiver's address from SKYGRID_HJ212.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from './lib/demo.mjs';
import { checksFile, shots } from './lib/checks.mjs';

export default async function globalSetup() {
  mkdirSync(shots, { recursive: true });
  writeFileSync(checksFile, '');
  writeFileSync(join(shots, 'demo.log'), '');
  const demo = await startDemo();
  process.env.SKYGRID_URL = demo.url;
  process.env.SKYGRID_DB = demo.db;
  process.env.SKYGRID_HJ212 = demo.hj212 ?? '';
  console.log('demo at', demo.url);
  return async () => {
    demo.proc.kill();
    rmSync(demo.dir, { recursive: true, force: true });
  };
}
