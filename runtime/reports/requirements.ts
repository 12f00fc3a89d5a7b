/**
 * REQUIREMENTS.md (R1-R10), article by article, with the mechanism that carries each one
 * out. `proof` picks, among the tests whose titles name the requirement's id, those that
 * prove this article; `status` says honestly where shuyu stops short.
 */

/** One article (or group of articles saying the same thing) and how shuyu meets it. */
export interface Article {
  cite: string;
  text: string;
  mechanism: string;
  status: "met" | "partial" | "not-yet";
  /** Test titles matching this pattern (within the requirement's tests) prove the article. */
  proof?: RegExp;
}

/** One capability of REQUIREMENTS.md. */
export interface Requirement {
  id: `R${number}`;
  title: string;
  articles: Article[];
}

export const REQUIREMENTS: Requirement[] = [
  {
    id: "R1",
    title: "Raw data stays in the domain",
    articles: [
      { cite: "GZ 3, HLJ 4, HB 4, ZJ 4, GY 32", text: "原始数据不出域、数据可用不可见 — raw data never leaves; usable but not visible", status: "met",
        mechanism: "Raw data lives only in the domain's DuckDB vault; jobs run in an isolated-vm isolate inside a worker process that opens only the scenario's library with DuckDB locked down (runtime/services/jobs.ts, sandbox/); outbox/ receives only sealed, reviewed packages (runtime/services/egress.ts).",
        proof: /isolat|lockdown|guard|end to end|SIGKILL|attack|error channel/i },
      { cite: "GZ 24, HLJ 22", text: "no export of raw data, nor of products from which raw data can be restored by a reversible model or algorithm", status: "met",
        mechanism: "Hard (block) egress rules computed-table, cell-subjects, differencing, k-anonymity, identifier-equivalent, raw-values, hashed-identifiers and model-memorization (policies/disclosure/); a blocked request can never be approved (EGRESS_BLOCKED, exit 4).",
        proof: /block|revers|re-identif|code book|k is configurable/i },
      { cite: "ZJ 16", text: "the domain is the only zone for application, processing and development; none of it leaves", status: "met",
        mechanism: "`job dev` runs on the desensitized sample library; `job submit` runs on the raw library and stages outputs in staging/, shown to the developer only as coarse counts (runtime/jobs/, runtime/services/jobs.ts); outbox/ holds only sealed, reviewed packages.",
        proof: /ZJ 16/ },
      { cite: "HLJ 22", text: "no leaking, tampering or destroying public data; no providing it to third parties", status: "met",
        mechanism: "SM3 digests of every source file and library file, SM3-linked audit chain, atomic ingest (complete or absent after a crash); third parties receive only SM2-sealed packages; a changed package byte or audit entry is detected.",
        proof: /HLJ 22/ },
    ],
  },
  {
    id: "R2",
    title: "Catalog, grading and sample data",
    articles: [
      { cite: "GZ 13, HB 19", text: "a development data catalog with sample data; entries carry their authorization status, updated dynamically", status: "met",
        mechanism: "`shuyu catalog list` / `catalog show ID --sample` (runtime/services/catalog.ts): the authorization status is computed from active agreements and approved scenarios at each read.",
        proof: /sample|catalog/i },
      { cite: "HB 24(2)", text: "developers build and test on sampled, desensitized sample data; raw data is invisible to them", status: "met",
        mechanism: "policies/sample/ draws columns independently and replaces identifiers with format-valid fakes; dev-mode jobs read only the scenario's sample library.",
        proof: /sample|fake/i },
      { cite: "GY 10", text: "a catalog entry states name, content, format, source, category, sharing and opening attributes, grade, usage requirements, update cycle", status: "met",
        mechanism: "datasets + dataset_meta tables (runtime/domain/control-schema.ts), set at ingest (`dataset ingest --name --description --category --sharing --opening --update-cycle`).",
        proof: /GY 10/ },
      { cite: "GY 12", text: "negative list — neither shared nor opened", status: "met",
        mechanism: "`--negative-list` at ingest: hidden from developers' catalog, refused in agreements (NEGATIVE_LIST) and scenarios.",
        proof: /negative/i },
      { cite: "GY 21, GY 28", text: "sharing types (unconditional / conditional / none) and opening types", status: "met",
        mechanism: "dataset_meta.sharing and dataset_meta.opening, validated enums (runtime/services/datasets.ts)." },
      { cite: "HLJ 8, ZJ 14(2), ZJ 28", text: "classification and grading (分类分级) rules apply", status: "met",
        mechanism: "Grade 1..4 on every dataset; PII discovery proposes column tags (pii:<type>, quasi, sensitive) confirmed with `dataset tag`; the grade selects the desensitization policy and grade 4 needs two reviewers.",
        proof: /HLJ 8/ },
    ],
  },
  {
    id: "R3",
    title: "Subjects, agreements and their end",
    articles: [
      { cite: "ZJ 7-8, GZ 5", text: "two levels: the operating subject and developer subjects, each authorized by the level above", status: "met",
        mechanism: "Organisation kinds operator (exactly one) / provider / developer; agreements are made by the operator's admin with developer organisations only (runtime/services/agreements.ts).",
        proof: /agreement|termination/i },
      { cite: "GZ 7, HLJ 14(2), HB 9, ZJ 8, GY 32", text: "an authorization lasts at most 3 years", status: "met",
        mechanism: "addAgreement refuses an end date beyond start + 3 years (TERM_TOO_LONG) and a continuous span per organisation and dataset, renewals included, beyond 3 years (SPAN_TOO_LONG, runtime/lifecycle/terms.ts); start and end are enforced at every gate; lapsed agreements expire on the spot and are purged.",
        proof: /three years|before its start|expir/i },
      { cite: "ZJ 11, GZ 7", text: "a developer agreement cannot outlast the operator's own authorization; a renewal is applied for within 3 months before expiry", status: "met",
        mechanism: "The operator's authorization (dates, datasets, reference) is recorded at init or by `operator authorize`; it bounds every agreement (BEYOND_OPERATOR_AUTHORIZATION) and every gate stops when it lapses; a renewal earlier than 3 months before expiry is refused (RENEWAL_TOO_EARLY).",
        proof: /operator's own authorization|renewal/i },
      { cite: "HB 21", text: "no re-authorization or sub-authorization by the operator", status: "met",
        mechanism: "Only `agreement.add` (operator admin) creates an authorization; developers cannot create accounts, agreements or grants (policies/authz/actions.ts).",
        proof: /HB 21/ },
      { cite: "HB 24(1), ZJ 28", text: "real-name personnel, access control, every operation recorded and reviewable", status: "met",
        mechanism: "Real-name accounts with one-time tokens stored as salted SM3 digests; `personnel record` files each holder's real-name verification and confidentiality agreement, required of developers' accounts at every gate once admission is required; one policy engine decides every action; every action, and every refused attempt of a known account (access.denied), is appended to the SM3 audit chain.",
        proof: /HB 24\(1\)/ },
      { cite: "GZ 9, ZJ 9, ZJ 14(5), GZ 20, ZJ 31, GY 35", text: "developers are admitted on qualifications after a publicity period; their performance is evaluated and they can be removed", status: "met",
        mechanism: "`admission apply` (qualifications, publicity period shown in the public disclosure), `admission decide --admit` only after the period, `--reject`, `--remove`; `admission evaluate` records evaluations; with `admission policy --require` the one state check refuses a developer organisation not admitted (ORG_NOT_ADMITTED) at every gate, its products included (runtime/obligations/admission.ts, access.ts).",
        proof: /GZ 9/ },
      { cite: "GZ 26, HLJ 29-30, HB 18, ZJ 30, ZJ 32", text: "on breach suspend, rectify, terminate; on termination close permissions, delete data held in the domain, delist products, keep logs (≥ 6 months / 2 years / 5 years)", status: "met",
        mechanism: "`agreement suspend|resume|terminate`, `org terminate`: one state check at every gate (runtime/lifecycle/standing.ts); termination and expiry purge libraries, samples, staging, staged/gate/ledger tables and packages, wipe the vault's free blocks, reject pending requests, delist products, revoke accounts, and write a purge receipt with SM3s to the audit chain (runtime/lifecycle/purge.ts); incidents stop processing; the access log and the chain are kept 5 years and nothing inside the window can be deleted (runtime/lifecycle/retention.ts).",
        proof: /purge|terminat|incident|retention/i },
    ],
  },
  {
    id: "R4",
    title: "One scenario, one review",
    articles: [
      { cite: "GZ 13(bis), GZ 15, HB 22, GY 32, GY 34", text: "every application scenario is reviewed on its own", status: "met",
        mechanism: "Each scenario is submitted alone and needs its own approvals (runtime/services/scenarios.ts); jobs run only under an approved, unexpired scenario.",
        proof: /approval|scenario/i },
      { cite: "HB 20, ZJ 15(3)", text: "data requested is the minimum necessary", status: "met",
        mechanism: "Grants name columns (`--grant DATASET:COL,COL`, `--join-only` for columns usable only to join and filter) of datasets with a confirmed subject key; the scenario's library materialises exactly those columns (plus the hidden subject id models never see) as Parquet with SM3 digests.",
        proof: /least|granted columns/i },
      { cite: "HLJ 17-18", text: "an application states scenario, purpose and scope; review checks purpose, scope, legality, risk", status: "met",
        mechanism: "A purpose of at least 10 characters and explicit column grants are required; approvals and rejections are recorded with who, when and why.",
        proof: /scenario/i },
      { cite: "HB 23, GY 34(2)", text: "the data provider approves or refuses; a refusal states its reason", status: "met",
        mechanism: "Every provider whose dataset a scenario uses must approve (plus the operator); `scenario reject` requires --reason.",
        proof: /reject|provider/i },
      { cite: "HB 28", text: "whitelists of scenarios and data, and exempt subjects, allow fast review", status: "met",
        mechanism: "`whitelist add --kind dataset|template|org`: a scenario whose datasets are all whitelisted, whose purpose is a whitelisted template, or whose organisation is exempt is approved by the operator alone; the approval records the fast-review basis; each scenario is still submitted and approved on its own (runtime/obligations/whitelist.ts).",
        proof: /HB 28/ },
      { cite: "GZ 23, HB 27(2), ZJ 20(2)", text: "personal information or trade secrets need desensitization or the data subject's authorization, with records kept; a 核验 product needs the person's authorization when it is called", status: "met",
        mechanism: "PII columns are tagged, faked in samples and desensitized at egress; `consent basis` records a scenario's legal basis; `consent record|revoke` keeps data subjects' authorizations (keyed SM3 digest of the key value, scope, term, revocation); a data interface whose SQL touches a person's identifier is personal, and each call must bind the subject key and find an authorization in force (CONSENT_REQUIRED, CONSENT_SUBJECT_UNBOUND), checked on every call (runtime/obligations/consent.ts, subject-params.ts).",
        proof: /GZ 23/ },
      { cite: "HB 24(3), ZJ 20, HLJ 25", text: "approved non-public (social) data may be imported and fused with public data", status: "met",
        mechanism: "`social import` records the lawful source and imports a developer organisation's own data; it is marked social in the catalog, visible, authorizable and grantable only for that organisation, and fused with public data only inside its scenarios granting both (R10).",
        proof: /HB 24\(3\)/ },
    ],
  },
  {
    id: "R5",
    title: "Development inside the domain",
    articles: [
      { cite: "GZ 16, HB 24", text: "models and products are built inside the domain", status: "met",
        mechanism: "Models (JS/TS modules) and SQL run in the sandbox over the scenario's library; outputs stay in staging until the egress gate.",
        proof: /model|SQL|job/i },
      { cite: "HLJ 16, HB 17, ZJ 17", text: "secure access, trusted control, modeling, fusion, quality management, interface generation, identity, access control, encryption, desensitization, traceability, backup, privacy computing", status: "partial",
        mechanism: "Tokens and the policy engine (identity, access control), sandbox (modeling, fusion, privacy computing), SM4 envelopes (encryption), policies/desensitize, the audit chain (traceability), feedback (quality), data-interface products over HTTP (interface generation), `shuyu backup`/`restore` (sealed consistent snapshots). Visualization is the console's; quality management beyond feedback is not modelled.",
        proof: /HLJ 16/ },
    ],
  },
  {
    id: "R6",
    title: "Egress review (出域审查) and products",
    articles: [
      { cite: "GZ 17, HB 26, ZJ 21", text: "every product is reviewed before it leaves: purpose and scope, sources, desensitization, no raw or sensitive data, no personal information or trade secrets, access control, subjects' authorization", status: "met",
        mechanism: "`egress request` desensitizes by policy and runs every disclosure rule; a reviewer of another organisation decides (two for grade 4); the manifest states scenario, purpose, datasets and columns, checks and reviewers.",
        proof: /review|gate|legitimate|small|dominance|differencing|mask/i },
      { cite: "HB 3, ZJ 3, HB 4", text: "product forms: datasets, interfaces, models, indices, reports; verification (核验) services", status: "met",
        mechanism: "Egress forms dataset|report|model|index; data-interface products including 核验 (match/no_match) answers served by `shuyu serve`.",
        proof: /核验|interface|form/i },
      { cite: "HB 26(2), ZJ 22, GZ 18", text: "approved products are registered (登记/存证) on an external registration platform before trading", status: "met",
        mechanism: "`product register` gives a listed product its catalog entry (name, description, pricing, registration number); `product registration` exports the signed record (shuyu-registration/1, SM2 by the domain seal) for the external platform and `product verify-registration` checks it offline. Sending it to a particular platform's API is left to the operator.",
        proof: /HB 26\(2\)/ },
      { cite: "ZJ 21, HLJ 20(4), GY 31", text: "the product catalog is maintained and published; a single product can be recalled", status: "met",
        mechanism: "`product catalog` (name, form, scenario, sources, price, registration number, state) and the public disclosure's listed products; `product delist ID --reason` stops calls and delivery at once (PRODUCT_DELISTED), audited.",
        proof: /GY 31|HLJ 20\(4\)/ },
      { cite: "HB 27, HB 31", text: "a product-use agreement states delivery, pricing, scenario, conditions, term, and is filed; only its holders use the product", status: "met",
        mechanism: "`use add` files a use agreement (buyer, use scenario, delivery api|package, price or public interest, conditions, term); every call and every package delivery by another organisation needs one in force (USE_AGREEMENT_REQUIRED), checked per call through the one state check (runtime/obligations/use-agreements.ts, access.ts).",
        proof: /HB 27/ },
      { cite: "ZJ 11, ZJ 23, ZJ 25, HB 29, GY 33", text: "fees are cost-based; public-interest use is free", status: "met",
        mechanism: "The register records cost-based prices with their cost basis or free; a use agreement's price (0 for public interest) is charged per answered call and per delivery into usage_records; `usage report` and the activity report's market section sum calls, users and revenue (runtime/obligations/metering.ts).",
        proof: /ZJ 25/ },
      { cite: "GY 26", text: "data providers stamp document and certificate data with the provincial unified electronic seal service", status: "not-yet",
        mechanism: "Not implemented: the provincial electronic-seal service is not integrated. (Packages carry a GM/T 0010 SignedData by the domain's own SM2 seal, an integrity measure, not this article.)" },
      { cite: "GZ 25", text: "commercial cryptography (SM2/SM3/SM4)", status: "met",
        mechanism: "crypto/: SM2 (TypeScript, OpenSSL-interoperable), SM3 and SM4 from OpenSSL, checked against the standards' vectors.",
        proof: /SM2|SM3|SM4|GB\/T|EnvelopedData/i },
    ],
  },
  {
    id: "R7",
    title: "Supervision, audit and reporting",
    articles: [
      { cite: "HLJ 16, HB 17, ZJ 17", text: "supervision and traceability over the whole process; authorization evidence", status: "met",
        mechanism: "Every service appends who/what/object/details to the SM3-linked audit chain before committing; `audit verify` checks it against the head recorded in the control store; a regulator organisation's auditors get a read-only supervision view over CLI and API (ZJ 17); `audit export` writes a sealed archive for them.",
        proof: /chain|auditor|supervis|export/i },
      { cite: "HB 34(2)", text: "full-process records of public data use", status: "met",
        mechanism: "`shuyu audit log` filters the chain by actor, action, object and time.",
        proof: /auditor|chain/i },
      { cite: "HLJ 20(5), HB 22", text: "disclose authorizations (who, what, scope, term) to the public; approved scenarios are published", status: "met",
        mechanism: "`shuyu disclosure` (no token), `GET /api/public/disclosure` and the page `GET /public` (no authentication) list the authorizations in force (organisation, datasets, term), approved scenarios (purpose, data used, organisation), listed products and admissions in publicity — nothing else (runtime/obligations/disclosure.ts).",
        proof: /HLJ 20\(5\)/ },
      { cite: "HB 37, ZJ 26", text: "annual and periodic reports: storage, processing, analysis, fusion, market operation, developer activity", status: "met",
        mechanism: "`shuyu report activity --from --to` (Markdown or JSON): holdings, authorizations, scenario reviews, jobs, egress decisions, products, the market section (calls, users, revenue per product), quality feedback, incidents and purges.",
        proof: /lists authorizations|the activity report lists/ },
      { cite: "HB 34(3), HB 35, ZJ 14(1), HLJ 27, GY 39", text: "security incidents: stop processing at once, record, rectify", status: "met",
        mechanism: "`incident open --scope org|scenario|dataset|domain` stops processing in the scope at once through the one state check (running jobs cancelled, egress frozen, API products paused); `incident close` requires a rectification report and a deadline (runtime/lifecycle/incidents.ts).",
        proof: /incident/i },
      { cite: "GY 34(4)", text: "periodic risk assessment reports", status: "partial",
        mechanism: "The activity report counts blocked and rejected egress requests, review findings and overdue feedback; a written risk assessment is left to the operator.",
        proof: /activity/i },
    ],
  },
  {
    id: "R8",
    title: "Data quality feedback",
    articles: [
      { cite: "GZ 21, HB 25, HLJ 19, GY 24", text: "developers and the operator report quality problems; the provider answers within the deadline (3 or 10 working days, public holidays in the calendar)", status: "met",
        mechanism: "`feedback submit` (developers and the operator's admins) routes to the dataset's provider with a due date 3 working days ahead (`feedback deadline --working-days` up to 10), counted in the domain's time zone (Asia/Shanghai) over the calendar of `calendar set --holiday|--workday`; `feedback answer` by the provider; overdue items are flagged and reported.",
        proof: /feedback|overdue|working/i },
    ],
  },
  {
    id: "R9",
    title: "Capacity",
    articles: [
      { cite: "—", text: "the platform shows, with its own benchmarks, how much data and how many jobs, checks and signatures it can process", status: "met",
        mechanism: "`shuyu bench [--quick] [--json]`: ingest, sample, library, job start, ctx.query delivery, desensitization, egress checks, sealing, SM2/SM3/SM4, each next to a same-run yardstick, plus a scaling curve.",
        proof: /bench|capacity/i },
    ],
  },
  {
    id: "R10",
    title: "Social data",
    articles: [
      { cite: "HB 24(3), HB 32, ZJ 20, HLJ 25", text: "approved non-public data may be brought in by a developer, with its lawful source recorded, and fused with public data inside the domain only", status: "met",
        mechanism: "`social import --org DEV --lawful-source …` writes the approval before ingesting (the operator holds the data in custody); the catalog marks it social and shows it only to its organisation and operator staff; agreements and scenarios of other organisations cannot name it (NOT_FOUND, as for a dataset that does not exist); the public disclosure omits it; it joins public data only in its own organisation's scenarios granting both (runtime/obligations/social.ts).",
        proof: /HB 24\(3\)/ },
    ],
  },
];
