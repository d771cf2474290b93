/** Host classes of module paths (issue 13's split of the real graph), judged from the path alone. */
import { classifyModuleHost, countHosts } from '../../scripts/module-hosts.js';

describe('classifyModuleHost', () => {
  it.each([
    ['github.com/spf13/cobra', 'github', 'github.com', 'github.com/spf13/cobra'],
    ['github.com/Azure/go-autorest/autorest/v14', 'github', 'github.com', 'github.com/Azure/go-autorest'],
    ['gitlab.com/gitlab-org/api/client-go', 'known-host', 'gitlab.com', null], // subgroups: root unknown from the path
    ['bitbucket.org/creachadair/shell', 'known-host', 'bitbucket.org', 'bitbucket.org/creachadair/shell'],
    ['codeberg.org/miekg/dns', 'known-host', 'codeberg.org', 'codeberg.org/miekg/dns'],
    ['golang.org/x/crypto', 'known-host', 'golang.org', 'go.googlesource.com/crypto'],
    ['golang.org/x/tools/gopls', 'known-host', 'golang.org', 'go.googlesource.com/tools'],
    ['gopkg.in/yaml.v3', 'known-host', 'gopkg.in', 'github.com/go-yaml/yaml'],
    ['gopkg.in/src-d/go-git.v4', 'known-host', 'gopkg.in', 'github.com/src-d/go-git'],
    ['gopkg.in/check.v1', 'known-host', 'gopkg.in', 'github.com/go-check/check'],
    ['launchpad.net/gocheck', 'known-host', 'launchpad.net', null],
    ['k8s.io/client-go', 'vanity', 'k8s.io', null],
    ['sigs.k8s.io/yaml', 'vanity', 'sigs.k8s.io', null],
    ['go.uber.org/zap', 'vanity', 'go.uber.org', null],
    ['google.golang.org/grpc', 'vanity', 'google.golang.org', null],
    ['go.etcd.io/bbolt', 'vanity', 'go.etcd.io', null],
    ['golang.org/toolchain', 'vanity', 'golang.org', null],
    ['GitHub.com/Foo/bar', 'github', 'github.com', 'github.com/Foo/bar'],
    ['gopkg.in/yaml', 'invalid', 'gopkg.in', null],
    ['mymodule/internal', 'invalid', 'mymodule', null],
  ])('%s -> %s', (path, group, host, repository) => {
    expect(classifyModuleHost(path)).toEqual({ group, host, repository });
  });
});

describe('countHosts', () => {
  it('counts modules, or requirements when weighted, by group and host', () => {
    const modules = [
      { module: 'github.com/a/b', weight: 5 },
      { module: 'golang.org/x/net', weight: 3 },
      { module: 'k8s.io/api', weight: 2 },
      { module: 'github.com/c/d', weight: 1 },
    ];
    const unweighted = countHosts(modules.map(({ module }) => ({ module })));
    expect(unweighted.total).toBe(4);
    expect(unweighted.byGroup).toEqual({ github: 2, 'known-host': 1, vanity: 1, invalid: 0 });
    const weighted = countHosts(modules);
    expect(weighted.total).toBe(11);
    expect(weighted.byGroup).toEqual({ github: 6, 'known-host': 3, vanity: 2, invalid: 0 });
    expect(weighted.byHost.map((h) => [h.host, h.count])).toEqual([
      ['github.com', 6],
      ['golang.org', 3],
      ['k8s.io', 2],
    ]);
  });
});
