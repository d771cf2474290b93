/** A realistic scan result (the boltdb-go case plus a low finding and an ignored one) for report tests. */
import type { Finding } from '../../src/findings.js';
import type { ScanResult } from '../../src/engine/result.js';

export function boltFinding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'content-diverged',
    severity: 'critical',
    module: 'github.com/boltdb-go/bolt',
    version: 'v1.3.1',
    goModPath: 'go.mod',
    line: 7,
    title: 'The proxy serves different code than the origin tag v1.3.1.',
    message: 'Builds get the proxy copy. Read `cursor.go` before merging.',
    evidence: {
      proxyH1: 'h1:AAAA',
      originH1: 'h1:BBBB',
      files: { added: ['backdoor.go'], removed: [], modified: ['db.go'] },
      diff: '--- a/db.go\n+++ b/db.go\n@@ -1 +1,2 @@\n package bolt\n+import _ "net"\n',
    },
    ...over,
  };
}

export function sampleResult(): ScanResult {
  const findings: Finding[] = [
    boltFinding(),
    boltFinding({ rule: 'typosquat', severity: 'high', title: '`github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt`.', evidence: { target: 'github.com/boltdb/bolt', score: 0.93 } }),
    boltFinding({ rule: 'unverifiable', severity: 'low', module: 'corp.example.com/lib', version: 'v0.1.0', line: 9, title: 'Private module: not checked.', evidence: {} }),
    boltFinding({ rule: 'tag-moved', severity: 'high', module: 'github.com/x/y', version: 'v1.0.0', line: 8, title: 'Tag moved.', evidence: {}, ignored: { by: '@alice', reason: 'vetted' } }),
  ];
  return {
    changes: [],
    findings,
    modules: [
      { goModPath: 'go.mod', module: 'github.com/boltdb-go/bolt', kind: 'added', from: null, to: 'v1.3.1', fetch: 'github.com/boltdb-go/bolt@v1.3.1', line: 7, verdict: 'failing', rules: ['content-diverged', 'typosquat'], note: null },
      { goModPath: 'go.mod', module: 'github.com/x/y', kind: 'upgraded', from: 'v0.9.0', to: 'v1.0.0', fetch: 'github.com/x/y@v1.0.0', line: 8, verdict: 'ignored', rules: ['tag-moved'], note: null },
      { goModPath: 'go.mod', module: 'corp.example.com/lib', kind: 'added', from: null, to: 'v0.1.0', fetch: 'corp.example.com/lib@v0.1.0', line: 9, verdict: 'warning', rules: ['unverifiable'], note: 'private' },
      { goModPath: 'go.mod', module: 'github.com/pkg/errors', kind: 'added', from: null, to: 'v0.9.1', fetch: 'github.com/pkg/errors@v0.9.1', line: 10, verdict: 'ok', rules: [], note: null },
    ],
    errors: [],
    scannedFiles: ['go.mod', 'go.sum'],
    skippedFiles: [],
  };
}
