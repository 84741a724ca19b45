// Spawning a test child (dist/test/helpers/storageChild.js) and waiting for its lines, with bounds.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STORAGE_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'storageChild.js');

export function spawnChild(args: string[]): ChildProcess {
  return spawn(process.execPath, [STORAGE_CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onErr);
      child.off('exit', onExit);
      fn();
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      const hit = lines.find((l) => pattern.test(l));
      if (hit !== undefined) finish(() => resolve(hit));
    };
    const onErr = (chunk: Buffer): void => { stderr += chunk.toString(); };
    const onExit = (code: number | null): void => finish(() => reject(new Error(`child exited (${code}) before printing ${pattern}: ${stderr.slice(0, 2000)}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`child printed no ${pattern} within ${timeoutMs} ms: ${stderr.slice(0, 2000)}`))), timeoutMs);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onErr);
    child.on('exit', onExit);
  });
}

/** SIGKILLs the child and waits (bounded) for it to be gone. */
export async function killHard(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not exit after SIGKILL')), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
  });
  child.kill('SIGKILL');
  await gone;
}
