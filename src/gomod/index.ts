/** The go.mod engine in one import: module paths/versions, go.mod/go.sum/go.work parsers, requirement diff. */
export * from './module.js';
export * from './modfile.js';
export * from './gosum.js';
export * from './gowork.js';
export * from './diff.js';
export type { ModuleVersion, ChangeKind, RequirementChange } from './types.js';
export { goQuote, goUnquote } from './quote.js';
