const seen = new Map<string, number>();

/**
 * Named kill points for the fault-injection tests. A point fires (SIGKILL of this process)
 * only when SHUYU_FAULT names it AND NODE_ENV is "test": both are the owner process's own
 * environment, which no request, job parameter or model can set. `name@n` fires on the
 * n-th time the point is reached (e.g. the commit of a command's second transaction).
 */
export function faultPoint(name: string): void {
  if (process.env.NODE_ENV !== "test" || !process.env.SHUYU_FAULT) return;
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  for (const want of process.env.SHUYU_FAULT.split(",")) {
    const [point, nth] = want.split("@");
    if (point === name && (nth === undefined || Number(nth) === n)) process.kill(process.pid, "SIGKILL");
  }
}
