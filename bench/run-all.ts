/**
 * Runs every benchmark one after another, each in its own process (so one's memory peak does not colour
 * the next), and prints their figures. `npm run bench` after `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['parse', 'hash', 'typosquat', 'verify', 'scan', 'stalled-proxy', 'webhook', 'watch'];
const only = process.argv.slice(2);
let failed = 0;
for (const name of benches) {
  if (only.length && !only.includes(name)) continue;
  process.stdout.write(`\n=== bench/${name} ===\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench/${name} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
