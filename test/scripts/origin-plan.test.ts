/** The offline before/after classification behind the issue-13 counts. */
import { readFileSync } from 'node:fs';
import { comparableBefore, originPlan } from '../../scripts/origin-plan.js';
import { parseRequirementsTsv } from '../../src/checks/typosquat/eval-data.js';

describe('originPlan', () => {
  it('names the reader each kind of path goes to', () => {
    expect(originPlan('github.com/boltdb/bolt')).toBe('github-api');
    expect(originPlan('gopkg.in/yaml.v3')).toBe('github-api');
    expect(originPlan('golang.org/x/net')).toBe('go-get-googlesource');
    expect(originPlan('gitlab.com/gitlab-org/gitaly-proto')).toBe('go-get-gitlab');
    expect(originPlan('bitbucket.org/o/r')).toBe('known-host-git');
    expect(originPlan('git.torproject.org/pluggable-transports/goptlib.git')).toBe('known-host-git');
    expect(originPlan('launchpad.net/gocheck')).toBe('unsupported-vcs');
    expect(originPlan('k8s.io/api')).toBe('go-get-vanity');
    expect(originPlan('notapath/x')).toBe('invalid');
    expect(comparableBefore('gopkg.in/yaml.v3')).toBe(true);
    expect(comparableBefore('golang.org/x/net')).toBe(false);
  });

  it('counts the Debian graph: before 1,185 of 1,302 by path; now all but the 3 Bazaar modules have a reader', () => {
    const file = new URL('../fixtures/graph/debian-requirements.tsv', import.meta.url).pathname;
    const mods = parseRequirementsTsv(readFileSync(file, 'utf8'), file).map((r) => r.module);
    expect(mods.length).toBe(1302);
    expect(mods.filter(comparableBefore).length).toBe(1185);
    const counts: Record<string, number> = {};
    for (const m of mods) counts[originPlan(m)] = (counts[originPlan(m)] ?? 0) + 1;
    expect(counts).toEqual({ 'github-api': 1185, 'known-host-git': 1, 'go-get-googlesource': 17, 'go-get-gitlab': 2, 'go-get-vanity': 94, 'unsupported-vcs': 3 });
  });
});
