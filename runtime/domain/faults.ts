/**
 * Named kill points for the fault-injection tests. A point fires (SIGKILL of this process)
 * only when SHUYU_FAULT names it AND NODE_ENV is "test": both are the owner process's own
 * environment, which no request, job parameter or model can set.
 */
export function faultPoint(name: string): void {
  if (process.env.NODE_ENV !== "test" || !process.env.SHUYU_FAULT) return;
  if (process.env.SHUYU_FAULT.split(",").includes(name)) process.kill(process.pid, "SIGKILL");
}
