/**
 * The messages between hash-pool.ts and its workers (hash-worker.ts): plain data, as postMessage clones it.
 * Errors cross as data too, because a structured clone keeps neither ZipRejectedError's class nor its fields.
 */
import { ZipRejectedError, type EntryDigest, type EntryTask } from './entry-hash.js';

/** Hash these entries, in order, of the zip open as `fd` (`zipSize` bytes). */
export interface BatchRequest {
  id: number;
  fd: number;
  zipSize: number;
  tasks: EntryTask[];
}

/** The digests of the entries hashed, and the first failure, which ended the run. */
export interface BatchReply {
  id: number;
  digests: EntryDigest[];
  failure?: { index: number; error: WireError };
}

/** The worker has loaded and takes requests. */
export interface ReadyMessage {
  ready: true;
}

/** A refusal (ZipRejectedError) or any other error, as data. */
export type WireError = { rejected: true; entry: string | null; reason: string } | { rejected: false; message: string };

export function toWire(e: unknown): WireError {
  if (e instanceof ZipRejectedError) return { rejected: true, entry: e.entry, reason: e.reason };
  return { rejected: false, message: e instanceof Error ? e.message : String(e) };
}

export function fromWire(w: WireError): Error {
  return w.rejected ? new ZipRejectedError(w.entry, w.reason) : new Error(`hash worker: ${w.message}`);
}
