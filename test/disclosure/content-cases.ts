/**
 * Content corpora: models, reports, indices and logs that must be blocked, and legitimate ones
 * that must pass without a block, over the shared fake-PII vault with a hand-built ledger.
 */
import type { CheckInput } from "../../policies/disclosure/index.js";
import { toFullWidth } from "../../policies/disclosure/index.js";
import { accountAggregate, accountRows, ledgerRows } from "./ledger-fixture.js";
import type { Person, Vault } from "./vault-fixture.js";

export interface ContentCase {
  name: string;
  /** The rule(s) expected to block (block corpus): any one of them. */
  rule?: string | string[];
  /** Rules that must not even review (pass corpus). */
  quiet?: string[];
  build(v: Vault, job: string): Promise<Partial<CheckInput>>;
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(s: string): string {
  let n = BigInt(`0x${Buffer.from(s, "utf8").toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
}
function base32(s: string): string {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const b of Buffer.from(s, "utf8")) bits += b.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += A[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");
const pct = (s: string) => [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
const uesc = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
const rotate = (s: string, k: number) => s.replace(/\d/g, (d) => String((Number(d) + k) % 10));
const rev = (s: string) => [...s].reverse().join("");
const digitsOnly = (p: Person[]) => p.filter((x) => /^\d+$/.test(x.id));

/** The whole population as the job's one training query (a rows query over the granted columns). */
async function trainedOnAll(v: Vault, job: string, columns = ["age", "gender", "district", "income", "diagnosis"]): Promise<void> {
  await accountRows(v.conn, job, 1, { columns });
}

export const CONTENT_MUST_BLOCK: ContentCase[] = [
  { name: "k-NN model carrying every training row", rule: "model-memorization",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { type: "knn", k: 5, X: v.people.map((p) => [p.age, p.gender === "M" ? 1 : 0]), y: v.people.map((p) => p.diagnosis) } }; } },
  { name: "k-NN model whose rows are ages and incomes (raw values)", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { type: "knn", X: v.people.slice(0, 40).map((p) => [p.age, p.income]) } }; } },
  { name: "lookup table keyed on resident IDs", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { lookup: Object.fromEntries(v.people.slice(0, 30).map((p) => [p.id, p.diagnosis])) } }; } },
  { name: "model with person names as object keys", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { risk: Object.fromEntries(v.people.slice(0, 8).map((p, i) => [p.name, 0.1 * i])) } }; } },
  { name: "model holding incomes of eight people as floats", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { type: "linear", coef: [0.5, 1.2], calibration: v.people.slice(10, 18).map((p) => p.income + 0.0) } }; } },
  { name: "model holding mobiles as floats", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { offsets: v.people.slice(0, 2).map((p) => Number(p.mobile) + 1e-4) } }; } },
  { name: "model holding resident IDs as floats", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { w: digitsOnly(v.people).slice(0, 3).map((p) => Number(p.id)) } }; } },
  { name: "model with base58 resident IDs", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { vocab: v.people.slice(0, 5).map((p) => base58(p.id)) } }; } },
  { name: "model with base32 mobiles", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { meta: { tokens: v.people.slice(0, 3).map((p) => base32(p.mobile)) } } }; } },
  { name: "model with base36 mobiles as words", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { labels: v.people.slice(0, 4).map((p) => `n_${BigInt(p.mobile).toString(36)}`) } }; } },
  { name: "model with URL-encoded names", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { note: `subjects=${pct(v.people[4].name)}&${pct(v.people[5].name)}` } }; } },
  { name: "model with base64 of hex of a bank card (two layers)", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { blob: Buffer.from(hex(v.people[9].card)).toString("base64") } }; } },
  { name: "model with one transformed value per subject of district 330106", rule: "model-memorization",
    build: async (v, job) => { await accountRows(v.conn, job, 1, { columns: ["income", "age"], where: "district = '330106'" });
      const sub = v.people.filter((p) => p.district === "330106");
      return { form: "model", model: { type: "embedding", z: sub.map((p) => Math.round((p.income * 1.37 + p.age * 11) * 1000) / 1000) } }; } },
  { name: "model with a 300-entry table of hashed-looking scores", rule: "model-memorization",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { scores: v.people.slice(0, 300).map((p) => (p.age * 7919 + p.income) % 9973) } }; } },
  { name: "report with a base58 resident ID", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `复核样本 ${base58(v.people[2].id)} 的费用偏高，需人工核查。` }) },
  { name: "report with a base32 mobile", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `联系人编码：${base32(v.people[3].mobile)}。` }) },
  { name: "report with a percent-encoded resident ID", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `详情见 https://example.org/q?k=${pct(v.people[6].id)} 。` }) },
  { name: "report with a mobile as a hex number", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `参数 0x${BigInt(v.people[7].mobile).toString(16)} 已校准。` }) },
  { name: "report with a mobile in binary", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `掩码 ${BigInt(v.people[8].mobile).toString(2)}` }) },
  { name: "report with a resident ID as an octal number", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `校验值 0o${BigInt(digitsOnly(v.people)[1].id).toString(8)}。` }) },
  { name: "report with a resident ID split by spaces", rule: "text-raw-values",
    build: async (v) => { const id = v.people[11].id;
      return { form: "report", report: `个案 ${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)} 已随访。` }; } },
  { name: "report with a mobile split by dashes", rule: "text-raw-values",
    build: async (v) => { const m = v.people[12].mobile;
      return { form: "report", report: `回访电话 ${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}` }; } },
  { name: "report with a bank card in groups of four", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `退款账户 ${v.people[13].card.replace(/(\d{4})(?=\d)/g, "$1 ")}` }) },
  { name: "report with full-width digits of a resident ID", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `身份证号${toFullWidth(v.people[14].id)}的患者。` }) },
  { name: "report with a Unicode-escaped mobile", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `debug: "${uesc(v.people[15].mobile)}"` }) },
  { name: "report quoting three exact raw incomes", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `收入最高的三人分别为 ${v.people.slice(20, 23).map((p) => p.income.toFixed(1)).join("、")} 元。` }) },
  { name: "Markdown report table of individual records not from any query", rule: "embedded-tables",
    build: async (v, job) => { await accountAggregate(v.conn, job, 1, { groups: [{ name: "gender", expr: "gender" }], aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = v.people.slice(200, 215).map((p) => `| ${p.district} | ${p.age} | ${p.gender} | ${p.diagnosis} |`);
      return { form: "report", report: `个案：\n\n| 区县 | 年龄 | 性别 | 诊断 |\n| --- | --- | --- | --- |\n${rows.join("\n")}\n` }; } },
  { name: "Markdown report table of individual records from an accounted row query (table rules decide)", rule: ["embedded-tables", "k-anonymity"],
    build: async (v, job) => { await trainedOnAll(v, job);
      const rows = v.people.slice(0, 12).map((p) => `| ${p.district} | ${p.age} | ${p.gender} | ${p.diagnosis} |`);
      return { form: "report", report: `## 个案明细\n\n| 区县 | 年龄 | 性别 | 诊断 |\n|---|---|---|---|\n${rows.join("\n")}\n\n以上为抽样。` }; } },
  { name: "CSV block of records with incomes in a report", rule: "embedded-tables",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "report", report: `附表：\n\`\`\`csv\nage,gender,income_k\n${v.people.slice(30, 45).map((p) => `${p.age},${p.gender},${(p.income / 1000).toFixed(2)}`).join("\n")}\n\`\`\`\n` }; } },
  { name: "aligned-text table of records in a report", rule: "embedded-tables",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "report", report: `明细\n${v.people.slice(50, 60).map((p) => `${p.district}    ${p.age}    ${p.diagnosis}    ${Math.round(p.income / 10) * 10}`).join("\n")}\n` }; } },
  { name: "Markdown table with one forged count among accounted rows", rule: "embedded-tables",
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "district", expr: "district" }], aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = await ledgerRows(v.conn, t);
      const lines = rows.map((r, i) => `| ${String(r.district)} | ${i === 0 ? Number(r.n) - 3 : Number(r.n)} |`);
      return { form: "report", report: `| 区县 | 人数 |\n|---|---|\n${lines.join("\n")}` }; } },
  { name: "report table quoting accounted cells of fewer than k subjects", rule: "embedded-tables",
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "district", expr: "district" }, { name: "age", expr: "age" }], aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = (await ledgerRows(v.conn, t)).slice(0, 8);
      return { form: "report", report: `| 区县 | 年龄 | 人数 |\n|---|---|---|\n${rows.map((r) => `| ${String(r.district)} | ${Number(r.age)} | ${Number(r.n)} |`).join("\n")}` }; } },
  { name: "logs with a URL-safe base64 resident ID", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: "完成。", logs: ["epoch 1 loss=0.41", `cache key ${b64url(v.people[16].id)}`] }) },
  { name: "logs with a reversed, digit-rotated mobile", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: "完成。", logs: [`seed=${rev(rotate(v.people[17].mobile, 3))}`] }) },
  { name: "report with a mobile as HTML character references", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: [...v.people[18].mobile].map((c) => `&#${c.charCodeAt(0)};`).join("") }) },
  { name: "report with a +86 mobile in groups", rule: "text-raw-values",
    build: async (v) => { const m = v.people[24].mobile; return { form: "report", report: `电话 +86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}` }; } },
  { name: "report with a mobile glued inside a longer digit run", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `流水号0086${v.people[25].mobile}01` }) },
  { name: "report with URL-encoded base64 of a mobile (two layers)", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `q=${encodeURIComponent(Buffer.from(v.people[26].mobile).toString("base64"))}` }) },
  { name: "report with a mobile in Chinese numerals", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `电话${[...v.people[27].mobile].map((c) => "〇一二三四五六七八九"[Number(c)]).join("")}` }) },
  { name: "report quoting a free-text note verbatim inside a sentence", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `典型病例：${v.people[28].notes}，建议关注。` }) },
  { name: "report naming a patient (three-character name) inside Chinese prose", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `经核实，患者${v.people.find((p) => [...p.name].length === 3)!.name}已出院。` }) },
  { name: "report listing patients' names separated by 、", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: `随访名单：${v.people.slice(60, 64).map((p) => p.name).join("、")}。` }) },
  { name: "logs printing a row as JSON", rule: "text-raw-values",
    build: async (v) => ({ form: "report", report: "完成。", logs: [JSON.stringify({ row: 17, id: v.people[30].id, income: v.people[30].income })] }) },
  { name: "model with a mobile spread over an array of digits", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job); return { form: "model", model: { kernel: [...v.people[31].mobile].map(Number) } }; } },
  { name: "model with a mobile in three string chunks", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job); const m = v.people[32].mobile;
      return { form: "model", model: { parts: [m.slice(0, 3), m.slice(3, 7), m.slice(7)] } }; } },
  { name: "model with two incomes inside a string", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job); return { form: "model", model: { note: `a=${v.people[33].income} b=${v.people[34].income}` } }; } },
  { name: "model with an address inside a longer string", rule: "model-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job); return { form: "model", model: { comment: `训练样本含 ${v.people[35].address} 等地址` } }; } },
  { name: "index that is raw incomes in thousands (a raw column in disguise)", rule: "text-raw-values",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "index", index: v.people.slice(100, 160).map((p) => p.income / 1000) }; } },
  { name: "index with one value per person (ages)", rule: "index-memorization",
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "index", index: v.people.map((p) => p.age + 0.5) }; } },
  { name: "index of mobile numbers as floats", rule: "text-raw-values",
    build: async (v) => ({ form: "index", index: v.people.slice(0, 3).map((p) => Number(p.mobile)) }) },
];

/** Ledger of an aggregate by district: n, mean income, diabetes rate. */
async function districtLedger(v: Vault, job: string): Promise<Record<string, unknown>[]> {
  const t = await accountAggregate(v.conn, job, 1, {
    groups: [{ name: "district", expr: "district" }],
    aggs: [
      { name: "n", expr: "count(*)", agg: "count" },
      { name: "mean_income", expr: "avg(income)", agg: "avg" },
      { name: "rate", expr: "avg(CASE WHEN diagnosis = '糖尿病' THEN 1 ELSE 0 END)", agg: "avg" },
    ],
  });
  return ledgerRows(v.conn, t);
}

const CONTENT_RULES = ["model-raw-values", "model-memorization", "model-capacity", "text-raw-values", "embedded-tables", "text-trace", "index-trace", "index-memorization"];

export const CONTENT_MUST_PASS: ContentCase[] = [
  { name: "logistic regression with coefficients", quiet: CONTENT_RULES,
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { type: "logistic", target: "糖尿病", features: ["age", "gender_M", "district_330106", "district_110105"], coef: [0.0312, -0.4177, 0.2051, -0.1134], intercept: -2.1693 } }; } },
  { name: "depth-2 decision tree whose leaves carry accounted counts and rates", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, {
        groups: [{ name: "old", expr: "age >= 45" }, { name: "gender", expr: "gender" }],
        aggs: [{ name: "n", expr: "count(*)", agg: "count" }, { name: "rate", expr: "avg(CASE WHEN diagnosis = '高血压' THEN 1 ELSE 0 END)", agg: "avg" }],
      });
      const rows = await ledgerRows(v.conn, t);
      const leaf = (old: boolean, g: string) => { const r = rows.find((x) => x.old === old && x.gender === g)!;
        return { n: Number(r.n), rate: Math.round(Number(r.rate) * 1000) / 1000 }; };
      return { form: "model", code: "const t = tree({ maxDepth: 2 }); split('age', 45); split('gender');",
        model: { type: "tree", depth: 2, split: { feature: "age", threshold: 45 },
          left: { split: { feature: "gender", value: "M" }, left: leaf(false, "M"), right: leaf(false, "F") },
          right: { split: { feature: "gender", value: "M" }, left: leaf(true, "M"), right: leaf(true, "F") } } }; } },
  { name: "report quoting accounted counts and rounded means", quiet: CONTENT_RULES,
    build: async (v, job) => { const rows = await districtLedger(v, job);
      const text = rows.map((r) => `${String(r.district)} 共 ${Number(r.n)} 人，平均收入 ${Number(r.mean_income).toFixed(1)} 元，糖尿病患病率 ${(Number(r.rate) * 100).toFixed(1)}%`).join("；");
      return { form: "report", report: `各区县概况：${text}。` }; } },
  { name: "index of accounted rates", quiet: CONTENT_RULES,
    build: async (v, job) => { const rows = await districtLedger(v, job);
      return { form: "index", index: rows.map((r) => Math.round(Number(r.rate) * 100) / 100) }; } },
  { name: "report with constants from the code (top 10, age 45, 2025)", quiet: CONTENT_RULES,
    build: async (v, job) => { await districtLedger(v, job);
      return { form: "report", code: "const TOP = 10; const YEAR = 2025; rows.filter(r => r.age >= 45).slice(0, TOP)", report: "本报告列出 2025 年 45 岁以上人群中排名前 10 的指标（top 10）。" }; } },
  { name: "report with parameters quoted (threshold from --params)", quiet: CONTENT_RULES,
    build: async (v, job) => { await districtLedger(v, job);
      return { form: "report", params: { minAge: 60, bins: 12 }, report: "以 60 岁为界，分 12 组。" }; } },
  { name: "report embedding a Markdown table of accounted aggregates (rounded)", quiet: CONTENT_RULES,
    build: async (v, job) => { const rows = await districtLedger(v, job);
      return { form: "report", report: `## 区县汇总\n\n| 区县 | 人数 | 平均收入 |\n|:---|---:|---:|\n${rows.map((r) => `| ${String(r.district)} | ${Number(r.n)} 人 | ${Number(r.mean_income).toFixed(0)} 元 |`).join("\n")}\n\n数据截至本季度。` }; } },
  { name: "report embedding a CSV block of accounted counts (gender × diagnosis)", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "gender", expr: "gender" }, { name: "diagnosis", expr: "diagnosis" }], aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = await ledgerRows(v.conn, t);
      return { form: "report", report: `交叉表如下：\n\ngender,diagnosis,n\n${rows.map((r) => `${String(r.gender)},${String(r.diagnosis)},${Number(r.n)}`).join("\n")}\n` }; } },
  { name: "report embedding an aligned-text table of mean visit cost per department", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { from: "raw_visits", sidOf: "person_id", groups: [{ name: "dept", expr: "dept" }],
        aggs: [{ name: "visits", expr: "count(*)", agg: "count" }, { name: "mean_cost", expr: "avg(cost)", agg: "avg" }] });
      const rows = await ledgerRows(v.conn, t);
      return { form: "report", report: `科室    就诊人次    平均费用\n${rows.map((r) => `${String(r.dept)}    ${Number(r.visits)}    ${Number(r.mean_cost).toFixed(2)}`).join("\n")}\n` }; } },
  { name: "report with thousands separators, 万 and percentages of accounted values", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [], aggs: [{ name: "n", expr: "count(*)", agg: "count" }, { name: "total_income", expr: "sum(income)", agg: "sum" },
        { name: "share_f", expr: "avg(CASE WHEN gender = 'F' THEN 1 ELSE 0 END)", agg: "avg" }] });
      const [r] = await ledgerRows(v.conn, t);
      const total = Number(r.total_income);
      return { form: "report", report: `样本 ${Number(r.n).toLocaleString("en-US")} 人，收入合计约 ${(total / 1e4).toFixed(1)}万 元（${total.toLocaleString("en-US")} 元），女性占 ${(Number(r.share_f) * 100).toFixed(1)}%。` }; } },
  { name: "linear regression with one-hot district features", quiet: CONTENT_RULES,
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { type: "ols", y: "income", terms: { "(Intercept)": 17234.81, age: 12.307, "district=330106": 503.22, "district=110108": -188.4 }, r2: 0.043 } }; } },
  { name: "histogram model of accounted age-band counts", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "band", expr: "age - age % 5" }], aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = await ledgerRows(v.conn, t);
      return { form: "model", model: { type: "histogram", edges: rows.map((r) => Number(r.band)), counts: rows.map((r) => Number(r.n)) } }; } },
  { name: "correlation matrix model", quiet: CONTENT_RULES,
    build: async (v, job) => { await trainedOnAll(v, job);
      return { form: "model", model: { vars: ["age", "income", "cost"], r: [[1, 0.0213, -0.0871], [0.0213, 1, 0.1402], [-0.0871, 0.1402, 1]] } }; } },
  { name: "income deciles from an accounted quantile query (single-subject stats are reviewed, not blocked)",
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [], aggs: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => ({ name: `p${d}0`, expr: `quantile_disc(income, ${d / 10})`, agg: "single" as const })) });
      const [r] = await ledgerRows(v.conn, t);
      return { form: "model", model: { type: "deciles", income: Object.keys(r).filter((k) => k.startsWith("p")).map((k) => Number(r[k])) } }; } },
  { name: "decision tree with round income thresholds and accounted leaf counts", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, {
        groups: [{ name: "band", expr: "CASE WHEN income < 15000 THEN 0 WHEN income < 20000 THEN 1 ELSE 2 END" }],
        aggs: [{ name: "n", expr: "count(*)", agg: "count" }, { name: "mean_age", expr: "avg(age)", agg: "avg" }] });
      const rows = await ledgerRows(v.conn, t);
      return { form: "model", model: { type: "tree", thresholds: [15000, 20000], leaves: rows.map((r) => ({ n: Number(r.n), mean_age: Math.round(Number(r.mean_age) * 10) / 10 })) } }; } },
  { name: "60-coefficient logistic regression (4 decimals)", quiet: CONTENT_RULES,
    build: async (v, job) => { await trainedOnAll(v, job);
      const coef = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x${i}`, Math.round(Math.sin(i + 1) * 1e4) / 1e4]));
      return { form: "model", model: { type: "logistic", coef, intercept: -1.2345 } }; } },
  { name: "report with a URL, a job id, an SM3 digest and English words", quiet: ["text-raw-values", "embedded-tables", "model-raw-values"],
    build: async (v, job) => { await districtLedger(v, job);
      return { form: "report", report: `Method: see https://stats.example.gov.cn/methods/standard-errors.html. Job ${job}; code SM3 66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0. Statistics, Regression, Population, Estimate.` }; } },
  { name: "report with forty accounted figures in prose", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "district", expr: "district" }, { name: "gender", expr: "gender" }, { name: "diagnosis", expr: "diagnosis" }],
        aggs: [{ name: "n", expr: "count(*)", agg: "count" }] });
      const rows = (await ledgerRows(v.conn, t)).filter((r) => Number(r.n) >= 10);
      return { form: "report", report: rows.map((r) => `${String(r.district)}区${r.gender === "M" ? "男性" : "女性"}${String(r.diagnosis)}患者 ${Number(r.n)} 人`).join("，") + "。" }; } },
  { name: "lookup model of 150 accounted cell statistics for 400 subjects (capacity credited to the ledger)", quiet: CONTENT_RULES,
    build: async (v, job) => {
      const t = await accountAggregate(v.conn, job, 1, { groups: [{ name: "g", expr: "age % 30" }], aggs: [
        { name: "n", expr: "count(*)", agg: "count" }, { name: "mean_income", expr: "avg(income)", agg: "avg" },
        { name: "mean_age", expr: "avg(age)", agg: "avg" }, { name: "share_m", expr: "avg(CASE WHEN gender = 'M' THEN 1 ELSE 0 END)", agg: "avg" }] });
      const rows = await ledgerRows(v.conn, t);
      return { form: "model", model: { type: "lookup", table: rows.map((r) => [Number(r.g), Number(r.n), Math.round(Number(r.mean_income)), Math.round(Number(r.mean_age) * 10) / 10, Math.round(Number(r.share_m) * 1000) / 1000]) } }; } },
  { name: "logs with benign progress lines", quiet: CONTENT_RULES,
    build: async () => ({ form: "report", report: "完成。", logs: ["loaded 400 rows", "iteration 12 loss=0.3811", "done in 1.2 s"] }) },
];
