/**
 * `/ignore` decisions live in the bot's own reply comment on the PR, as a hidden marker. Only comments
 * written by this app's bot account are trusted when reading them back, so nobody can forge one by
 * pasting the marker into their own comment. Permanent exceptions belong in `.github/modwarden.yml`.
 */
import type { IgnoreEntry } from '../config/repo.js';

const MARKER = /<!-- modwarden:ignore ([A-Za-z0-9_-]+) -->/g;

/** The hidden marker recording one `/ignore` (base64url JSON, so no text can close the comment early). */
export function ignoreMarker(entry: { module: string; version: string; reason: string; by: string }): string {
  const json = JSON.stringify({ module: entry.module, version: entry.version, reason: entry.reason, by: entry.by });
  return `<!-- modwarden:ignore ${Buffer.from(json, 'utf8').toString('base64url')} -->`;
}

/** A PR comment as the issues API returns it (only what we read). */
export interface CommentLike {
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

/** Ignores recorded in comments written by `botLogin` (others are never trusted). */
export function readIgnores(comments: readonly CommentLike[], botLogin: string | null): IgnoreEntry[] {
  if (!botLogin) return [];
  const out: IgnoreEntry[] = [];
  for (const c of comments) {
    if (c.user?.login !== botLogin || !c.body) continue;
    for (const m of c.body.matchAll(MARKER)) {
      try {
        const v = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
        if (typeof v.module === 'string' && typeof v.version === 'string' && typeof v.reason === 'string' && typeof v.by === 'string') {
          out.push({ module: v.module, version: v.version, reason: v.reason, by: v.by, rules: null });
        }
      } catch {
        /* a damaged marker is ignored, never trusted */
      }
    }
  }
  return out;
}
