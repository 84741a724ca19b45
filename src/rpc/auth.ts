// HTTP Basic authentication against the accepted credentials (the cookie, and
// --rpc-user/--rpc-password when given). Both sides are hashed before a
// constant-time compare, so neither the length nor the first differing byte of
// a guess shows in the response time; every candidate is always compared.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credentials } from './cookie.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class BasicAuth {
  private readonly accepted: Buffer[];

  constructor(credentials: Credentials[]) {
    if (credentials.length === 0) throw new RangeError('RPC authentication needs at least one credential');
    for (const c of credentials) {
      if (c.user.includes(':')) throw new RangeError('an RPC user name cannot contain ":"');
      if (c.password.length === 0) throw new RangeError('an RPC password cannot be empty');
    }
    this.accepted = credentials.map((c) => digest(`${c.user}:${c.password}`));
  }

  /** True when the Authorization header carries one of the accepted user:password pairs. */
  check(header: string | undefined): boolean {
    const presented = parseBasic(header);
    if (presented === null) return false;
    const d = digest(presented);
    let ok = false;
    for (const a of this.accepted) ok = timingSafeEqual(a, d) || ok;
    return ok;
  }
}

/** "user:password" from a Basic header, or null when there is none or it is malformed. */
export function parseBasic(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : null;
}

export { basicHeader } from './basicAuth.js';
