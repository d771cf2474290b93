// Writes every small zip of the hostile corpus (test/modzip/helpers/hostile-corpus.ts) and asks go1.19's
// golang.org/x/mod/zip what it makes of it (CheckZip, Unzip, dirhash.HashZip), recording the answers in
// test/fixtures/modzip/go119/hostile/. Needs the tool built as described in generate-go119.mjs.
// Run by hand: node test/modzip/gen/generate-go119-hostile.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const REPO = new URL('../../../', import.meta.url).pathname;
const TOOL = process.env.GOZIP ?? '/tmp/gozip/gozip';
const OUT = join(REPO, 'test/fixtures/modzip/go119/hostile');
const CACHE = join(REPO, 'node_modules/.cache/modzip-hostile-gen');

// The corpus is TypeScript: transpile it (and the zip writer) next to node_modules so imports resolve.
for (const rel of ['test/helpers/hostile-zip.ts', 'test/modzip/helpers/hostile-corpus.ts']) {
  const js = ts.transpileModule(readFileSync(join(REPO, rel), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  mkdirSync(dirname(join(CACHE, rel)), { recursive: true });
  writeFileSync(join(CACHE, rel.replace(/\.ts$/, '.js')), js);
}
writeFileSync(join(CACHE, 'package.json'), '{"type":"module"}\n');
const { hostile, MV } = await import(join(CACHE, 'test/modzip/helpers/hostile-corpus.js'));

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const cases = [];
hostile.forEach((h, i) => {
  if (h.limits) return; // our own tighter limits, not Go's: nothing to compare
  const zip = h.zip();
  if (zip.length > 256 << 10) return; // keep the fixtures small
  const file = `${String(i).padStart(2, '0')}.zip`;
  writeFileSync(join(OUT, file), zip);
  const mv = h.mv ?? MV;
  const go = JSON.parse(execFileSync(TOOL, ['zip', join(OUT, file), mv.path, mv.version]).toString().replaceAll(OUT + '/', ''));
  cases.push({ title: h.title, file, module: mv.path, version: mv.version, go });
});
writeFileSync(join(OUT, 'cases.json'), JSON.stringify({ generatedBy: 'test/modzip/gen/generate-go119-hostile.mjs', go: execFileSync('go', ['version']).toString().trim(), cases }, null, 1) + '\n');
rmSync(CACHE, { recursive: true, force: true });
console.log(`${cases.length} zips; Go refused ${cases.filter((c) => c.go.checkError || c.go.unzipError || c.go.hashError).length}`);
for (const c of cases) if (!(c.go.checkError || c.go.unzipError || c.go.hashError)) console.log('Go ACCEPTS:', c.title, c.go.hash);
