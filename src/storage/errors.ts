// Storage failures the node reports to a person: each has a stable code and a
// one-line message that says what to do.
import { PubchainError } from '../core/errors.js';

/** Another process (a running node, or a CLI command) has this database open. */
export class DatabaseLockedError extends PubchainError {
  constructor(readonly dir: string) {
    super('db-locked', `the database at ${dir} is in use by another pubchain process (is a node running?)`, { dir });
  }
}

export class StorageError extends PubchainError {
  constructor(code: 'db-open' | 'db-closed' | 'db-corrupt' | 'db-io' | 'db-version', message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}
