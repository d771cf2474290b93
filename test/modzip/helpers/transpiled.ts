/**
 * src/modzip and src/gomod transpiled to plain JavaScript, for code that cannot run on jest's TypeScript
 * sources: child processes (whose memory is measured apart from jest's) and the hashing worker threads
 * (new Worker() loads hash-worker.js from disk). The folder sits in node_modules/.cache so that the
 * transpiled files resolve yauzl and the rest from the repo's node_modules.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const REPO = new URL('../../../', import.meta.url).pathname;

export interface Transpiled {
  /** The folder: src/modzip/reader.js etc. are below it. */
  dir: string;
  /** Absolute path of a transpiled source, e.g. module('src/modzip/reader.ts'). */
  module(source: string): string;
  remove(): void;
}

export function transpileModzip(tag: string): Transpiled {
  const out = join(REPO, 'node_modules', '.cache', `modzip-${tag}-${process.pid}`);
  const walk = (dir: string) => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) {
        const js = ts.transpileModule(readFileSync(join(REPO, rel), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        }).outputText;
        mkdirSync(join(out, dir), { recursive: true });
        writeFileSync(join(out, rel.replace(/\.ts$/, '.js')), js);
      }
    }
  };
  for (const d of ['src/modzip', 'src/gomod']) walk(d);
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return {
    dir: out,
    module: (source) => join(out, source.replace(/\.ts$/, '.js')),
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}
