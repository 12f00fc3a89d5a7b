import { ShuyuError } from "../../policies/errors.js";
import { CONTROL_MIGRATIONS, CONTROL_SCHEMA_VERSION } from "./control-schema.js";
import { exec, one } from "./db.js";
import type { Domain } from "./domain.js";

/**
 * Brings an older domain's control store up to CONTROL_SCHEMA_VERSION (one transaction,
 * audited), so a domain made by an earlier shuyu keeps opening. A newer store is refused:
 * this shuyu would not know what its tables mean.
 */
export async function migrateControl(domain: Domain): Promise<number[]> {
  const read = async () => Number((await one<{ value: string }>(domain.control, "SELECT value FROM meta WHERE key = 'schema_version'"))?.value ?? 1);
  const found = await read();
  if (found > CONTROL_SCHEMA_VERSION) {
    throw new ShuyuError("invalid", "DOMAIN_TOO_NEW", `this domain's control store is version ${found}; this shuyu reads up to version ${CONTROL_SCHEMA_VERSION}: upgrade shuyu`, {
      details: { found, supported: CONTROL_SCHEMA_VERSION },
    });
  }
  if (found === CONTROL_SCHEMA_VERSION) return [];
  return domain.mutate(async () => {
    const from = await read(); // another opener may have migrated meanwhile
    const steps = CONTROL_MIGRATIONS.filter((m) => m.to > from && m.to <= CONTROL_SCHEMA_VERSION).sort((a, b) => a.to - b.to);
    for (const step of steps) await exec(domain.control, step.sql);
    if (steps.length === 0) return [];
    await exec(domain.control, "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [String(CONTROL_SCHEMA_VERSION)]);
    await domain.audit({ actor: "system", action: "domain.migrate", object: `domain:${domain.info.id}`, details: { from, to: CONTROL_SCHEMA_VERSION } });
    return steps.map((s) => s.to);
  });
}
