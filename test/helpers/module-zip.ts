import yazl from 'yazl';

/** Files of a module, relative to its root, as text or bytes. */
export type FileMap = Record<string, string | Uint8Array>;

/**
 * Builds a well-formed module zip the way the Go command lays it out: every file under
 * `<module>@<version>/`. Used by tests to serve fixtures from a local GOPROXY.
 */
export function buildModuleZip(modulePath: string, version: string, files: FileMap): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const prefix = `${modulePath}@${version}/`;
  for (const [name, content] of Object.entries(files)) {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    zip.addBuffer(buf, prefix + name, { mtime: new Date(0), mode: 0o644 });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
