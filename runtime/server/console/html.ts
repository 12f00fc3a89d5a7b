/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A tagged template whose interpolations are escaped unless wrapped in raw(). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    out += Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.text : esc(x))).join("") : v instanceof Raw ? v.text : esc(v);
    out += strings[i + 1];
  });
  return new Raw(out);
}

/** Already-safe HTML. */
export class Raw {
  constructor(readonly text: string) {}
}

/** Marks trusted markup (built by html``) as safe. */
export function raw(text: string): Raw {
  return new Raw(text);
}

/** A table with a caption and header cells; cells are escaped unless Raw. */
export function table(caption: string, head: string[], rows: unknown[][]): Raw {
  // The wrapper scrolls sideways on a narrow screen instead of widening the page.
  return html`<div class="scroll"><table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

const STYLE = `
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}
header button{color:#1f3a5f;background:#fff;border:1px solid #fff;border-radius:3px}
nav a{margin-right:.8rem}
main{padding:1rem;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;background:#fff;width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #c9ced6;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#e9edf2}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a000;outline-offset:1px}
button{font:inherit;padding:.25rem .8rem;cursor:pointer}
.block{background:#fde8e8;border:1px solid #d33;padding:.5rem;margin:.5rem 0}
.warn{background:#fff6dc;border:1px solid #c90;padding:.5rem;margin:.5rem 0}
.ok{background:#e6f6e6;border:1px solid #393;padding:.5rem;margin:.5rem 0}
form.inline{display:inline}
.scroll{overflow-x:auto;max-width:100%}
mark{background:#ffd54f;font-weight:600}
pre{background:#fff;border:1px solid #c9ced6;padding:.5rem;overflow-x:auto;font-size:.85rem}
@media (max-width:600px){main{padding:.5rem}th,td{font-size:.8rem;padding:.2rem .3rem}header{gap:.4rem}}
label{display:block;margin:.4rem 0 .1rem}
.lang{margin-left:auto}
`;

/** The page frame: header with navigation and language switch, then the body. */
export function layout(o: { lang: string; title: string; nav: Raw; user?: Raw; body: Raw; switchLabel: string }): string {
  return (
    "<!doctype html>" +
    html`<html lang="${o.lang === "en" ? "en" : "zh-CN"}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} — shuyu 数域</title><style>${raw(STYLE)}</style></head><body>
<header><strong>shuyu 数域</strong>${o.nav}${o.user ?? ""}<span class="lang"><a href="/lang/${o.lang === "en" ? "zh" : "en"}" lang="${o.lang === "en" ? "zh-CN" : "en"}">${o.switchLabel}</a></span></header>
<main id="main"><h1>${o.title}</h1>${o.body}</main></body></html>`.text
  );
}
