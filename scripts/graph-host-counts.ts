/**
 * Prints where the modules of the Debian requirement graph live (issue 13): GitHub, another known code host, or
 * behind a vanity path, by path alone. Counts distinct modules and, weighted, go.mod requirements.
 *   node dist/scripts/graph-host-counts.js [test/fixtures/graph/debian-requirements.tsv]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRequirementsTsv } from '../src/checks/typosquat/eval-data.js';
import { countHosts, type HostCounts } from './module-hosts.js';
import { comparableBefore, originPlan, type OriginPlan } from './origin-plan.js';

const pct = (n: number, total: number): string => `${((100 * n) / total).toFixed(1)}%`;

function table(title: string, c: HostCounts, topHosts: number): string {
  const g = c.byGroup;
  const gopkgIn = c.byHost.find((h) => h.host === 'gopkg.in' && h.group === 'known-host')?.count ?? 0;
  const lines = [
    `${title}: ${c.total}`,
    `  github.com       ${g.github} (${pct(g.github, c.total)})`,
    `  other known host ${g['known-host']} (${pct(g['known-host'], c.total)})`,
    `  vanity path      ${g.vanity} (${pct(g.vanity, c.total)})`,
    `  not a public path ${g.invalid}`,
    `  resolvable to GitHub from the path alone (github.com + gopkg.in, what verify compared before issue 13): ${g.github + gopkgIn} (${pct(g.github + gopkgIn, c.total)})`,
    `  top hosts: ${c.byHost.slice(0, topHosts).map((h) => `${h.host} ${h.count} [${h.group}]`).join(', ')}`,
  ];
  return lines.join('\n');
}

const file = resolve(process.argv[2] ?? 'test/fixtures/graph/debian-requirements.tsv');
const records = parseRequirementsTsv(readFileSync(file, 'utf8'), file);
const modules = countHosts(records.map((r) => ({ module: r.module })));
const weighted = countHosts(records.map((r) => ({ module: r.module, weight: r.gomodFiles })));
process.stdout.write(`${table('distinct required modules', modules, 15)}\n${table('requirements (go.mod lines, each go.mod once per module)', weighted, 15)}\n`);

/** Before/after "could compare": which reader handles each module, by the resolver's own rules (offline). */
function plans(title: string, items: ReadonlyArray<{ module: string; weight: number }>): string {
  const by = new Map<OriginPlan, number>();
  let total = 0;
  let before = 0;
  for (const { module, weight } of items) {
    total += weight;
    if (comparableBefore(module)) before += weight;
    const p = originPlan(module);
    by.set(p, (by.get(p) ?? 0) + weight);
  }
  const n = (p: OriginPlan) => by.get(p) ?? 0;
  const measured = n('github-api') + n('known-host-git');
  const inferred = n('go-get-googlesource') + n('go-get-gitlab') + n('go-get-vanity');
  return [
    `${title}: ${total}`,
    `  before issue 13 (GitHub only, by path): ${before} (${pct(before, total)}) could be compared; the rest was unverifiable "not-github"`,
    `  now, by reader:`,
    `    GitHub REST API (github.com, gopkg.in)             ${n('github-api')}`,
    `    git smart HTTP, cmd/go known host                  ${n('known-host-git')}`,
    `    git smart HTTP via go-get -> go.googlesource.com   ${n('go-get-googlesource')}`,
    `    GitLab (git + archive) via go-get                  ${n('go-get-gitlab')}`,
    `    go-get discovery, then GitHub or any git host      ${n('go-get-vanity')}`,
    `    not comparable: non-git VCS / gone host            ${n('unsupported-vcs')}`,
    `    not a module path                                  ${n('invalid')}`,
    `  now comparable: ${measured + inferred} (${pct(measured + inferred, total)}) = ${measured} decided by path (measured) + ${inferred} through ?go-get=1 (inferred: the hosts are not reachable here)`,
  ].join('\n');
}
process.stdout.write(
  `\n${plans('distinct required modules', records.map((r) => ({ module: r.module, weight: 1 })))}\n` +
    `${plans('requirements (go.mod lines)', records.map((r) => ({ module: r.module, weight: r.gomodFiles })))}\n`,
);
