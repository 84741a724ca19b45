// Piscina worker: verifies one packed batch with libsecp256k1 (the build the
// pool was created with, see keys.ts) and answers with the index of the first failing record, or -1. A bad signature
// is an answer, not an exception, so a worker never dies over peer data.
import { workerData } from 'node:worker_threads';
import { verifierFor, type VerifierBackend } from './keys.js';
import { RECORD_BYTES, recordAt } from './sigPacking.js';

export interface VerifyTask {
  buffer: ArrayBuffer;
}

const verify = verifierFor((workerData as { backend: VerifierBackend }).backend);

export default function verifyBatch(task: VerifyTask): number {
  const bytes = new Uint8Array(task.buffer);
  const count = bytes.length / RECORD_BYTES;
  for (let i = 0; i < count; i++) {
    const c = recordAt(bytes, i);
    if (!verify(c.msg, c.signature, c.pubKey)) return i;
  }
  return -1;
}
