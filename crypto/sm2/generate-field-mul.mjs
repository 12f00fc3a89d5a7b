// Prints the unrolled mul/sqr of field.ts: node crypto/sm2/generate-field-mul.mjs > /tmp/mul.ts, then
// replace everything from "/** o = a·b mod p" to the end of field.ts with its output.
const out = [];
function reduceTail(s) {
  for (let i = 30; i >= 16; i--) s.push(`  t${i - 2} += t${i}; t${i - 10} += t${i}; t${i - 12} -= t${i}; t${i - 16} += t${i};`);
  // Take the top limb's carry first and fold it (2^256 ≡ 2^224 + 2^96 − 2^64 + 1), so one
  // carry pass leaves a final carry |c| < 2^14; folding that leaves limbs 0, 4, 6, 14 loose.
  s.push("  let c = Math.floor(t15 * INV_RADIX);");
  s.push("  t15 -= c * RADIX; t14 += c; t6 += c; t4 -= c; t0 += c;");
  s.push("  c = 0;");
  for (let i = 0; i < 16; i++) s.push(`  t${i} += c; c = Math.floor(t${i} * INV_RADIX); t${i} -= c * RADIX;`);
  s.push("  t14 += c; t6 += c; t4 -= c; t0 += c;");
  for (let i = 0; i < 16; i++) s.push(`  o[${i}] = t${i};`);
}
{
  const s = [];
  s.push("/** o = a·b mod p (loose limbs in, loose limbs out; o may alias a or b). */");
  s.push("export function mul(o: Fe, a: Fe, b: Fe): void {");
  for (let i = 0; i < 16; i++) s.push(`  const a${i} = a[${i}], b${i} = b[${i}];`);
  for (let k = 0; k < 31; k++) {
    const terms = [];
    for (let i = 0; i < 16; i++) { const j = k - i; if (j >= 0 && j < 16) terms.push(`a${i} * b${j}`); }
    s.push(`  ${k >= 29 ? "const" : "let"} t${k} = ${terms.join(" + ")};`);
  }
  reduceTail(s);
  s.push("}");
  out.push(s.join("\n"));
}
{
  const s = [];
  s.push("/** o = a² mod p (loose limbs in, loose limbs out; o may alias a). */");
  s.push("export function sqr(o: Fe, a: Fe): void {");
  for (let i = 0; i < 16; i++) s.push(`  const a${i} = a[${i}];`);
  for (let i = 0; i < 15; i++) s.push(`  const d${i} = 2 * a${i};`);
  for (let k = 0; k < 31; k++) {
    const terms = [];
    for (let i = 0; i < 16; i++) { const j = k - i; if (j > i && j < 16) terms.push(`d${i} * a${j}`); else if (j === i) terms.push(`a${i} * a${i}`); }
    s.push(`  ${k >= 29 ? "const" : "let"} t${k} = ${terms.join(" + ")};`);
  }
  reduceTail(s);
  s.push("}");
  out.push(s.join("\n"));
}
console.log(out.join("\n\n"));
