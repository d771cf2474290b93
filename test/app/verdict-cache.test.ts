/** Shared verdicts: one verification per module@version and go.sum lines, across replicas; failures are asked again. */
import { withSharedVerdicts } from '../../src/app/verdict-cache.js';
import { MemoryStore } from '../../src/sources/store/memory.js';
import type { RequirementChange } from '../../src/gomod/types.js';
import { DEFAULT_REPO_CONFIG } from '../../src/config/repo.js';
import { checksWith, finding } from './harness.js';

const change = (goModPath: string, line: number): RequirementChange => ({
  goModPath, module: 'github.com/a/b', kind: 'added', from: null, to: 'v1.0.0', line, indirect: false, replacement: null, fetch: { path: 'github.com/a/b', version: 'v1.0.0' },
});

it('two replicas on one store verify a module once; its findings land on each change\'s own line; go.sum lines and failures are part of the answer', async () => {
  const store = new MemoryStore();
  let calls = 0;
  let rule: 'tag-moved' | 'verify-failed' = 'tag-moved';
  const inner = checksWith({ verify: (m, v) => (calls++, [finding(rule, 'high', m, v, 'moved')]) });
  const replicaA = withSharedVerdicts(inner, store);
  const replicaB = withSharedVerdicts(inner, store);
  const ctx = { goSum: null, config: DEFAULT_REPO_CONFIG };
  const a = await replicaA.verify(change('go.mod', 6), ctx);
  const b = await replicaB.verify(change('sub/go.mod', 9), ctx);
  expect(calls).toBe(1);
  expect(a[0]).toMatchObject({ rule: 'tag-moved', goModPath: 'go.mod', line: 6 });
  expect(b[0]).toMatchObject({ rule: 'tag-moved', goModPath: 'sub/go.mod', line: 9 });
  // Different go.sum lines for the version: a different question.
  await replicaB.verify(change('go.mod', 6), { ...ctx, goSum: { path: 'go.sum', content: 'github.com/a/b v1.0.0 h1:x=\n' } });
  expect(calls).toBe(2);
  // A failed verification is not kept.
  rule = 'verify-failed';
  await replicaA.verify(change('x/go.mod', 1), { ...ctx, goSum: { path: 'go.sum', content: 'github.com/a/b v1.0.0 h1:y=\n' } });
  await replicaB.verify(change('x/go.mod', 1), { ...ctx, goSum: { path: 'go.sum', content: 'github.com/a/b v1.0.0 h1:y=\n' } });
  expect(calls).toBe(4);
});
