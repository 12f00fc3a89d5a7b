/**
 * `shuyu audit export --from --to`: a sealed archive of the audit chain's entries and the
 * access logs of a period, for the supervising authority or an external archive (GZ 7,
 * HLJ 29, HB 18). The archive verifies on its own: each entry's hash is recomputed and
 * linked to the one before (the first to the hash the manifest states), every file's SM3
 * is in the manifest, and the manifest is signed by the domain seal.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { signData, sm3Hex, verifySignedData } from "../../crypto/index.js";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, parseInput } from "../../policies/schemas/common.js";
import { entryHash, type AuditEntry } from "../audit/chain.js";
import { dayStart, now } from "../clock.js";
import { loadSeal } from "../domain/seal.js";
import { packTar, unpackTar, type TarEntry } from "../egress/tar.js";
import type { Session } from "../services/session.js";
import { accessLogDir } from "./access-log.js";
import { shiftDate } from "./terms.js";

export const AUDIT_EXPORT_FORMAT = "shuyu-audit-export/1";
export const AuditExportInput = z.object({ from: DateSchema, to: DateSchema });

interface ExportManifest {
  format: typeof AUDIT_EXPORT_FORMAT;
  domain: string;
  period: { from: string; to: string };
  chain: { count: number; firstSeq: number | null; lastSeq: number | null; firstPrev: string | null; lastHash: string | null; headSeq: number; headHash: string };
  files: { path: string; sm3: string; bytes: number }[];
  exportedAt: string;
  exportedBy: string;
}

/** Builds the sealed archive of [from, to] (calendar days in the domain's zone, inclusive). */
export async function exportAudit(s: Session, raw: unknown): Promise<{ archive: Buffer; sm3: string; entries: number; logs: number; period: { from: string; to: string } }> {
  authorize(s.principal, "audit.export");
  const { from, to } = parseInput(AuditExportInput, raw, "export");
  if (from > to) throw new ShuyuError("invalid", "INVALID_PERIOD", `--from ${from} is after --to ${to}`);
  const lo = dayStart(from).toISOString();
  const hi = dayStart(shiftDate(to, { days: 1 })).toISOString();
  const files: TarEntry[] = [];
  const { entries, head } = await s.domain.exclusive(async () => ({ entries: await s.domain.auditEntries(), head: await s.domain.auditHead() }));
  const slice = entries.filter((e) => e.time >= lo && e.time < hi);
  files.push({ name: "chain.jsonl", data: Buffer.from(slice.map((e) => JSON.stringify(e)).join("\n") + (slice.length ? "\n" : "")) });
  for (let d = from; d <= to; d = shiftDate(d, { days: 1 })) {
    const f = join(accessLogDir(s.domain.paths.dir), `access-${d}.jsonl`);
    if (existsSync(f)) files.push({ name: `logs/access-${d}.jsonl`, data: readFileSync(f) });
  }
  const manifest: ExportManifest = {
    format: AUDIT_EXPORT_FORMAT, domain: s.domain.info.id, period: { from, to },
    chain: { count: slice.length, firstSeq: slice[0]?.seq ?? null, lastSeq: slice.at(-1)?.seq ?? null, firstPrev: slice[0]?.prev ?? null, lastHash: slice.at(-1)?.hash ?? null, headSeq: head.seq, headHash: head.hash },
    files: files.map((f) => ({ path: f.name, sm3: sm3Hex(f.data), bytes: f.data.length })),
    exportedAt: now().toISOString(), exportedBy: s.principal.accountId,
  };
  const seal = loadSeal(s.domain.paths.keys);
  const mbytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
  const archive = packTar([{ name: "manifest.json", data: mbytes }, { name: "manifest.sig", data: Buffer.from(signData(mbytes, { privateKey: seal.privateKey, certificate: seal.certificateDer, detached: true })) }, ...files]);
  const sm3 = sm3Hex(archive);
  await s.domain.audit({ actor: s.principal.accountId, action: "audit.export", object: "audit", details: { from, to, entries: slice.length, logs: files.length - 1, sm3 } });
  return { archive, sm3, entries: slice.length, logs: files.length - 1, period: { from, to } };
}

/** Verifies an export with nothing but the archive; throws on any mismatch. */
export function verifyAuditExport(archive: Uint8Array, pinnedCertSm3?: string): { ok: true; domain: string; period: { from: string; to: string }; entries: number; logs: number; sealSm3: string } {
  const bad = (why: string) => new ShuyuError("invalid", "EXPORT_INVALID", `audit export does not verify: ${why}`);
  let parts: TarEntry[];
  try {
    parts = unpackTar(archive);
  } catch {
    throw bad("not a tar archive");
  }
  const get = (n: string) => parts.find((p) => p.name === n)?.data;
  const mbytes = get("manifest.json");
  const sig = get("manifest.sig");
  if (!mbytes || !sig) throw bad("manifest.json or manifest.sig missing");
  let v;
  try {
    v = verifySignedData(new Uint8Array(sig), { content: new Uint8Array(mbytes) });
  } catch (err) {
    throw bad(`seal signature invalid (${(err as Error).message})`);
  }
  const sealSm3 = sm3Hex(v.certificate.der);
  if (pinnedCertSm3 && pinnedCertSm3.toLowerCase() !== sealSm3) throw bad(`sealed by ${sealSm3}, not the pinned seal`);
  const m = JSON.parse(Buffer.from(mbytes).toString("utf8")) as ExportManifest;
  const names = new Set(m.files.map((f) => f.path));
  for (const f of m.files) {
    const data = get(f.path);
    if (!data || sm3Hex(data) !== f.sm3) throw bad(`${f.path} differs from the manifest`);
  }
  const extra = parts.filter((p) => p.name !== "manifest.json" && p.name !== "manifest.sig" && !names.has(p.name));
  if (extra.length) throw bad(`${extra.map((p) => p.name).join(", ")} not in the manifest`);
  const lines = Buffer.from(get("chain.jsonl") ?? []).toString("utf8").split("\n").filter(Boolean);
  const entries = lines.map((l) => JSON.parse(l) as AuditEntry);
  let prev = m.chain.firstPrev;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (i > 0 && e.seq !== entries[i - 1].seq + 1) throw bad(`entry ${e.seq} does not follow ${entries[i - 1].seq}`);
    if (e.prev !== prev) throw bad(`entry ${e.seq} does not link to the previous entry`);
    if (entryHash(e) !== e.hash) throw bad(`entry ${e.seq} was modified`);
    prev = e.hash;
  }
  if (entries.length !== m.chain.count || (entries.length && entries.at(-1)!.hash !== m.chain.lastHash)) throw bad("the chain slice is not the one the manifest states");
  return { ok: true, domain: m.domain, period: m.period, entries: entries.length, logs: m.files.length - 1, sealSm3 };
}

/** Writes an export to a file (CLI). */
export function writeExport(file: string, archive: Buffer): void {
  writeFileSync(file, archive, { mode: 0o640 });
}
