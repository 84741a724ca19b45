// A node as its own OS process (`pubchain startnode`), on regtest, in its own
// data directory, listening on an ephemeral port, optionally on a chain written
// beforehand (nodeDef, from test/helpers/cliProcess.ts). Its JSON
// log is parsed by a NodeLog.
import { cliJson, NodeDef, nodeDef, NodeProcess } from '../helpers/cliProcess.js';
import { hashToHex } from '../../src/core/bytes.js';
import type { Built } from '../helpers/chainFixtures.js';
import { writeChain } from '../helpers/nodeHarness.js';
import { NodeLog } from './nodeLog.js';
import { EV } from '../../src/node/logEvents.js';

export interface LiveNode {
  def: NodeDef;
  proc: NodeProcess;
  log: NodeLog;
  get pid(): number;
}

export { nodeDef };

/**
 * "node ready" is logged once startup is over, signal handlers included: a
 * SIGTERM before it can end the process without a clean shutdown (see
 * docs/reliability.md), so nothing here stops a node before that line.
 */
export const isReady = (r: { msg: string; event?: unknown }): boolean => r.event === EV.nodeReady;

/** Starts `def` as a process and waits until it is ready. */
export async function launchNode(def: NodeDef, args: string[] = [], logKeep?: number): Promise<LiveNode> {
  const proc = NodeProcess.start(def, args);
  const log = new NodeLog(proc.child, logKeep);
  await log.waitFor('node ready', isReady, 0, 30_000);
  return { def, proc, log, get pid() { return proc.child.pid!; } };
}

/** A fresh data directory holding `blocks`, and a node on it. */
export async function startChainNode(root: string, role: string, blocks: Built[], args: string[] = ['--listen-only'], logKeep?: number): Promise<LiveNode> {
  const def = await nodeDef(root, role);
  await writeChain(def.datadir, blocks);
  return launchNode(def, args, logKeep);
}

export interface Tip {
  height: number;
  hash: string;
}

/** The stored tip, read by the CLI: the node must be stopped (the database is locked while it runs). */
export async function storedTip(def: NodeDef): Promise<Tip> {
  const [top] = (await cliJson(def, ['printchain', '--limit', '1'])) as Tip[];
  return { height: top!.height, hash: top!.hash };
}


export const hexOf = (b: Built): string => hashToHex(b.hash);
