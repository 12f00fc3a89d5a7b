/** Runs the OpenSSL command-line tool for interop tests (never through a shell). */
import { execFileSync } from "node:child_process";

/** Runs `openssl ...args`, returning stdout bytes; throws with stderr on failure. */
export function openssl(args: string[], input?: Uint8Array | string): Buffer {
  return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

/** Runs openssl and reports status and output instead of throwing. */
export function opensslStatus(args: string[], input?: Uint8Array | string): { ok: boolean; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 << 20 });
    return { ok: true, stdout: stdout.toString(), stderr: "" };
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, stdout: String(e.stdout ?? ""), stderr: String(e.stderr ?? "") };
  }
}
