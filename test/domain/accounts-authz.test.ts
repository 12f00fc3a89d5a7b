import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decide } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { addAccount, revokeAccount } from "../../runtime/services/accounts.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { as, cli, newDomain, TEST_CONTROL } from "../helpers/fixture.js";

describe("R3 real-name accounts, tokens and the policy engine", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  beforeEach(async () => {
    env = await newDomain();
  });
  afterEach(() => env.cleanup());

  it("stores tokens only as salted SM3 digests", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    const a = await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }));
    const b = await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "bob", name: "李四", org: "dev1", roles: ["developer"] }));
    expect(a.token).not.toBe(b.token);
    const secret = a.token.split(".").pop()!;
    expect(Buffer.from(secret, "base64url").length * 8).toBeGreaterThanOrEqual(128);
    for (const f of [...(TEST_CONTROL === "duckdb" ? ["control.duckdb"] : []), "audit/chain.jsonl"]) {
      const bytes = readFileSync(`${env.dir}/${f}`);
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    // On PostgreSQL: every stored account column, as text.
    const stored = await as(env.dir, env.adminToken, async (s) => JSON.stringify((await s.domain.control.runAndReadAll("SELECT * FROM accounts")).getRowsJS(), (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
    expect(stored).toContain("alice");
    expect(stored.includes(secret)).toBe(false);
    const who = await as(env.dir, a.token, async (s) => s.principal);
    expect(who).toMatchObject({ accountId: "alice", orgId: "dev1", roles: ["developer"] });
  });

  it("rejects a forged token for a real account, a truncated one and none at all", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    const a = await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }));
    for (const bad of [a.token.slice(0, -1) + (a.token.endsWith("A") ? "B" : "A"), "alice.", a.token.slice(0, 10), "admin." + a.token.split(".")[1], ""]) {
      await expect(as(env.dir, bad, async () => 1)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });

  it("a revoked account's token stops working", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    const a = await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }));
    await as(env.dir, env.adminToken, (s) => revokeAccount(s, "alice", "left the company"));
    await expect(as(env.dir, a.token, async () => 1)).rejects.toMatchObject({ code: "ACCOUNT_REVOKED" });
  });

  it("a developer cannot add organisations or accounts: exit 2 naming the permission", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    const a = await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }));
    const err = await as(env.dir, a.token, (s) => addOrg(s, { id: "x", name: "x", kind: "developer" })).catch((e) => e);
    expect(err).toBeInstanceOf(ShuyuError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain("org.add");
    const r = await cli(["--domain", env.dir, "--token", a.token, "account", "add", "--id", "eve", "--name", "伊娃", "--org", "dev1", "--role", "developer"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^shuyu: PERMISSION_DENIED: .*account\.add/);
  });

  it("refuses roles that do not fit the organisation kind, duplicates and unknown orgs", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    await expect(as(env.dir, env.adminToken, (s) => addAccount(s, { id: "x", name: "X", org: "dev1", roles: ["admin"] }))).rejects.toMatchObject({ code: "ROLE_NOT_ALLOWED" });
    await expect(as(env.dir, env.adminToken, (s) => addAccount(s, { id: "x", name: "X", org: "nope", roles: ["developer"] }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "again", kind: "developer" }))).rejects.toMatchObject({ code: "DUPLICATE_ID" });
    await expect(as(env.dir, env.adminToken, (s) => addOrg(s, { id: "../etc", name: "x", kind: "developer" }))).rejects.toMatchObject({ code: "INVALID_ORG" });
    await expect(as(env.dir, env.adminToken, (s) => addOrg(s, { id: "op2", name: "x", kind: "operator" }))).rejects.toMatchObject({ code: "INVALID_ORG" });
  });

  it("object rules: developers of another org, providers of other data and same-org reviewers are refused", () => {
    const dev = { accountId: "alice", name: "A", orgId: "dev1", orgKind: "developer" as const, roles: ["developer" as const] };
    expect(decide(dev, "job.read", { ownerOrg: "dev1" }).allowed).toBe(true);
    expect(decide(dev, "job.read", { ownerOrg: "dev2" }).allowed).toBe(false);
    const prov = { accountId: "p", name: "P", orgId: "prov1", orgKind: "provider" as const, roles: ["provider" as const, "reviewer" as const] };
    expect(decide(prov, "scenario.approve", { providerOrgs: ["prov1"] }).allowed).toBe(true);
    expect(decide(prov, "scenario.approve", { providerOrgs: ["prov2"] }).allowed).toBe(false);
    expect(decide(prov, "egress.review", { submitterOrg: "prov1" }).allowed).toBe(false);
    expect(decide(prov, "egress.review", { submitterOrg: "dev1" }).allowed).toBe(true);
    expect(decide(dev, "egress.review", { submitterOrg: "dev2" }).allowed).toBe(false);
  });

  it("init refuses a non-empty directory and prints the token once as JSON", async () => {
    const r = await cli(["--json", "init", env.dir, "--operator", "again"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe("DIRECTORY_NOT_EMPTY");
  });
});
