// Typed errors. A ValidationError carries a stable code (tests and peers' reject
// messages use it) and a ban score (how much a peer that sent it is penalised).

export class PubchainError extends Error {
  constructor(readonly code: string, message: string, readonly meta: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends PubchainError {
  constructor(code: string, message: string, readonly banScore = 100, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}
