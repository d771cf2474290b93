/**
 * A GitLab-hosted origin: refs, commits and trees over git smart HTTP like any host, but the files of a
 * commit from GitLab's archive endpoint (`<repo>/-/archive/<sha>/<name>-<sha>.tar.gz`), one gzip'd
 * tarball instead of a pack: cheaper for the server and for us. Same caps as GitHub tarballs.
 */
import { Readable } from 'node:stream';
import { TooLargeError } from '../http.js';
import type { TarEntry, TarSummary } from '../origin-reader.js';
import { readTarGz, TarballTooLargeError } from '../tarball.js';
import { GitOriginReader } from './origin.js';

const SHA_RE = /^[0-9a-f]{40}$/;

export class GitLabOriginReader extends GitOriginReader {
  override async streamTarball(
    _owner: string,
    _repo: string,
    sha: string,
    onEntry: (entry: TarEntry) => void,
    options: { keepContent?: (path: string, size: number) => boolean; signal?: AbortSignal } = {},
  ): Promise<TarSummary> {
    if (!SHA_RE.test(sha)) throw new Error(`${JSON.stringify(sha)} is not a full commit id`);
    const name = this.url.replace(/\/+$/, '').replace(/\.git$/, '').split('/').pop() ?? 'archive';
    const url = `${this.url.replace(/\.git$/, '')}/-/archive/${sha}/${encodeURIComponent(name)}-${sha}.tar.gz`;
    const maxBytes = this.options.maxPackBytes ?? 200 << 20;
    const label = `archive of ${this.options.label}@${sha.slice(0, 12)}`;
    let body: Buffer;
    try {
      body = (await this.options.http.get(url, { maxBytes, ...(options.signal ? { signal: options.signal } : {}) })).body;
    } catch (e) {
      if (e instanceof TooLargeError) throw new TarballTooLargeError(maxBytes, 'compressed bytes', label);
      throw e;
    }
    return readTarGz(Readable.from([body]), { maxBytes, maxUncompressedBytes: this.options.maxInflatedBytes, keepContent: options.keepContent, label }, onEntry);
  }
}
