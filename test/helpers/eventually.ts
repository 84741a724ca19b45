// The one bounded poll for tests: waits until a condition holds, and fails
// with the thing it waited for instead of hanging.
/** Polls `pred` (sync or async) every `everyMs` until it holds; throws after `ms`. */
export async function eventually(what: string, pred: () => boolean | Promise<boolean>, ms = 20_000, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
