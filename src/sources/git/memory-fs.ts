/**
 * The smallest file system isomorphic-git needs, in memory: a fetched pack is indexed and read without
 * touching the disk, and goes away with the reader (nothing to clean up after a failure).
 */
type Node = { kind: 'dir' } | { kind: 'file'; data: Buffer };

function fsError(code: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${path}`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

function stats(node: Node) {
  const size = node.kind === 'file' ? node.data.length : 0;
  const now = new Date(0);
  return {
    type: node.kind,
    mode: node.kind === 'dir' ? 0o40755 : 0o100644,
    size,
    ino: 0,
    uid: 0,
    gid: 0,
    dev: 0,
    mtimeMs: 0,
    ctimeMs: 0,
    mtime: now,
    ctime: now,
    isFile: () => node.kind === 'file',
    isDirectory: () => node.kind === 'dir',
    isSymbolicLink: () => false,
  };
}

export class MemoryFs {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'dir' }]]);

  readonly promises = {
    readFile: async (path: string, options?: { encoding?: string } | string) => {
      const n = this.nodes.get(norm(path));
      if (!n) throw fsError('ENOENT', path);
      if (n.kind !== 'file') throw fsError('EISDIR', path);
      const enc = typeof options === 'string' ? options : options?.encoding;
      return enc ? n.data.toString(enc as BufferEncoding) : n.data;
    },
    writeFile: async (path: string, data: Uint8Array | string) => {
      const p = norm(path);
      if (this.nodes.get(parent(p))?.kind !== 'dir') throw fsError('ENOENT', path);
      this.nodes.set(p, { kind: 'file', data: typeof data === 'string' ? Buffer.from(data) : Buffer.from(data) });
    },
    mkdir: async (path: string) => {
      const p = norm(path);
      if (this.nodes.has(p)) throw fsError('EEXIST', path);
      if (this.nodes.get(parent(p))?.kind !== 'dir') throw fsError('ENOENT', path);
      this.nodes.set(p, { kind: 'dir' });
    },
    rmdir: async (path: string) => {
      this.nodes.delete(norm(path));
    },
    unlink: async (path: string) => {
      if (!this.nodes.delete(norm(path))) throw fsError('ENOENT', path);
    },
    stat: async (path: string) => {
      const n = this.nodes.get(norm(path));
      if (!n) throw fsError('ENOENT', path);
      return stats(n);
    },
    lstat: async (path: string) => {
      const n = this.nodes.get(norm(path));
      if (!n) throw fsError('ENOENT', path);
      return stats(n);
    },
    readdir: async (path: string) => {
      const p = norm(path);
      if (this.nodes.get(p)?.kind !== 'dir') throw fsError('ENOTDIR', path);
      const prefix = p === '/' ? '/' : `${p}/`;
      return [...this.nodes.keys()].filter((k) => k !== p && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length));
    },
    readlink: async (path: string) => {
      throw fsError('EINVAL', path);
    },
    symlink: async (_target: string, path: string) => {
      throw fsError('EPERM', path);
    },
    chmod: async () => undefined,
  };
}

function norm(p: string): string {
  const parts = p.split('/').filter((x) => x && x !== '.');
  return `/${parts.join('/')}`;
}

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
