// The client's side of HTTP Basic authentication, apart from the server's checks
// (auth.ts) so that a CLI call through a running node does not load node:crypto.
import type { Credentials } from './cookie.js';

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.user}:${c.password}`, 'utf8').toString('base64')}`;
}
