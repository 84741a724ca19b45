// Child process for the light wallet's crash test. Run as a script:
//   connect-loop <dir>   applies lightScript to the LightCoins store in a RocksDB at <dir>; every
//                        seventh block takes the last two off and puts them back, and at the end
//                        it goes back to the middle and on again, printing "height <n>" after each
//                        block, until killed.
// Without a mode (as when the test runner loads every file under test/) it does nothing.
import { RocksStore } from '../../src/storage/rocksStore.js';
import { LightCoins } from '../../src/wallet/lightCoins.js';
import { lightScript, WALLET } from './lightScript.js';

export const SCRIPT_BLOCKS = 400;
const LIFETIME_MS = 60_000;
const MAX_ROUNDS = 1_000_000;

async function connectLoop(dir: string): Promise<void> {
  setTimeout(() => process.exit(0), LIFETIME_MS).unref();
  const chain = lightScript(SCRIPT_BLOCKS);
  const coins = await LightCoins.open(await RocksStore.open(dir), [WALLET.pkh]);
  process.stdout.write('ready\n');
  let next = ((await coins.lastApplied())?.height ?? 0) + 1;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (next > SCRIPT_BLOCKS) {
      for (; next > SCRIPT_BLOCKS / 2; next--) {
        await coins.disconnect(chain[next - 2]!);
        process.stdout.write(`height ${next - 2}\n`);
      }
      continue;
    }
    await coins.connect(chain[next - 1]!);
    if (round % 7 === 6 && next > 3) {
      await coins.disconnect(chain[next - 1]!);
      await coins.disconnect(chain[next - 2]!);
      await coins.connect(chain[next - 2]!);
      await coins.connect(chain[next - 1]!);
    }
    process.stdout.write(`height ${next}\n`);
    next++;
  }
  await coins.close();
}

const [mode, dir] = process.argv.slice(2);
if (mode === 'connect-loop' && dir) await connectLoop(dir);
