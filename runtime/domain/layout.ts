import { join } from "node:path";

/** Where each part of a domain lives inside its directory (DESIGN §3). */
export function domainPaths(dir: string) {
  return {
    dir,
    marker: join(dir, "domain.json"),
    control: join(dir, "control.duckdb"),
    vault: join(dir, "vault.duckdb"),
    auditDir: join(dir, "audit"),
    audit: join(dir, "audit", "chain.jsonl"),
    keys: join(dir, "keys"),
    libraries: join(dir, "libraries"),
    samples: join(dir, "samples"),
    staging: join(dir, "staging"),
    outbox: join(dir, "outbox"),
    library: (scenario: string) => join(dir, "libraries", scenario),
    sampleLibrary: (scenario: string) => join(dir, "samples", scenario),
    jobStaging: (job: string) => join(dir, "staging", job),
  };
}

export type DomainPaths = ReturnType<typeof domainPaths>;
