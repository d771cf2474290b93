import { execFileSync } from 'node:child_process';
import { readModuleZip } from '../../src/modzip/reader.js';
import { buildModuleZip } from '../helpers/module-zip.js';

describe('readModuleZip gitBlobIds', () => {
  it("gives each file git's own blob id, without keeping its bytes", async () => {
    const files = { 'go.mod': 'module example.com/m\n', 'big.go': 'package m\n' + '// x\n'.repeat(400_000), 'empty.txt': '' };
    const zip = await buildModuleZip('example.com/m', 'v1.0.0', files);
    const read = await readModuleZip(zip, { path: 'example.com/m', version: 'v1.0.0' }, { gitBlobIds: true });
    for (const f of read.files) {
      const git = execFileSync('git', ['hash-object', '--stdin'], { input: files[f.path as keyof typeof files] }).toString().trim();
      expect(f.gitBlobId).toBe(git);
      expect(f.content).toBeUndefined();
    }
    const plain = await readModuleZip(zip, { path: 'example.com/m', version: 'v1.0.0' });
    expect(plain.files.every((f) => f.gitBlobId === undefined)).toBe(true);
    expect(plain.h1).toBe(read.h1);
  });
});
