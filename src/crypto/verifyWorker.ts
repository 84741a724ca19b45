// Piscina worker: verifies one packed batch with libsecp256k1 (WASM) and
// answers with the index of the first failing record, or -1. A bad signature
// is an answer, not an exception, so a worker never dies over peer data.
import { verifyFast } from './keys.js';
import { RECORD_BYTES, recordAt } from './sigPacking.js';

export interface VerifyTask {
  buffer: ArrayBuffer;
}

export default function verifyBatch(task: VerifyTask): number {
  const bytes = new Uint8Array(task.buffer);
  const count = bytes.length / RECORD_BYTES;
  for (let i = 0; i < count; i++) {
    const c = recordAt(bytes, i);
    if (!verifyFast(c.msg, c.signature, c.pubKey)) return i;
  }
  return -1;
}
