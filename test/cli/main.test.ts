import { main } from '../../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, opts: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: {} } };
}

describe('modwarden CLI entry', () => {
  it('prints help listing every command and exits 0', async () => {
    const c = capture();
    const code = await main(['--help'], c.opts);
    expect(code).toBe(0);
    const text = c.out.join('');
    for (const cmd of ['diff', 'hash', 'typosquat', 'verify', 'scan']) expect(text).toContain(cmd);
  });

  it('prints the package version', async () => {
    const c = capture();
    expect(await main(['--version'], c.opts)).toBe(0);
    expect(c.out.join('')).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 on an unknown command', async () => {
    const c = capture();
    expect(await main(['no-such-command'], c.opts)).toBe(2);
    expect(c.err.join('')).toMatch(/unknown command/);
  });
});
