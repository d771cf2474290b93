#!/usr/bin/env node
// No container engine runs in CI, so this replays the Dockerfile with plain folders: each stage gets a
// temporary root, COPY copies exactly what the Dockerfile names (from the build context, filtered by
// .dockerignore, or from an earlier stage), RUN runs the same command there, and the final stage is then
// started the way the image would be: the CLI's --help and the app module's import must work.
// It understands the instructions our Dockerfile uses (FROM, WORKDIR, COPY, RUN, ENV, USER, EXPOSE, CMD);
// anything else is an error, so a Dockerfile change cannot silently escape the check.
import { execFileSync, execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';

const context = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'modwarden-image-'));
const log = (m) => process.stdout.write(`image-check: ${m}\n`);

/** Dockerfile lines joined across backslash continuations, comments and blanks dropped. */
function instructions(text) {
  const out = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!cur && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) cur += line.slice(0, -1) + ' ';
    else {
      out.push((cur + line).trim());
      cur = '';
    }
  }
  return out;
}

const ignorePatterns = existsSync(join(context, '.dockerignore'))
  ? readFileSync(join(context, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  : [];
/** Docker's rule: the last matching pattern wins; `!` re-includes. */
function ignored(rel) {
  let out = false;
  for (const p of ignorePatterns) {
    const neg = p.startsWith('!');
    const pat = (neg ? p.slice(1) : p).replace(/^\/+/, '');
    if (picomatch.isMatch(rel, pat, { dot: true }) || picomatch.isMatch(rel, `${pat}/**`, { dot: true })) out = !neg;
  }
  return out;
}

function copy(fromRoot, src, destAbs, filterContext) {
  const from = join(fromRoot, src);
  if (!existsSync(from)) throw new Error(`COPY ${src}: not found in ${filterContext ? 'the build context' : 'the earlier stage'}`);
  if (filterContext && ignored(src.replace(/^\.\//, ''))) throw new Error(`COPY ${src}: excluded by .dockerignore`);
  const isDir = statSync(from).isDirectory();
  const target = isDir || destAbs.endsWith('/') ? (isDir ? destAbs : join(destAbs, src.split('/').pop())) : destAbs;
  mkdirSync(isDir ? target : dirname(target), { recursive: true });
  cpSync(from, target, {
    recursive: true,
    filter: (p) => !filterContext || p === from || !ignored(relative(fromRoot, p)),
  });
}

const stages = new Map();
let stage = null;
let finalStage = null;
for (const ins of instructions(readFileSync(join(context, 'Dockerfile'), 'utf8'))) {
  const [op, ...rest] = ins.split(/\s+/);
  const args = rest.join(' ');
  switch (op.toUpperCase()) {
    case 'FROM': {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m || !/^node:20\b/.test(m[1])) throw new Error(`FROM ${args}: expected a node:20 image`);
      stage = { name: m[2] ?? `stage${stages.size}`, root: join(work, `stage${stages.size}`), cwd: '/', env: {} };
      mkdirSync(stage.root, { recursive: true });
      stages.set(stage.name, stage);
      finalStage = stage;
      log(`FROM ${args}`);
      break;
    }
    case 'WORKDIR':
      stage.cwd = args;
      mkdirSync(join(stage.root, args), { recursive: true });
      break;
    case 'ENV': {
      const m = /^(\w+)[= ](.*)$/.exec(args);
      stage.env[m[1]] = m[2];
      break;
    }
    case 'COPY': {
      const parts = rest.filter((p) => !p.startsWith('--chown'));
      const fromFlag = parts.find((p) => p.startsWith('--from='));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const dest = paths.pop();
      const destAbs = join(stage.root, dest.startsWith('/') ? dest : join(stage.cwd, dest)) + (dest.endsWith('/') ? '/' : '');
      const fromStage = fromFlag ? stages.get(fromFlag.slice('--from='.length)) : null;
      if (fromFlag && !fromStage) throw new Error(`COPY ${args}: no stage ${fromFlag}`);
      for (const src of paths) {
        if (fromStage) copy(fromStage.root, src.replace(/^\//, ''), destAbs, false);
        else copy(context, src, destAbs, true);
      }
      log(`COPY ${args}`);
      break;
    }
    case 'RUN':
      log(`RUN ${args}`);
      // Steps on the image's own file system (`mkdir -p /abs`, `chown user:group /abs`) are replayed inside the
      // stage's root: the directory is made there; the owner is checked for form only (the user exists in the
      // image, not on this host). Everything else runs as written.
      for (const step of args.split('&&').map((x) => x.trim())) {
        const mk = /^mkdir -p ((?:\/[\w.-]+)+(?: (?:\/[\w.-]+)+)*)$/.exec(step);
        const own = /^chown [\w-]+:[\w-]+ ((?:\/[\w.-]+)+)$/.exec(step);
        if (mk) for (const d of mk[1].split(' ')) mkdirSync(join(stage.root, d), { recursive: true });
        else if (own) {
          if (!existsSync(join(stage.root, own[1]))) throw new Error(`RUN ${step}: ${own[1]} does not exist in the stage`);
        } else execSync(step, { cwd: join(stage.root, stage.cwd), stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...stage.env, CI: 'true' } });
      }
      break;
    case 'VOLUME':
      mkdirSync(join(stage.root, args), { recursive: true });
      break;
    case 'USER':
    case 'EXPOSE':
    case 'CMD':
    case 'ARG':
      if (op.toUpperCase() === 'CMD') finalStage.cmd = JSON.parse(args);
      break;
    default:
      throw new Error(`unsupported Dockerfile instruction ${op}`);
  }
}

// Start the final stage as the image would: the CLI answers, and the app module loads with production deps only.
const app = join(finalStage.root, finalStage.cwd);
const env = { ...process.env, ...finalStage.env };
const help = execFileSync('node', ['bin/modwarden.js', '--help'], { cwd: app, env, encoding: 'utf8' });
if (!/Usage: modwarden/.test(help)) throw new Error('the image CLI did not print its usage');
log('the CLI prints its usage');
const entry = finalStage.cmd?.find((a) => a.endsWith('.js') && a.startsWith('./dist/'));
if (!entry || !existsSync(join(app, entry))) throw new Error(`the image CMD names no built app module (${JSON.stringify(finalStage.cmd)})`);
if (!existsSync(join(app, finalStage.cmd[1] ?? ''))) throw new Error(`the image CMD's program ${finalStage.cmd[1]} is missing`);
execFileSync('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify('./' + entry.slice(2))}); if (typeof m.default !== 'function') throw new Error('no app function exported');`], {
  cwd: app,
  env,
  stdio: 'inherit',
});
log(`the app module ${entry} loads and exports the Probot app`);
rmSync(work, { recursive: true, force: true });
log('ok');
