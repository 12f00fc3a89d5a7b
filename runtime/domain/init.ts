import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileDurable } from "./durable-file.js";
import { z } from "zod";
import { ShuyuError } from "../../policies/errors.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { insertAccount } from "../services/accounts.js";
import { insertOperatorAuthorization, OperatorAuthorizationInput } from "../lifecycle/operator-authorization.js";
import { exec, one } from "./db.js";
import { controlUrlFile } from "./control-store.js";
import { CONTROL_SCHEMA, CONTROL_SCHEMA_VERSION } from "./control-schema.js";
import { Domain, type DomainInfo } from "./domain.js";
import { domainPaths } from "./layout.js";
import { createSeal } from "./seal.js";
import { ensureSubjectSecret } from "./subject-secret.js";

export const InitInput = z.object({
  dir: z.string().min(1, "a directory is required"),
  operator: z.string().trim().min(1, "--operator NAME is required").max(200),
  /** The operator's own authorization (GZ 7, ZJ 11), recorded with the domain when given. */
  authorization: z.unknown().optional(),
  /** A PostgreSQL URL: control rows and audit there (scale-out, docs/scale-out.md); the embedded DuckDB file when absent. */
  control: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "--control takes a postgresql:// URL")
    .optional(),
});

export const OPERATOR_ORG = "operator";
export const FIRST_ADMIN = "admin";

/**
 * Creates a domain (DESIGN §3): stores, audit chain, seal key pair and certificate,
 * the operator organisation and its first admin, whose token is returned once.
 */
export async function initDomain(raw: unknown): Promise<{ domain: DomainInfo; dir: string; admin: string; token: string }> {
  const input = parseInput(InitInput, raw, "init");
  const paths = domainPaths(input.dir);
  if (input.authorization !== undefined) parseInput(OperatorAuthorizationInput, input.authorization, "authorization");
  if (existsSync(input.dir)) {
    if (!statSync(input.dir).isDirectory()) throw new ShuyuError("invalid", "NOT_A_DIRECTORY", `${input.dir} exists and is not a directory`);
    if (readdirSync(input.dir).length > 0) {
      throw new ShuyuError("invalid", "DIRECTORY_NOT_EMPTY", `${input.dir} is not empty; init creates a domain only in a new or empty directory`, { details: { dir: input.dir } });
    }
  }
  refuseWorldWritableParent(input.dir);
  for (const d of [paths.dir, paths.auditDir, paths.keys, paths.libraries, paths.samples, paths.staging, paths.outbox]) mkdirSync(d, { recursive: true, mode: 0o700 });
  if (input.control) writeFileDurable(controlUrlFile(paths), input.control + "\n", 0o600);

  const info: DomainInfo = {
    format: "shuyu-domain",
    version: CONTROL_SCHEMA_VERSION,
    id: randomUUID(),
    operator: { id: OPERATOR_ORG, name: input.operator },
    createdAt: now().toISOString(),
    ...(input.control ? { control: { store: "postgresql" as const } } : {}),
  };
  const domain = await Domain.attach(paths, info, { command: "init" });
  if (domain.controlKind === "postgresql" && (await one(domain.control, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'meta'"))) {
    domain.close();
    throw new ShuyuError("invalid", "CONTROL_NOT_EMPTY", "the PostgreSQL database given with --control already holds a domain's control store; give each domain its own database");
  }
  try {
    domain.initRowMacs();
    const seal = await createSeal(paths.keys, input.operator, info.id);
    writeFileDurable(`${paths.keys}/pseudonym.key`, randomBytes(32).toString("hex"), 0o600);
    ensureSubjectSecret(paths.keys);
    const token = await domain.mutate(async () => {
      await exec(domain.control, CONTROL_SCHEMA);
      await domain.control.run("INSERT INTO meta VALUES ('schema_version', ?), ('domain_id', ?)", [String(CONTROL_SCHEMA_VERSION), info.id]);
      await domain.recordSealedTables();
      await domain.control.run("INSERT INTO orgs VALUES (?, ?, 'operator', 'active', ?::TIMESTAMP, 'init')", [OPERATOR_ORG, input.operator, info.createdAt]);
      await domain.audit({ actor: "init", action: "domain.init", object: `domain:${info.id}`, details: { operator: input.operator, seal: seal.fingerprint } });
      await domain.audit({ actor: "init", action: "org.add", object: `org:${OPERATOR_ORG}`, details: { name: input.operator, kind: "operator" } });
      if (input.authorization !== undefined) await insertOperatorAuthorization(domain, "init", input.authorization);
      return insertAccount(domain, "init", { id: FIRST_ADMIN, name: `${input.operator} administrator`, org: OPERATOR_ORG, roles: ["admin"] });
    });
    // The chain starts signed: its first checkpoint covers init's own entries.
    await domain.checkpoint();
    // The marker goes last: a directory without it is not a domain, so a crash mid-init leaves nothing usable by mistake.
    writeFileDurable(paths.marker, JSON.stringify(info, null, 2) + "\n", 0o600);
    return { domain: info, dir: input.dir, admin: FIRST_ADMIN, token };
  } finally {
    domain.close();
  }
}

/**
 * A domain under a folder anyone may write could have its files swapped or its folder
 * renamed by another user: refused (a sticky folder such as /tmp is allowed, since
 * there only the owner may rename or remove what it created).
 */
function refuseWorldWritableParent(dir: string): void {
  let parent = dirname(resolve(dir));
  while (!existsSync(parent)) parent = dirname(parent);
  const mode = statSync(parent).mode;
  if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) {
    throw new ShuyuError("invalid", "UNSAFE_PARENT", `${parent} is writable by every user; create the domain under a folder only its owner can write`, { details: { parent, mode: (mode & 0o7777).toString(8) } });
  }
}
