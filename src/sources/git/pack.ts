/**
 * A git packfile from an untrusted server, checked before anything parses it for real: the object count
 * and every object's inflated size (deltas: their declared result size) are capped, and each zlib stream
 * is inflated with a hard output limit, so a pack bomb (a few KiB that inflate to GiB) is refused up
 * front. Then isomorphic-git indexes the pack in a private in-memory file system and reads its objects.
 */
import { inflateSync } from 'node:zlib';
import * as git from 'isomorphic-git';
import { MemoryFs } from './memory-fs.js';

/** Limits of one pack. */
export interface PackLimits {
  /** Most objects in the pack. */
  maxObjects: number;
  /** Most bytes all objects inflate to (delta results counted at their declared size). */
  maxInflatedBytes: number;
}

/** The pack is larger than a cap, or lies about its sizes. */
export class PackTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackTooLargeError';
  }
}

/** The pack is not a valid packfile. */
export class PackFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackFormatError';
  }
}

const OBJ_OFS_DELTA = 6;
const OBJ_REF_DELTA = 7;

/** Walks the pack's object headers and inflates each object under its declared size; throws past a cap. */
export function checkPack(pack: Buffer, limits: PackLimits): { objects: number; inflatedBytes: number } {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') throw new PackFormatError('the server sent no packfile');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new PackFormatError(`unsupported pack version ${version}`);
  const objects = pack.readUInt32BE(8);
  if (objects > limits.maxObjects) throw new PackTooLargeError(`the pack holds ${objects} objects, over the ${limits.maxObjects}-object limit`);
  let pos = 12;
  let total = 0;
  const end = pack.length - 20;
  for (let i = 0; i < objects; i++) {
    if (pos >= end) throw new PackFormatError('the pack ends early');
    let byte = pack[pos++]!;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      if (pos >= end || shift > 49) throw new PackFormatError('bad object header in the pack');
      byte = pack[pos++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (type === OBJ_OFS_DELTA) {
      do {
        if (pos >= end) throw new PackFormatError('bad delta offset in the pack');
        byte = pack[pos++]!;
      } while (byte & 0x80);
    } else if (type === OBJ_REF_DELTA) {
      pos += 20;
    } else if (type < 1 || type > 4) {
      throw new PackFormatError(`unknown object type ${type} in the pack`);
    }
    if (size > limits.maxInflatedBytes - total) throw new PackTooLargeError(`the pack's objects inflate to more than ${limits.maxInflatedBytes} bytes`);
    let out: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      out = inflateSync(pack.subarray(pos, end), { info: true, maxOutputLength: Math.max(1, size) }) as unknown as typeof out;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new PackTooLargeError('an object in the pack inflates past its declared size (a pack bomb)');
      throw new PackFormatError(`corrupt object in the pack (${(e as Error).message})`);
    }
    if (out.buffer.length !== size) throw new PackFormatError('an object in the pack does not have its declared size');
    let counted = size;
    if (type === OBJ_OFS_DELTA || type === OBJ_REF_DELTA) {
      // A delta starts with the source size and the result size (varints): the result is what memory holds.
      let p = 0;
      const varint = () => {
        let v = 0;
        let s = 0;
        let b: number;
        do {
          b = out.buffer[p++] ?? 0;
          v += (b & 0x7f) * 2 ** s;
          s += 7;
        } while (b & 0x80 && s < 56);
        return v;
      };
      varint();
      counted = varint();
    }
    total += counted;
    if (total > limits.maxInflatedBytes) throw new PackTooLargeError(`the pack's objects inflate to more than ${limits.maxInflatedBytes} bytes`);
    pos += out.engine.bytesWritten;
  }
  return { objects, inflatedBytes: total };
}

/** A checked pack, indexed and readable. */
export class PackStore {
  private constructor(
    private readonly fs: MemoryFs,
    readonly oids: string[],
  ) {}

  /** Checks the pack against the limits, then indexes it with isomorphic-git. */
  static async open(pack: Buffer, limits: PackLimits): Promise<PackStore> {
    checkPack(pack, limits);
    const fs = new MemoryFs();
    await fs.promises.mkdir('/repo');
    await fs.promises.mkdir('/repo/objects');
    await fs.promises.mkdir('/repo/objects/pack');
    await fs.promises.writeFile('/repo/objects/pack/pack-fetched.pack', pack);
    try {
      const { oids } = await git.indexPack({ fs, dir: '/repo', gitdir: '/repo', filepath: 'objects/pack/pack-fetched.pack' });
      return new PackStore(fs, oids);
    } catch (e) {
      throw new PackFormatError(`could not index the pack (${(e as Error).message})`);
    }
  }

  /** Whether the pack holds the object. */
  has(oid: string): boolean {
    return this.oids.includes(oid);
  }

  async commit(oid: string): Promise<{ tree: string; parents: string[]; committer: { timestamp: number }; author: { timestamp: number } }> {
    const c = await git.readCommit({ fs: this.fs, gitdir: '/repo', oid });
    return { tree: c.commit.tree, parents: c.commit.parent ?? [], committer: c.commit.committer, author: c.commit.author };
  }

  async tag(oid: string): Promise<{ object: string; type: string; tagger: { timestamp: number } }> {
    const t = await git.readTag({ fs: this.fs, gitdir: '/repo', oid });
    return t.tag;
  }

  async tree(oid: string): Promise<Array<{ mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' }>> {
    const t = await git.readTree({ fs: this.fs, gitdir: '/repo', oid });
    return t.tree;
  }

  async blob(oid: string): Promise<Buffer> {
    const b = await git.readBlob({ fs: this.fs, gitdir: '/repo', oid });
    return Buffer.from(b.blob);
  }

  async type(oid: string): Promise<string> {
    const o = await git.readObject({ fs: this.fs, gitdir: '/repo', oid, format: 'parsed' });
    return o.type;
  }
}
