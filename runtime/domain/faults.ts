const seen = new Map<string, number>();

/**
 * Named kill points for the fault-injection tests. A point fires (SIGKILL of this process)
 * only when SHUYU_FAULT names it AND NODE_ENV is "test": both are the owner process's own
 * environment, which no request, job parameter or model can set. Forms (comma-separated):
 * `name` fires the first time the point is reached, `name@n` the n-th time, and
 * `name:action` in the transaction that audits `action` (e.g. `tx.after-commit:egress.request`),
 * which stays precise however many other transactions a command runs first.
 */
export function faultPoint(name: string, actions: readonly string[] = []): void {
  if (process.env.NODE_ENV !== "test" || !process.env.SHUYU_FAULT) return;
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  for (const want of process.env.SHUYU_FAULT.split(",")) {
    const [head, action] = want.split(":");
    const [point, nth] = head.split("@");
    if (point !== name) continue;
    const fires = action !== undefined ? actions.includes(action) : nth === undefined ? n === 1 : Number(nth) === n;
    if (fires) process.kill(process.pid, "SIGKILL");
  }
}
