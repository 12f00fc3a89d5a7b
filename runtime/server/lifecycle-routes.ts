import { downloadPackage } from "../lifecycle/delivery.js";
import { showAgreement, terminateOrg } from "../lifecycle/org-exit.js";
import { CloseIncidentInput, closeIncident, listIncidents, OpenIncidentInput, openIncident } from "../lifecycle/incidents.js";
import { OperatorAuthorizationInput, recordOperatorAuthorization, showOperatorAuthorization } from "../lifecycle/operator-authorization.js";
import { z } from "zod";
import { parseInput } from "../../policies/schemas/common.js";
import { createBackup } from "../lifecycle/backup.js";
import { AuditExportInput, exportAudit } from "../lifecycle/audit-export.js";
import { PruneInput, pruneAccessLogs, retentionPolicy } from "../lifecycle/retention.js";
import type { ApiRoute } from "./api-routes.js";
import { ReasonBody } from "./reason-body.js";

/** The lifecycle's actions over HTTP: the same service calls as the CLI. */
export const BackupBody = z.object({ dir: z.string().min(1, "a directory on the server"), passphrase: z.string().min(12, "at least 12 characters") });

export const LIFECYCLE_ROUTES: ApiRoute[] = [
  {
    method: "POST", url: "/api/audit/export", summary: "A sealed archive of the chain and access logs of a period (base64 tar)", permission: "audit.export", body: AuditExportInput,
    handler: async (s, i) => {
      const r = await exportAudit(s, i.body);
      return { id: r.sm3, sm3: r.sm3, entries: r.entries, logs: r.logs, period: r.period, archive: r.archive.toString("base64") };
    },
  },
  { method: "GET", url: "/api/logs/retention", summary: "The log retention policy", permission: "audit.read", handler: (s) => retentionPolicy(s) },
  { method: "POST", url: "/api/logs/prune", summary: "Delete access logs older than the retention window (never inside it)", permission: "logs.prune", body: PruneInput, handler: (s, i) => pruneAccessLogs(s, i.body) },
  {
    method: "POST", url: "/api/backup", summary: "Write a consistent, sealed snapshot of the domain into a directory on the server", permission: "backup.create", body: BackupBody, status: 201,
    handler: (s, i) => {
      const b = parseInput(BackupBody, i.body, "backup");
      return createBackup(s, b.dir, b.passphrase);
    },
  },
  { method: "GET", url: "/api/incidents", summary: "Security incidents", permission: "incident.read", handler: (s) => listIncidents(s) },
  { method: "POST", url: "/api/incidents", summary: "Open an incident: processing in its scope stops at once", permission: "incident.open", body: OpenIncidentInput, status: 201, handler: (s, i) => openIncident(s, i.body) },
  { method: "POST", url: "/api/incidents/:id/close", summary: "Close an incident with the rectification report and deadline", permission: "incident.close", body: CloseIncidentInput, handler: (s, i) => closeIncident(s, i.params.id, i.body) },
  { method: "GET", url: "/api/operator/authorization", summary: "The operator's own authorization and whether the domain may process", permission: "operator.read", handler: (s) => showOperatorAuthorization(s) },
  { method: "POST", url: "/api/operator/authorization", summary: "Record the operator's own authorization (GZ 7, ZJ 11)", permission: "operator.authorize", body: OperatorAuthorizationInput, status: 201, handler: (s, i) => recordOperatorAuthorization(s, i.body) },
  { method: "GET", url: "/api/agreements/:id", summary: "An agreement with its scenarios and purge receipts", permission: "agreement.read", handler: (s, i) => showAgreement(s, i.params.id) },
  {
    method: "POST", url: "/api/orgs/:id/terminate", summary: "Remove a developer organisation (all agreements terminated and purged)", permission: "org.terminate", body: ReasonBody,
    handler: (s, i) => terminateOrg(s, i.params.id, parseInput(ReasonBody, i.body, "terminate").reason),
  },
  {
    method: "GET", url: "/api/products/:id/package", summary: "Deliver a listed product's sealed package (base64)", permission: "product.download",
    handler: async (s, i) => {
      const r = await downloadPackage(s, i.params.id);
      return { id: r.product, sm3: r.sm3, package: r.bytes.toString("base64") };
    },
  },
];
