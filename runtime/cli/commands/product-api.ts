import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import { listApiProducts, publishApiProduct, reviewApiProduct } from "../../server/api-products/service.js";
import { verifyApiResponse } from "../../server/api-products/verify-response.js";
import type { SignedResponse } from "../../server/api-products/signed-response.js";
import { action, reviewDecision, reviewOptions, usage } from "../run-command.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new ShuyuError("invalid", "FILE_UNREADABLE", `cannot read the ${what} '${path}'`, { details: { file: path } });
  }
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readText(path, what));
  } catch (err) {
    if (err instanceof ShuyuError) throw err;
    throw new ShuyuError("invalid", "MALFORMED_JSON", `the ${what} '${path}' is not valid JSON`, { details: { file: path } });
  }
}

/**
 * `product publish --job J --as api`, `product review-api`, `product apis`,
 * `product verify-response` — added to the `product` command the egress commands create.
 */
export function registerProductApiCommands(program: Command): void {
  const product = program.commands.find((c) => c.name() === "product") ?? program.command("product").description("registered products (存证)");
  product
    .command("publish")
    .description("publish a succeeded SQL job as a data interface (reviewed before it answers calls)")
    .requiredOption("--job <id>")
    .requiredOption("--as <form>", "api")
    .requiredOption("--sql <text>", "the job's SQL text (checked against the job's SM3)")
    .requiredOption("--spec <file>", "JSON: { name, params: [{name,type}], output: [{name,kind:'class',values}|{name,kind:'count'}], rules? }")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ job: string; as: string; sql: string; spec: string }>();
        if (o.as !== "api") throw usage("--as api is the only form published this way (other forms leave through 'egress request')");
        const spec = readJson(o.spec, "product spec") as Record<string, unknown>;
        const input = { ...spec, job: o.job, sql: o.sql };
        const r = await viaServer(cmd, { method: "POST", path: "/api/api-products", body: input }, (s) => publishApiProduct(s, input));
        return { human: `API product ${r.id} (${r.name}) submitted for review`, json: r };
      }),
    );
  reviewOptions(product.command("review-api").argument("<id>")).action(
      action(async (cmd, id: string) => {
        const d = reviewDecision(cmd) as { decision: "approve" | "reject"; reason?: string };
        const r = await viaServer(cmd, { method: "POST", path: "/api/api-products/{id}/review", params: { id }, body: d }, (s) => reviewApiProduct(s, id, d));
        return { human: `API product ${r.id}: ${r.state}`, json: r };
      }),
    );
  product.command("apis").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/api-products" }, listApiProducts);
      return { human: table(r.map((p) => ({ id: p.id, name: p.name, scenario: p.scenario, org: p.org, state: p.state })), ["id", "name", "scenario", "org", "state"]), json: r };
    }),
  );
  product
    .command("verify-response")
    .description("verify a signed API-product response with only the domain seal certificate (anyone outside can run this)")
    .argument("<file>", "the response JSON")
    .requiredOption("--cert <file>", "the domain seal certificate (PEM), e.g. from GET /api/seal")
    .option("--cert-sm3 <hex>", "pin the certificate's SM3 fingerprint")
    .action(
      action(async (cmd, file: string) => {
        const o = cmd.opts<{ cert: string; certSm3?: string }>();
        const v = verifyApiResponse(readJson(file, "response") as SignedResponse, readText(o.cert, "certificate"), { pinnedCertSm3: o.certSm3 });
        if (!v.valid) throw new ShuyuError("invalid", "SIGNATURE_INVALID", `${file}: ${v.reason}`, { details: { file } });
        return { human: `OK: ${file} is a valid signed answer (seal certificate SM3 ${v.certSm3})`, json: { file, ...v } };
      }),
    );
}
