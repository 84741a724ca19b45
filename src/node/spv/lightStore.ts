// What the light node's sync keeps on disk (keys: src/storage/layout.ts, the
// 'L' block): the genesis header, the header chain above it, and the checked
// filter headers by block hash. The wallet's coins share the database under
// their own prefix; nothing here touches them.
import { BlockHeader, HEADER_SIZE, parseHeader, serializeHeader } from '../../core/header.js';
import { type HeaderEntry, parseHeaderEntry, serializeHeaderEntry } from '../../chain/blockIndex.js';
import { type KeyValueStore, WriteBatch } from '../../storage/kvStore.js';
import {
  LIGHT_KIND, lightFilterHeaderKey, lightGenesisKey, lightHeaderKey, lightKindPrefix, parseLightHashKey,
} from '../../storage/layout.js';
import type { HeaderStorePort } from '../headerSyncChain.js';

export class LightStore implements HeaderStorePort {
  constructor(readonly kv: KeyValueStore) {}

  /** The stored genesis header and its network, or null before the first adoption. */
  async genesis(): Promise<{ network: string; header: BlockHeader } | null> {
    const v = await this.kv.get(lightGenesisKey());
    if (!v) return null;
    const n = v[0] ?? 0;
    if (v.length !== 1 + n + HEADER_SIZE) throw new RangeError(`the light genesis entry has ${v.length} bytes, not ${1 + n + HEADER_SIZE}`);
    return { network: Buffer.from(v.subarray(1, 1 + n)).toString('ascii'), header: parseHeader(v.subarray(1 + n)) };
  }

  async writeGenesis(network: string, header: BlockHeader): Promise<void> {
    const name = Buffer.from(network, 'ascii');
    const v = new Uint8Array(1 + name.length + HEADER_SIZE);
    v[0] = name.length;
    v.set(name, 1);
    v.set(serializeHeader(header), 1 + name.length);
    await this.kv.put(lightGenesisKey(), v);
  }

  async headerEntries(): Promise<HeaderEntry[]> {
    const out: HeaderEntry[] = [];
    for await (const [k, v] of this.kv.iterate({ prefix: lightKindPrefix(LIGHT_KIND.header) })) out.push(parseHeaderEntry(parseLightHashKey(k), v));
    return out;
  }

  async writeHeaderEntries(put: HeaderEntry[], del: Uint8Array[] = []): Promise<void> {
    const b = new WriteBatch();
    for (const e of put) b.put(lightHeaderKey(e.hash), serializeHeaderEntry(e));
    for (const h of del) b.del(lightHeaderKey(h));
    if (b.length > 0) await this.kv.write(b.ops);
  }

  /** Filter headers of these blocks, in order (null where none is stored). */
  async filterHeaders(hashes: Uint8Array[]): Promise<Array<Uint8Array | null>> {
    if (hashes.length === 0) return [];
    return this.kv.getMany(hashes.map(lightFilterHeaderKey));
  }

  async writeFilterHeaders(items: Array<{ hash: Uint8Array; header: Uint8Array }>): Promise<void> {
    const b = new WriteBatch();
    for (const i of items) b.put(lightFilterHeaderKey(i.hash), i.header);
    if (b.length > 0) await this.kv.write(b.ops);
  }
}
