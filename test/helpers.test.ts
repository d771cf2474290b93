import { buildModuleZip } from './helpers/module-zip.js';

describe('test helper buildModuleZip', () => {
  it('produces a zip whose entries live under module@version/', async () => {
    const zip = await buildModuleZip('example.com/m', 'v1.0.0', { 'go.mod': 'module example.com/m\n' });
    expect(zip.readUInt32LE(0)).toBe(0x04034b50); // local file header signature
    expect(zip.includes(Buffer.from('example.com/m@v1.0.0/go.mod'))).toBe(true);
  });
});
