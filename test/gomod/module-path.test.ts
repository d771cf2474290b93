import { modulePath } from '../../src/gomod/modfile.js';

describe('modulePath (golang.org/x/mod/modfile ModulePath)', () => {
  it('reads the first module line, tolerant of everything else', () => {
    expect(modulePath('// comment\nmodule github.com/o/r/v2 // trailing\n\ngo 1.21\nrequire (\n')).toBe('github.com/o/r/v2');
    expect(modulePath('\tmodule   example.com/m\r\n')).toBe('example.com/m');
    expect(modulePath(Buffer.from('module example.com/bytes\n'))).toBe('example.com/bytes');
  });

  it('unquotes quoted paths and gives up on malformed ones', () => {
    expect(modulePath('module "example.com/q"\n')).toBe('example.com/q');
    expect(modulePath('module `example.com/raw`\n')).toBe('example.com/raw');
    expect(modulePath('module "example.com/unterminated\n')).toBe('');
  });

  it('finds no path where Go finds none', () => {
    expect(modulePath('modules x\n')).toBe('');
    expect(modulePath('module\n')).toBe('');
    expect(modulePath('module // only a comment\n')).toBe('');
    expect(modulePath('go 1.21\n')).toBe('');
    expect(modulePath('')).toBe('');
  });
});
