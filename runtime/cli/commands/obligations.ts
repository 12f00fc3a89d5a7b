import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import { Domain } from "../../domain/domain.js";
import { loadSeal } from "../../domain/seal.js";
import {
  addUseAgreement, addWhitelist, applyAdmission, decideAdmission, delistProduct, importSocialData, listAdmissions, listCatalogProducts, listConsents, listUseAgreements, listWhitelist,
  publicDisclosure, recordConsent, recordEvaluation, recordLegalBasis, recordPersonnel, registerProduct, registrationRecord, removeWhitelist, revokeConsent, setAdmissionPolicy,
  setCalendarDays, setTimeZone, showCalendar, terminateUseAgreement, usageReport, verifyRegistrationRecord,
} from "../../obligations/index.js";
import { ApiProductRuntime } from "../../server/api-products/product-runtime.js";
import { action, globalOptions, usage } from "../run-command.js";
import { csv, withSession } from "../session.js";
import { table } from "../table.js";

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

function readJsonFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    throw new ShuyuError("invalid", "FILE_UNREADABLE", `cannot read JSON from '${path}'`, { details: { file: path } });
  }
}

/**
 * The obligations (issue 15): `use`, `consent`, `product register|catalog|registration|
 * verify-registration|delist|call`, `disclosure`, `admission`, `personnel`, `whitelist`,
 * `usage`, `calendar`, `social`.
 */
export function registerObligationCommands(program: Command): void {
  const use = program.command("use").description("product-use agreements (HB 27, HB 31): only their holders use another organisation's product");
  use.command("add").requiredOption("--product <id>").requiredOption("--org <org>", "the buyer organisation").requiredOption("--use-scenario <text>", "what the buyer uses it for")
    .requiredOption("--delivery <form>", "api | package").option("--price-fen <n>", "price per call or delivery in fen (default: the registered price)").option("--public-interest", "free public-interest use (ZJ 25, GY 33)")
    .requiredOption("--conditions <text>").requiredOption("--start <date>").requiredOption("--end <date>").option("--id <id>")
    .action(action(async (cmd) => {
      const o = cmd.opts<{ product: string; org: string; useScenario: string; delivery: string; priceFen?: string; publicInterest?: boolean; conditions: string; start: string; end: string; id?: string }>();
      const r = await withSession(cmd, (s) => addUseAgreement(s, { ...o, priceFen: num(o.priceFen), publicInterest: o.publicInterest === true }));
      return { human: `use agreement ${r.id}: ${r.org} may use ${r.product} (${r.delivery}) ${r.start}..${r.end}, ${r.publicInterest ? "free (public interest)" : `${r.priceFen} fen per use`}`, json: r };
    }));
  use.command("list").action(action(async (cmd) => {
    const r = await withSession(cmd, listUseAgreements);
    return { human: table(r.map((u) => ({ ...u, price: u.publicInterest ? "free" : u.priceFen })), ["id", "product", "org", "delivery", "price", "start", "end", "state"]), json: r };
  }));
  use.command("terminate").argument("<id>").requiredOption("--reason <text>").action(action(async (cmd, id: string) => {
    const r = await withSession(cmd, (s) => terminateUseAgreement(s, id, cmd.opts<{ reason: string }>().reason));
    return { human: `use agreement ${r.id}: ${r.state}`, json: r };
  }));

  const consent = program.command("consent").description("data subjects' authorizations (GZ 23, ZJ 20, HB 27(2)); the key value is kept only as a keyed digest");
  consent.command("record").requiredOption("--dataset <id>").requiredOption("--subject <values>", "the subject key value(s), comma-separated in key order")
    .requiredOption("--scope <scope>", "product:ID | scenario:ID | *").requiredOption("--granted <date>").requiredOption("--expires <date>").requiredOption("--evidence <text>", "where the signed authorization is kept")
    .action(action(async (cmd) => {
      const o = cmd.opts<{ dataset: string; subject: string; scope: string; granted: string; expires: string; evidence: string }>();
      const r = await withSession(cmd, (s) => recordConsent(s, { ...o, subject: csv(o.subject) }));
      return { human: `consent ${r.id} recorded for subject ${r.subjectDigest.slice(0, 16)}… (${r.scope}, until ${r.expires})`, json: r };
    }));
  consent.command("revoke").argument("<id>").requiredOption("--reason <text>").action(action(async (cmd, id: string) => {
    const r = await withSession(cmd, (s) => revokeConsent(s, id, cmd.opts<{ reason: string }>().reason));
    return { human: `consent ${r.id}: ${r.state}`, json: r };
  }));
  consent.command("list").action(action(async (cmd) => {
    const r = await withSession(cmd, listConsents);
    return { human: table(r, ["id", "dataset", "scope", "granted", "expires", "state"]), json: r };
  }));
  consent.command("basis").argument("<scenario>").requiredOption("--basis <basis>", "desensitized | consent").requiredOption("--note <text>").action(action(async (cmd, scenario: string) => {
    const r = await withSession(cmd, (s) => recordLegalBasis(s, { ...cmd.opts(), scenario }));
    return { human: `scenario ${r.scenario}: legal basis ${r.basis}`, json: { id: r.scenario, ...r } };
  }));

  const product = program.commands.find((c) => c.name() === "product") ?? program.command("product");
  product.command("register").argument("<id>").requiredOption("--name <text>").requiredOption("--description <text>").requiredOption("--pricing <kind>", "cost | free")
    .option("--price-fen <n>", "cost-based price per call or delivery, in fen").requiredOption("--cost-basis <text>", "how the price follows from costs (ZJ 23)")
    .action(action(async (cmd, id: string) => {
      const o = cmd.opts<{ name: string; description: string; pricing: string; priceFen?: string; costBasis: string }>();
      const r = await withSession(cmd, (s) => registerProduct(s, { ...o, priceFen: num(o.priceFen), product: id }));
      return { human: `product ${r.id} registered as ${r.registrationNo}`, json: r };
    }));
  product.command("catalog").description("the product catalog: name, form, scenario, sources, price, registration number, state").action(action(async (cmd) => {
    const r = await withSession(cmd, listCatalogProducts);
    return { human: table(r.map((p) => ({ ...p, sources: p.sources.map((x) => x.dataset).join(",") })), ["id", "name", "form", "org", "scenario", "sources", "pricing", "priceFen", "registrationNo", "state"]), json: r };
  }));
  product.command("registration").argument("<id>").option("--out <file>", "write the signed record here").description("the signed registration record (存证) for an external registration platform")
    .action(action(async (cmd, id: string) => {
      const r = await withSession(cmd, (s) => registrationRecord(s, id));
      const out = cmd.opts<{ out?: string }>().out;
      if (out) writeFileSync(out, JSON.stringify(r, null, 2) + "\n");
      return { human: out ? `registration record of ${id} (${String(r.registrationNo)}) written to ${out}` : JSON.stringify(r, null, 2), json: { id, ...r } };
    }));
  product.command("verify-registration").argument("<file>").option("--cert-sm3 <hex>").description("check a registration record with nothing but the file")
    .action(action(async (cmd, file: string) => {
      const v = verifyRegistrationRecord(readJsonFile(file), cmd.opts<{ certSm3?: string }>().certSm3);
      if (!v.valid) throw new ShuyuError("invalid", "SIGNATURE_INVALID", `${file}: ${v.reason}`, { details: { file } });
      return { human: `OK: ${file} is a valid registration record (${v.registrationNo})`, json: { file, ...v, state: "valid" } };
    }));
  product.command("delist").argument("<id>").requiredOption("--reason <text>").description("recall one product: calls and delivery stop (GY 31)").action(action(async (cmd, id: string) => {
    const r = await withSession(cmd, (s) => delistProduct(s, { product: id, reason: cmd.opts<{ reason: string }>().reason }));
    return { human: `product ${r.id}: delisted (${r.reason})`, json: r };
  }));
  product.command("call").argument("<id>").requiredOption("--params <json>", "the call's parameters as a JSON object").description("call a listed data interface in-process (as POST /api/api-products/ID/call)")
    .action(action(async (cmd, id: string) => {
      let params: unknown;
      try {
        params = JSON.parse(cmd.opts<{ params: string }>().params);
      } catch {
        throw usage("--params is a JSON object, e.g. '{\"gender\":\"F\"}'");
      }
      const r = await withSession(cmd, async (s) => {
        const rt = new ApiProductRuntime(s.domain, loadSeal(s.domain.paths.keys));
        try {
          return await rt.call(s.principal, id, { params });
        } finally {
          await rt.close();
        }
      });
      return { human: JSON.stringify(r.answer.result), json: { id: r.answer.call, ...r } };
    }));

  program.command("disclosure").description("the public disclosure: authorizations, approved scenarios, listed products (no token needed; HLJ 20(5), HB 22)")
    .action(action(async (cmd) => {
      const g = globalOptions(cmd);
      const domain = await Domain.open(g.domain ?? process.env.SHUYU_DOMAIN);
      try {
        const d = await publicDisclosure(domain);
        return {
          human: [
            `# ${d.operator.name}: public disclosure`, "", "## Authorizations", table(d.authorizations.map((a) => ({ ...a, datasets: a.datasets.map((x) => x.id).join(",") })), ["orgName", "datasets", "start", "end", "state"]),
            "", "## Approved scenarios", table(d.scenarios.map((c) => ({ ...c, data: c.data.map((x) => `${x.dataset}:${x.columns.join("+")}`).join(" ") })), ["id", "orgName", "purpose", "data", "expires"]),
            "", "## Listed products", table(d.products, ["id", "name", "form", "orgName", "registrationNo", "pricing", "priceFen"]),
          ].join("\n"),
          json: d,
        };
      } finally {
        domain.close();
      }
    }));

  const admission = program.command("admission").description("developer admission: application, publicity, decision, evaluation (GZ 9, ZJ 9, GZ 20, ZJ 31)");
  admission.command("apply").requiredOption("--org <org>").requiredOption("--qualifications <text>").option("--publicity-days <n>", "publicity period in days", "7")
    .action(action(async (cmd) => {
      const o = cmd.opts<{ org: string; qualifications: string; publicityDays: string }>();
      const r = await withSession(cmd, (s) => applyAdmission(s, { ...o, publicityDays: Number(o.publicityDays) }));
      return { human: `admission ${r.id} for ${r.org}: in publicity until ${r.publicityUntil}`, json: r };
    }));
  admission.command("decide").argument("<id>").option("--admit").option("--reject").option("--remove").requiredOption("--reason <text>").action(action(async (cmd, id: string) => {
    const o = cmd.opts<{ admit?: boolean; reject?: boolean; remove?: boolean; reason: string }>();
    const chosen = (["admit", "reject", "remove"] as const).filter((k) => o[k]);
    if (chosen.length !== 1) throw usage("give exactly one of --admit, --reject or --remove");
    const r = await withSession(cmd, (s) => decideAdmission(s, { id, decision: chosen[0], reason: o.reason }));
    return { human: `admission ${r.id} (${r.org}): ${r.state}`, json: r };
  }));
  admission.command("list").action(action(async (cmd) => {
    const r = await withSession(cmd, listAdmissions);
    return { human: `admission ${r.required ? "required" : "not required"}\n` + table(r.admissions, ["id", "org", "state", "publicityUntil", "decidedBy"]), json: r };
  }));
  admission.command("policy").option("--require").option("--no-require").action(action(async (cmd) => {
    const r = await withSession(cmd, (s) => setAdmissionPolicy(s, { required: cmd.opts<{ require: boolean }>().require }));
    return { human: `admission ${r.required ? "required" : "not required"} before developers act`, json: r };
  }));
  admission.command("evaluate").requiredOption("--org <org>").requiredOption("--period <text>").requiredOption("--score <n>", "0..100").requiredOption("--text <text>").action(action(async (cmd) => {
    const r = await withSession(cmd, (s) => recordEvaluation(s, cmd.opts()));
    return { human: `evaluation ${r.id} of ${r.org} (${r.period}): ${r.score}`, json: r };
  }));
  program.command("personnel").description("real-name personnel (HB 24(1))").command("record").argument("<account>").requiredOption("--confidentiality <ref>", "the signed confidentiality agreement's reference")
    .requiredOption("--signed-on <date>").option("--id-verified", "the holder's identity was verified in person").action(action(async (cmd, account: string) => {
      const o = cmd.opts<{ confidentiality: string; signedOn: string; idVerified?: boolean }>();
      const r = await withSession(cmd, (s) => recordPersonnel(s, { account, confidentialityRef: o.confidentiality, signedOn: o.signedOn, idVerified: o.idVerified === true }));
      return { human: `account ${account}: real-name verified, confidentiality agreement ${r.confidentialityRef} signed ${r.signedOn}`, json: r };
    }));

  const wl = program.command("whitelist").description("whitelists for fast review (HB 28): datasets, scenario templates, exempt organisations");
  wl.command("add").requiredOption("--kind <kind>", "dataset | template | org").requiredOption("--target <text>", "dataset id, the template's exact purpose text, or organisation id").requiredOption("--note <text>")
    .action(action(async (cmd) => {
      const r = await withSession(cmd, (s) => addWhitelist(s, cmd.opts()));
      return { human: `whitelisted ${r.kind} ${r.target}`, json: { id: `${r.kind}:${r.target}`, ...r } };
    }));
  wl.command("remove").requiredOption("--kind <kind>").requiredOption("--target <text>").action(action(async (cmd) => {
    const o = cmd.opts<{ kind: string; target: string }>();
    const r = await withSession(cmd, (s) => removeWhitelist(s, o.kind, o.target));
    return { human: `removed ${o.kind} ${o.target} from the whitelist`, json: r };
  }));
  wl.command("list").action(action(async (cmd) => {
    const r = await withSession(cmd, listWhitelist);
    return { human: table(r, ["kind", "target", "note", "addedBy"]), json: r };
  }));

  program.command("usage").description("metered use (ZJ 11, HB 29)").command("report").option("--from <date>").option("--to <date>").action(action(async (cmd) => {
    const r = await withSession(cmd, (s) => usageReport(s, cmd.opts()));
    return { human: table(r.products, ["product", "calls", "deliveries", "users", "revenueFen"]) + `\ntotal revenue ${r.totals.revenueFen} fen`, json: r };
  }));

  const cal = program.command("calendar").description("working-day calendar for feedback deadlines (HB 25, GZ 21), in the domain's time zone");
  cal.command("set").option("--holiday <dates>", "comma-separated public holidays").option("--workday <dates>", "comma-separated make-up working days").requiredOption("--name <text>")
    .action(action(async (cmd) => {
      const o = cmd.opts<{ holiday?: string; workday?: string; name: string }>();
      if ((o.holiday === undefined) === (o.workday === undefined)) throw usage("give exactly one of --holiday or --workday");
      const r = await withSession(cmd, (s) => setCalendarDays(s, { days: csv(o.holiday ?? o.workday), kind: o.holiday ? "holiday" : "workday", name: o.name }));
      return { human: `${r.days.length} day(s) set as ${r.kind} (${r.name})`, json: r };
    }));
  cal.command("zone").argument("<tz>").action(action(async (cmd, tz: string) => {
    const r = await withSession(cmd, (s) => setTimeZone(s, tz));
    return { human: `time zone ${r.timeZone}`, json: { id: r.timeZone, ...r } };
  }));
  cal.command("show").action(action(async (cmd) => {
    const r = await withSession(cmd, showCalendar);
    return { human: `time zone ${r.timeZone}\n` + table(r.days, ["day", "kind", "name"]), json: r };
  }));

  program.command("social").description("social (non-public) data of a developer organisation (HB 24(3), ZJ 20, HLJ 25)").command("import")
    .requiredOption("--id <id>").requiredOption("--file <path>").requiredOption("--org <org>", "the developer organisation bringing it").requiredOption("--lawful-source <text>")
    .requiredOption("--grade <n>").option("--subject <cols>", "subject key columns")
    .action(action(async (cmd) => {
      const o = cmd.opts<{ id: string; file: string; org: string; lawfulSource: string; grade: string; subject?: string }>();
      const r = await withSession(cmd, (s) => importSocialData(s, { ...o, grade: Number(o.grade), subject: o.subject ? csv(o.subject) : undefined }));
      return { human: `social dataset ${r.id} of ${r.org} imported (lawful source recorded)`, json: r };
    }));
}
