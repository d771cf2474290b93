/** The git smart-HTTP reader against real repositories served by `git http-backend` on 127.0.0.1. */
import { GitOriginReader } from '../../../src/sources/git/origin.js';
import { HttpClient } from '../../../src/sources/http.js';
import { OriginPolicy } from '../../../src/sources/origin-guard.js';
import type { TarEntry } from '../../../src/sources/origin-reader.js';
import { makeFixtureRepo, startGitServer, type GitServer } from '../../helpers/git-server.js';

let server: GitServer;
afterEach(async () => server?.close());

function reader(name: string): GitOriginReader {
  const policy = new OriginPolicy({ allow: '127.0.0.1', goinsecure: '127.0.0.1:*' });
  const http = new HttpClient({ fetch: policy.fetch(), retries: 0 });
  return new GitOriginReader(`${server.url}/git/${name}`, { http, label: `127.0.0.1/${name}` });
}

describe('GitOriginReader', () => {
  it('reads tags, commits, trees and files over protocol v2, and relates commits', async () => {
    server = await startGitServer();
    const repo = makeFixtureRepo(server.root, 'lib');
    const c1 = repo.commit({ 'go.mod': 'module example.test/lib\n', 'lib.go': 'package lib\n', 'sub/x.txt': 'x\n' }, '2024-01-02T03:04:05Z', 'one');
    const c2 = repo.commit({ 'go.mod': 'module example.test/lib\n', 'lib.go': 'package lib\n\nconst V = 2\n' }, '2024-01-03T00:00:00Z', 'two');
    const side = repo.commit({ 'go.mod': 'module example.test/lib\n', 'lib.go': 'package lib // side\n' }, '2024-01-04T00:00:00Z', 'side', c1);
    const orphan = repo.commit({ 'other.go': 'package other\n' }, '2024-01-05T00:00:00Z', 'orphan', null);
    repo.tag('v1.0.0', c1);
    repo.tag('v1.1.0', c2, '2024-01-06T00:00:00Z');
    const r = reader('lib');

    await expect(r.getRepo('', '')).resolves.toMatchObject({ fullName: '127.0.0.1/lib' });
    await expect(r.resolveTag('', '', 'v1.0.0')).resolves.toEqual({ tag: 'v1.0.0', commit: c1, annotated: false });
    await expect(r.resolveTag('', '', 'v1.1.0')).resolves.toMatchObject({ commit: c2, annotated: true, taggerDate: '2024-01-06T00:00:00Z' });
    await expect(r.resolveTag('', '', 'v9.9.9')).resolves.toBeNull();
    await expect(r.getCommit('', '', c1)).resolves.toMatchObject({ sha: c1, committerDate: '2024-01-02T03:04:05Z' });
    await expect(r.getCommit('', '', 'f'.repeat(40))).resolves.toBeNull();

    const tree = await r.getTree('', '', c1);
    expect(tree?.entries.find((e) => e.path === 'lib.go')).toMatchObject({ type: 'blob', mode: '100644', sha: repo.blobId(c1, 'lib.go') });
    expect(tree?.entries.find((e) => e.path === 'sub')).toMatchObject({ type: 'tree' });

    const files: TarEntry[] = [];
    await r.streamTarball('', '', c1, (e) => files.push(e), { keepContent: (p) => p === 'go.mod' });
    expect(files.filter((e) => e.type === 'file').map((e) => e.path).sort()).toEqual(['go.mod', 'lib.go', 'sub/x.txt']);
    expect(files.find((e) => e.path === 'go.mod')?.content?.toString()).toBe('module example.test/lib\n');

    await expect(r.compareCommits('', '', c1, c2)).resolves.toBe('descendant');
    await expect(r.compareCommits('', '', c2, c1)).resolves.toBe('ancestor');
    await expect(r.compareCommits('', '', c2, side)).resolves.toBe('sibling');
    await expect(r.compareCommits('', '', c1, orphan)).resolves.toBe('unrelated');
  });

  it('says a repository that does not exist is gone', async () => {
    server = await startGitServer();
    await expect(reader('nope').getRepo('', '')).rejects.toMatchObject({ name: 'RepoNotFoundError' });
  });
});
