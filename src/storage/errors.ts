// Storage failures the node reports to a person: each has a stable code and a
// one-line message that says what to do.
import { PubchainError } from '../core/errors.js';

/** Another process (a running node, or a CLI command) has this database open. */
export class DatabaseLockedError extends PubchainError {
  constructor(readonly dir: string) {
    super('db-locked', `the database at ${dir} is in use by another pubchain process (is a node running?)`, { dir });
  }
}

export type StorageCode = 'db-open' | 'db-closed' | 'db-corrupt' | 'db-io' | 'db-version' | 'disk-full';

export class StorageError extends PubchainError {
  constructor(code: StorageCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

/** RocksDB's own words for a full disk and for damaged files (its Status::Corruption). */
const DISK_FULL = /No space left on device|ENOSPC|disk quota exceeded/i;
const CORRUPT = /Corruption:|checksum mismatch|bad magic number|truncated block/i;

/** The full text of a RocksDB error with its causes (rocksdb-native wraps the status in `cause`). */
function fullText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) parts.push(e instanceof Error ? e.message : String(e));
  return parts.join(': ');
}

/**
 * Names a failure of the database at `dir` for a person: a full disk and a damaged
 * file each get a typed code and one line saying what to do; anything else keeps
 * RocksDB's words under `fallback`. A StorageError passes through unchanged.
 */
export function storageFailure(err: unknown, dir: string, fallback: StorageCode, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  const text = fullText(err);
  if (DISK_FULL.test(text)) {
    return new StorageError('disk-full', `the disk is full: no space left for the database at ${dir}; free space and start again`, { dir });
  }
  const corrupt = CORRUPT.exec(text);
  if (corrupt) {
    const what = text.slice(text.indexOf(corrupt[0])).split('\n')[0]!.slice(0, 200);
    return new StorageError('db-corrupt', `the database at ${dir} is damaged (${what}): run \`pubchain reindexutxo\`; if that fails too, delete ${dir} and start the node to sync again from peers`, { dir });
  }
  return new StorageError(fallback, `${doing} the database at ${dir} failed: ${text.split('\n')[0]}`, { dir });
}
