/** What each rule means, in the words every output uses (SARIF rule help, docs). */
import type { RuleId } from '../findings.js';

/** Short and full descriptions of a rule, plus what to do about it. */
export interface RuleDoc {
  name: string;
  short: string;
  help: string;
}

/** One entry per rule id; SARIF's tool.driver.rules is built from this. */
export const RULE_DOCS: Record<RuleId, RuleDoc> = {
  typosquat: {
    name: 'TyposquatModule',
    short: 'Module path looks like a popular or already-used module',
    help: 'The added module path imitates another module (one-letter changes, look-alike owners, copied repo names). Check that you meant this module; if not, require the real one.',
  },
  'tag-moved': {
    name: 'TagMoved',
    short: 'The origin tag now points at a different commit than the proxy recorded',
    help: 'The module proxy cached this version from one commit, and the tag at the origin points at another today. Builds use the proxy copy, which reviewers of the repo cannot see. Pin a version whose tag was never moved or vendor-review the proxy content.',
  },
  'tag-missing': {
    name: 'TagMissing',
    short: 'The version is served by the proxy but its tag is gone at the origin',
    help: 'The proxy still serves this version, but the origin no longer has the tag, so the code cannot be reviewed at its source. Prefer a version that exists at the origin.',
  },
  'content-diverged': {
    name: 'ContentDiverged',
    short: 'The proxy serves different files than the origin holds for this version',
    help: 'The module zip from the proxy differs from the module built from the origin at the tag: the code you build is not the code you can read. Read the differing files before using this version.',
  },
  'gosum-mismatch': {
    name: 'GoSumMismatch',
    short: 'go.sum does not match what the proxy serves',
    help: 'The hash recorded in go.sum differs from the proxy content. Either go.sum was edited by hand or the content changed: find out which before merging.',
  },
  'sumdb-mismatch': {
    name: 'SumDbMismatch',
    short: 'The checksum database disagrees with the proxy',
    help: 'The checksum database records a different hash for this version than the proxy serves. Treat the proxy content as untrusted.',
  },
  'proxy-blocked': {
    name: 'ProxyBlocked',
    short: 'The module proxy refuses to serve this version',
    help: 'The proxy answered that it will not serve this module version, which public proxies do for modules taken down as malicious. Remove the dependency.',
  },
  unverifiable: {
    name: 'Unverifiable',
    short: 'The version could not be verified against its origin',
    help: 'ModWarden could not compare the proxy content with the origin (private module, unsupported host, network failure, size limits). Review the dependency by hand or allow-list it in .github/modwarden.yml.',
  },
  'parse-error': {
    name: 'ParseError',
    short: 'A go.mod, go.sum or go.work file could not be parsed',
    help: 'The Go command would reject this file too. Fix the syntax error at the given line.',
  },
  'config-error': {
    name: 'ConfigError',
    short: 'The ModWarden configuration is invalid',
    help: 'Fix the named key in .github/modwarden.yml.',
  },
};
