/** Seconds of the fastest of `rounds` runs of op: on a shared machine the least disturbed run is the one to compare. */
export async function timeIt(rounds: number, op: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await op();
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000;
}
