// A running node: the chain on RocksDB, the mempool, the peer network, the
// protocol logic between them, and (with a payout address) the miner loop.
// The chain's events drive the mempool here (followChain), as a full node
// wires its chain's 'connect' to its mempool.
import type { Block } from '../core/block.js';
import { bytesKey, hashToHex } from '../core/bytes.js';
import type { NetworkParams } from '../core/params.js';
import { type Tx, txid } from '../core/tx.js';
import { Chain } from '../chain/chain.js';
import { Mempool } from '../mempool/mempool.js';
import { createPoolSearcher } from '../mining/noncePool.js';
import { createSingleThreadSearcher } from '../mining/singleThread.js';
import type { NonceSearcher } from '../wasm/nonceSearch.js';
import { merkleRoot } from '../wasm/merkle.js';
import { availableParallelism } from 'node:os';
import { cachedVerifier } from '../crypto/cachedVerifier.js';
import { SigCache } from '../crypto/sigCache.js';
import { nativeVerifier, verifierBackend } from '../crypto/keys.js';
import type { SignatureVerifier } from '../crypto/verifier.js';
import { createVerifyPool } from '../crypto/verifyPool.js';
import { RocksStore } from '../storage/rocksStore.js';
import { AddressIndexSync } from './addressIndexSync.js';
import { EV } from './logEvents.js';
import { moduleLogger, type Logger } from './logger.js';
import { MinerLoop } from './minerLoop.js';
import { NodeProgress, type ProgressIntervals } from './progress.js';
import { NodeProtocol, type ProtocolOptions } from './protocol.js';
import { startNetwork, type NetworkHandle } from './network.js';

export interface NodeConfig {
  datadir: string;
  params: NetworkParams;
  bind: string;
  port: number;
  /** Peers to keep connected, as host:port. */
  connect: string[];
  minerPubKeyHash?: Uint8Array;
  minTxs: number;
  mineAlways: boolean;
  threads: number;
  genesisPin?: Uint8Array;
  log: Logger;
  stallMs?: number;
  handshakeTimeoutMs?: number;
  banMs?: number;
  /** Show sync as a progress bar on stderr (a terminal with pretty logs); log lines otherwise. */
  progressBar?: boolean;
  progressIntervals?: Partial<ProgressIntervals>;
  /** Mempool limit in bytes (default 32 MiB). */
  mempoolBytes?: number;
  /** --assumevalid: this block and its ancestors connect without signature checks. */
  assumeValid?: Uint8Array;
  /** --dbcache: MiB for RocksDB's block cache and memtables. */
  dbcacheMiB?: number;
  /** Signature-verification workers (default: the cores, at most 4). */
  verifyThreads?: number;
  /** BIP157/158 block filters, built and served (default: on; --no-blockfilterindex). */
  blockFilterIndex?: boolean;
  /** Blocks behind the best known height at which the address index is deferred (default 1000; 0: never). */
  addressIndexDeferGap?: number;
  /** How often the address-index rule is checked, and the grace after start before a build (tests shorten them). */
  addressIndexCheckMs?: number;
  addressIndexGraceMs?: number;
  /** Headers-first sync settings (src/node/headerSync.ts); defaults there. */
  sync?: Pick<ProtocolOptions, 'headersFirst' | 'minimumChainWork' | 'maxHeldHeadersPerPeer' | 'window'>;
}

const SIG_CACHE_ENTRIES = 100_000;

export class PubchainNode {
  private constructor(
    readonly config: NodeConfig,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly protocol: NodeProtocol,
    readonly network: NetworkHandle,
    readonly miner: MinerLoop | null,
    private readonly searcher: NonceSearcher | null,
    private readonly verifyPool: SignatureVerifier,
    private readonly progress: NodeProgress,
    private readonly addressIndexSync: AddressIndexSync,
    private readonly unfollow: () => void,
    private readonly txListeners: Set<() => void>,
  ) {}

  /** Calls `fn` whenever the mempool accepts a transaction (a Stratum server refreshes its jobs); returns the unsubscribe. */
  onAcceptedTx(fn: () => void): () => void {
    this.txListeners.add(fn);
    return () => { this.txListeners.delete(fn); };
  }

  static async start(config: NodeConfig): Promise<PubchainNode> {
    const { params, log } = config;
    // A bad PUBCHAIN_VERIFIER fails here, before anything is opened.
    const backend = verifierBackend();
    const store = await RocksStore.open(`${config.datadir}/chain`, { dbcacheMiB: config.dbcacheMiB });
    // One verifier for chain and mempool: a signature checked when its transaction
    // entered the mempool is a cache hit when the block carrying it connects.
    const verifyPool = createVerifyPool({ threads: config.verifyThreads ?? Math.min(availableParallelism(), 4), backend });
    const nativeError = nativeVerifier().error;
    log.info({ verifier: backend, threads: verifyPool.threads, ...(backend === 'wasm' && nativeError ? { nativeUnavailable: nativeError } : {}) }, 'signature verifier');
    const verifySigs = cachedVerifier(verifyPool.verify, new SigCache(SIG_CACHE_ENTRIES));
    if (config.assumeValid) log.warn({ assumeValid: hashToHex(config.assumeValid) }, 'assumevalid: signatures of this block and its ancestors will not be verified');
    let chain: Chain;
    try {
      chain = await Chain.open(store, params, { merkleRoot, verifySigs, blockFilters: config.blockFilterIndex !== false, assumeValid: config.assumeValid ?? null });
    } catch (err) {
      await verifyPool.close();
      throw err;
    }
    const mempool = new Mempool(chain, { verifySigs, maxBytes: config.mempoolBytes });
    let miner: MinerLoop | null = null;
    let searcher: NonceSearcher | null = null;
    const peers: NetworkHandle['peers'] = () => network.peers();
    const txListeners = new Set<() => void>();
    // Before the protocol's own 'tip' listener: transactions of a reorg start back into the mempool first.
    const unfollow = followChain(chain, mempool, {
      log: moduleLogger(log, 'sync'), chainLog: moduleLogger(log, 'chain'), announceReturned: (txs) => protocol.txRelay.announceReturned(txs),
    });
    const protocol = new NodeProtocol({
      params, chain, mempool, log: moduleLogger(log, 'sync'), chainLog: moduleLogger(log, 'chain'), mempoolLog: moduleLogger(log, 'mempool'), genesisPin: config.genesisPin,
      stallMs: config.stallMs, peers: () => peers(), ...config.sync,
      onTip: () => miner?.poke(true),
      onTx: () => { miner?.poke(false); for (const fn of txListeners) fn(); },
    });
    let network: NetworkHandle;
    try {
      network = await startNetwork({
        params, chain, protocol, log: moduleLogger(log, 'p2p'),
        bind: config.bind, port: config.port, connect: config.connect,
        genesisPin: config.genesisPin, handshakeTimeoutMs: config.handshakeTimeoutMs, banMs: config.banMs,
      });
    } catch (err) {
      protocol.close();
      unfollow();
      await chain.close();
      await verifyPool.close();
      throw err;
    }
    if (config.minerPubKeyHash) {
      searcher = config.threads > 1 ? createPoolSearcher({ threads: config.threads }) : createSingleThreadSearcher();
      miner = new MinerLoop({
        chain, mempool, params, searcher, payoutPubKeyHash: config.minerPubKeyHash,
        minTxs: config.minTxs, mineAlways: config.mineAlways, log: moduleLogger(log, 'miner'),
        onBlock: async (block) => { await protocol.submitMinedBlock(block); },
      });
      miner.start();
    }
    const progress = new NodeProgress({ chain, bestKnownHeight: () => protocol.bestKnownHeight, miner, log: moduleLogger(log, 'sync'), minerLog: moduleLogger(log, 'miner'), bar: config.progressBar === true, intervals: config.progressIntervals });
    progress.start();
    const addressIndexSync = new AddressIndexSync({ chain, bestKnownHeight: () => protocol.bestKnownHeight, log: moduleLogger(log, 'chain'), deferGap: config.addressIndexDeferGap,
      checkMs: config.addressIndexCheckMs, graceMs: config.addressIndexGraceMs });
    addressIndexSync.start();
    const tip = chain.tip;
    moduleLogger(log, 'chain').info({ ...(tip ? { event: EV.chainLoaded } : {}), height: tip?.height ?? 0, tip: tip ? hashToHex(tip.hash) : null, network: params.name }, tip ? 'chain loaded' : 'no chain yet: will adopt the genesis of the first peer');
    if (tip) moduleLogger(log, 'chain').info({ event: EV.newTip, height: tip.height, hash: hashToHex(tip.hash) }, 'new tip');
    return new PubchainNode(config, chain, mempool, protocol, network, miner, searcher, verifyPool, progress, addressIndexSync, unfollow, txListeners);
  }

  /** Stops taking work, cancels mining, lets the block in flight finish, closes the database. */
  async stop(): Promise<void> {
    this.progress.stop();
    this.addressIndexSync.stop();
    await this.miner?.stop();
    await this.network.close();
    // Messages already received are finished (or given up after a bound) before the database closes.
    await this.network.idle(3000);
    this.protocol.close();
    this.unfollow();
    await this.searcher?.close();
    await this.chain.close();
    await this.verifyPool.close();
  }
}

/**
 * The mempool follows the chain: a connected block's transactions leave it, a
 * disconnected block's come back once the new tip is in. Every way the tip
 * moves (sync, our miner, a reorg, even a branch that fails half-way) is
 * handled alike. Returns the function that stops following.
 */
function followChain(chain: Chain, mempool: Mempool, o: { log: Logger; chainLog: Logger; announceReturned: (txs: Tx[]) => void }): () => void {
  let disconnected: Tx[] = [];
  const onConnect = (block: Block): void => {
    // An empty pool has nothing to lose (during sync it always is): skip hashing every transaction of the block.
    if (mempool.size > 0) mempool.removeForBlock(block);
    // A branch that failed part-way reconnects the blocks it disconnected: their
    // transactions are confirmed again, not on their way back to the mempool.
    if (disconnected.length > 0) {
      const again = new Set(block.txs.map((tx) => bytesKey(txid(tx))));
      disconnected = disconnected.filter((tx) => !again.has(bytesKey(txid(tx))));
    }
  };
  const onDisconnect = (block: Block): void => {
    for (const tx of block.txs.slice(1)) disconnected.push(tx);
  };
  const onTip = (): void => {
    if (disconnected.length === 0) return;
    const back = disconnected.splice(0);
    o.chainLog.info({ event: EV.reorgReturnedTxs, transactions: back.length }, 'reorganised: returning transactions to the mempool');
    void mempool.readdDisconnected(back).then(
      () => o.announceReturned(back),
      (err: unknown) => o.log.error({ err }, 'could not return transactions to the mempool'),
    );
  };
  chain.on('connect', onConnect);
  chain.on('disconnect', onDisconnect);
  chain.on('tip', onTip);
  return () => {
    chain.off('connect', onConnect);
    chain.off('disconnect', onDisconnect);
    chain.off('tip', onTip);
  };
}
