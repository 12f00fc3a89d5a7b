import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { registerCryptoCommands } from "../../runtime/cli/commands/crypto.js";
import { openssl, opensslStatus } from "./openssl-cli.js";

const dir = mkdtempSync(join(tmpdir(), "shuyu-cli-crypto-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

/** Runs `shuyu crypto ...` in process through the real command tree; returns exit code and output. */
async function shuyu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command("shuyu").option("--json").exitOverride().configureOutput({ writeErr: () => undefined });
  registerCryptoCommands(program);
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  process.exitCode = 0;
  try {
    await program.parseAsync(["node", "shuyu", ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr };
}

const data = p("data.bin");
writeFileSync(data, Buffer.from("release package manifest\n".repeat(1000)));
const ID = "1234567812345678";

describe("shuyu crypto CLI", () => {
  it("keygen writes a PKCS#8 key (mode 0600) and SPKI public key that `openssl pkey` reads", async () => {
    const r = await shuyu("--json", "crypto", "keygen", "--out", p("k1.pem"), "--pub", p("k1.pub"));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.id).toMatch(/^[0-9a-f]{16}$/);
    expect(statSync(p("k1.pem")).mode & 0o777).toBe(0o600);
    const derived = openssl(["pkey", "-in", p("k1.pem"), "-pubout"]).toString();
    expect(derived).toBe(readFileSync(p("k1.pub"), "utf8"));
    expect(openssl(["pkey", "-in", p("k1.pem"), "-noout", "-text"]).toString()).toMatch(/ASN1 OID: SM2/);
  });

  it("keygen --passphrase-env writes an encrypted key that `openssl pkey -passin env:` opens", async () => {
    process.env.SHUYU_TEST_PASS = "pass 口令";
    const r = await shuyu("crypto", "keygen", "--out", p("k2.pem"), "--pub", p("k2.pub"), "--passphrase-env", "SHUYU_TEST_PASS");
    expect(r.code).toBe(0);
    expect(readFileSync(p("k2.pem"), "utf8")).toContain("ENCRYPTED PRIVATE KEY");
    expect(opensslStatus(["pkey", "-in", p("k2.pem"), "-passin", "env:SHUYU_TEST_PASS", "-noout"]).ok).toBe(true);
    expect(opensslStatus(["pkey", "-in", p("k2.pem"), "-passin", "pass:wrong", "-noout"]).ok).toBe(false);
    // and signing with it needs the passphrase
    const missing = await shuyu("--json", "crypto", "sign", "--key", p("k2.pem"), "--out", p("s2.sig"), data);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe("PASSPHRASE_REQUIRED");
    const ok = await shuyu("crypto", "sign", "--key", p("k2.pem"), "--passphrase-env", "SHUYU_TEST_PASS", "--out", p("s2.sig"), data);
    expect(ok.code).toBe(0);
    expect((await shuyu("crypto", "verify", "--pub", p("k2.pub"), "--sig", p("s2.sig"), data)).code).toBe(0);
  });

  it("keygen refuses to overwrite an existing key", async () => {
    writeFileSync(p("exists.pem"), "keep me");
    const r = await shuyu("crypto", "keygen", "--out", p("exists.pem"), "--pub", p("exists.pub"));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^shuyu: FILE_EXISTS: /);
    expect(readFileSync(p("exists.pem"), "utf8")).toBe("keep me");
    expect(existsSync(p("exists.pub"))).toBe(false);
  });

  it("sign produces a DER signature that `openssl pkeyutl -verify -digest sm3 -pkeyopt distid` accepts", async () => {
    await shuyu("crypto", "keygen", "--out", p("k3.pem"), "--pub", p("k3.pub"));
    expect((await shuyu("crypto", "sign", "--key", p("k3.pem"), "--out", p("s3.sig"), data)).code).toBe(0);
    const args = (sig: string, id: string) => ["pkeyutl", "-verify", "-pubin", "-inkey", p("k3.pub"), "-rawin", "-digest", "sm3", "-pkeyopt", `distid:${id}`, "-in", data, "-sigfile", sig];
    const v = opensslStatus(args(p("s3.sig"), ID));
    expect(v.stdout + v.stderr).toMatch(/Signature Verified Successfully/);
    expect(opensslStatus(args(p("s3.sig"), "another-id")).ok).toBe(false);
    // a custom --id is honoured on both sides
    expect((await shuyu("crypto", "sign", "--key", p("k3.pem"), "--id", "alice@example.cn", "--out", p("s3id.sig"), data)).code).toBe(0);
    const w = opensslStatus(args(p("s3id.sig"), "alice@example.cn"));
    expect(w.stdout + w.stderr).toMatch(/Signature Verified Successfully/);
  });

  it("verify accepts `openssl pkeyutl -sign` signatures and rejects changes with exit 3 SIGNATURE_INVALID", async () => {
    const key = p("ossl.pem");
    openssl(["genpkey", "-algorithm", "SM2", "-out", key]);
    writeFileSync(p("ossl.pub"), openssl(["pkey", "-in", key, "-pubout"]));
    openssl(["pkeyutl", "-sign", "-inkey", key, "-rawin", "-digest", "sm3", "-pkeyopt", `distid:${ID}`, "-in", data, "-out", p("ossl.sig")]);
    const good = await shuyu("--json", "crypto", "verify", "--pub", p("ossl.pub"), "--sig", p("ossl.sig"), data);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).valid).toBe(true);

    const changed = p("changed.bin");
    const bytes = readFileSync(data);
    bytes[100] ^= 1;
    writeFileSync(changed, bytes);
    const bad = await shuyu("--json", "crypto", "verify", "--pub", p("ossl.pub"), "--sig", p("ossl.sig"), changed);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout).error.code).toBe("SIGNATURE_INVALID");
    const wrongId = await shuyu("crypto", "verify", "--pub", p("ossl.pub"), "--sig", p("ossl.sig"), "--id", "x", data);
    expect(wrongId.code).toBe(3);
    expect(wrongId.stderr).toMatch(/^shuyu: SIGNATURE_INVALID: /);
    writeFileSync(p("garbage.sig"), "not a signature");
    expect((await shuyu("crypto", "verify", "--pub", p("ossl.pub"), "--sig", p("garbage.sig"), data)).code).toBe(3);
  });

  it("sm3 streams a file and prints the same hex as `openssl dgst -sm3`", async () => {
    const r = await shuyu("crypto", "sm3", data);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(openssl(["dgst", "-sm3", "-r", data]).toString().split(" ")[0]);
    const missing = await shuyu("--json", "crypto", "sm3", p("nope.bin"));
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe("FILE_UNREADABLE");
  });
});
