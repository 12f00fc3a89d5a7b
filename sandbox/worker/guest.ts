/**
 * The guest half of the sandbox, compiled inside each isolate before the model.
 * It receives the host's two callbacks as closure arguments (they never sit on the
 * global object), captures the intrinsics it needs before user code can replace
 * them, and returns `{ deliver, run }` to the host. Nothing it returns to the host
 * is trusted: the host parses and validates every string it gets back.
 */
export const GUEST_BOOTSTRAP = String.raw`
(function (hostQuery, hostLog, paramsJson) {
  "use strict";
  const g = globalThis;
  const JSONparse = JSON.parse, JSONstringify = JSON.stringify;
  const ObjectKeys = Object.keys, ObjectFreeze = Object.freeze, ObjectDefine = Object.defineProperty;
  const ObjectToString = Object.prototype.toString;
  const ArrayIsArray = Array.isArray, IsView = ArrayBuffer.isView;
  const PromiseC = Promise, ErrorC = Error, TypeErrorC = TypeError, StringC = String;
  const I32 = Int32Array, F64 = Float64Array, I64 = BigInt64Array, BigIntC = BigInt;
  const call = Function.prototype.call;
  const toStr = (v) => call.call(ObjectToString, v);

  // No shared memory, no timers beyond the budget, no unbounded WebAssembly memory;
  // V8's own console goes nowhere, so ctx.log is the only channel.
  for (const name of ["SharedArrayBuffer", "Atomics", "WebAssembly", "performance", "console"]) {
    try { delete g[name]; } catch (e) {}
  }

  class SqlError extends ErrorC {
    constructor(message, code) { super(message); this.name = "SqlError"; this.code = code; }
  }

  const pending = new Map();
  const pendingGet = Map.prototype.get, pendingSet = Map.prototype.set, pendingDelete = Map.prototype.delete;

  function define(target, key, value) {
    ObjectDefine(target, key, { value, enumerable: true, writable: true, configurable: true });
  }

  function query(sql, params) {
    if (typeof sql !== "string") return PromiseC.reject(new TypeErrorC("ctx.query(sql, params?): sql must be a string"));
    if (params !== undefined && !ArrayIsArray(params)) return PromiseC.reject(new TypeErrorC("ctx.query(sql, params?): params must be an array"));
    const paramsText = JSONstringify(params === undefined ? [] : params);
    return new PromiseC((resolve, reject) => {
      const id = hostQuery(sql, paramsText);
      if (typeof id !== "number" || id < 0) { reject(new SqlError("query refused: job limit reached", "LIMIT")); return; }
      call.call(pendingSet, pending, id, { resolve, reject });
    });
  }

  function deliver(id, ok, payload) {
    const waiter = call.call(pendingGet, pending, id);
    if (!waiter) return;
    call.call(pendingDelete, pending, id);
    if (!ok) {
      const e = JSONparse(payload);
      waiter.reject(new SqlError(e.message, e.code));
      return;
    }
    const meta = JSONparse(payload.meta);
    const texts = payload.text ? JSONparse(payload.text) : [];
    const columns = {};
    for (let i = 0; i < meta.columns.length; i++) {
      const c = meta.columns[i];
      let values = c.kind === "i32" ? new I32(payload.buf, c.offset, c.length)
        : c.kind === "f64" ? new F64(payload.buf, c.offset, c.length)
        : c.kind === "i64" ? new I64(payload.buf, c.offset, c.length)
        : texts[c.index];
      // Nullable BIGINT: exact decimal strings on the wire, BigInt (or null) in the model.
      if (c.kind === "i64n") for (let r = 0; r < values.length; r++) values[r] = values[r] === null ? null : BigIntC(values[r]);
      define(columns, c.name, values);
    }
    waiter.resolve({ rowCount: meta.rowCount, columns });
  }

  function format(v) {
    if (typeof v === "string") return v;
    try { const s = JSONstringify(v); if (typeof s === "string") return s; } catch (e) {}
    try { return StringC(v); } catch (e) { return "[unprintable]"; }
  }

  function log(...args) {
    let line = "";
    for (let i = 0; i < args.length; i++) line += (i > 0 ? " " : "") + format(args[i]);
    if (line.length > 4096) line = line.slice(0, 4096) + "…";
    if (hostLog(line) !== true) throw new ErrorC("log limit reached");
  }

  const params = JSONparse(paramsJson);
  const ctx = ObjectFreeze({ query, log, params });

  // Numeric typed-array columns of the result leave in one buffer the bootstrap
  // allocates (never a buffer the model made: it could be resizable or shared).
  let outParts = [];
  let outBuffer = null;
  const AB = ArrayBuffer;
  const INT_TAGS = ["[object Int32Array]", "[object Int16Array]", "[object Int8Array]", "[object Uint16Array]", "[object Uint8Array]", "[object Uint8ClampedArray]"];

  function columnOut(name, v) {
    if (IsView(v)) {
      const tag = toStr(v);
      const n = v.length;
      if (tag === "[object BigInt64Array]" || tag === "[object BigUint64Array]") {
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = StringC(v[i]);
        return [{ name, type: "bigint", values: out }, n];
      }
      if (tag === "[object DataView]") throw new TypeErrorC("table column " + name + ": DataView is not a column");
      let intLike = false;
      for (let i = 0; i < INT_TAGS.length; i++) if (INT_TAGS[i] === tag) intLike = true;
      const part = { kind: intLike ? "i32" : "f64", v, n };
      define(outParts, outParts.length, part);
      return [{ name, type: intLike ? "int" : "double", buf: part }, n];
    }
    if (!ArrayIsArray(v)) throw new TypeErrorC("table column " + name + " must be an array or a typed array");
    let type = "string";
    let seen = false;
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x === null || x === undefined) { out[i] = null; continue; }
      const t = typeof x === "number" ? "double" : typeof x === "string" ? "string" : typeof x === "boolean" ? "bool"
        : typeof x === "bigint" ? "bigint" : "";
      if (t === "") throw new TypeErrorC("table column " + name + " row " + i + " is not a number, string or boolean");
      if (!seen) { type = t; seen = true; } else if (t !== type) throw new TypeErrorC("table column " + name + " mixes types");
      out[i] = t === "bigint" ? StringC(x) : x;
    }
    return [{ name, type, values: out }, n];
  }

  function packParts() {
    let bytes = 0;
    for (let p = 0; p < outParts.length; p++) {
      const part = outParts[p];
      bytes += (8 - (bytes % 8)) % 8;
      part.offset = bytes;
      bytes += part.n * (part.kind === "i32" ? 4 : 8);
    }
    const ab = new AB(bytes);
    for (let p = 0; p < outParts.length; p++) {
      const part = outParts[p];
      const dst = part.kind === "i32" ? new I32(ab, part.offset, part.n) : new F64(ab, part.offset, part.n);
      const src = part.v;
      for (let i = 0; i < part.n; i++) dst[i] = src[i];
      // Replace the live part by its plain description for the JSON text.
      part.v = undefined;
    }
    return ab;
  }

  function encodeResult(r) {
    if (r === undefined || r === null) return JSONstringify({ ok: true, out: {} });
    if (typeof r !== "object") throw new TypeErrorC("the model must return an object { tables?, model?, report?, index? }");
    outParts = [];
    outBuffer = null;
    const out = {};
    if (r.tables !== undefined) {
      const tables = {};
      for (const tname of ObjectKeys(r.tables)) {
        const cols = r.tables[tname];
        if (cols === null || typeof cols !== "object") throw new TypeErrorC("table " + tname + " must be an object of columns");
        const list = [];
        let rowCount = -1;
        for (const cname of ObjectKeys(cols)) {
          const [c, n] = columnOut(cname, cols[cname]);
          if (rowCount < 0) rowCount = n;
          else if (n !== rowCount) throw new TypeErrorC("table " + tname + ": column " + cname + " has a different length");
          define(list, list.length, c);
        }
        define(tables, tname, { rowCount: rowCount < 0 ? 0 : rowCount, columns: list });
      }
      out.tables = tables;
    }
    if (r.model !== undefined) out.model = r.model;
    if (r.declare !== undefined) out.declare = r.declare;
    if (r.report !== undefined) {
      if (typeof r.report !== "string") throw new TypeErrorC("report must be a string");
      out.report = r.report;
    }
    if (r.index !== undefined) {
      if (!ArrayIsArray(r.index)) throw new TypeErrorC("index must be an array of numbers");
      out.index = r.index;
    }
    const buffer = packParts();
    const text = JSONstringify({ ok: true, out });
    outBuffer = buffer;
    return text;
  }

  function describe(e) {
    let name = "Error", message = "", stack = "", code = "";
    try {
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        const n = e.name; if (typeof n === "string") name = n;
        const m = e.message; if (typeof m === "string") message = m;
        const s = e.stack; if (typeof s === "string") stack = s;
        const c = e.code; if (typeof c === "string") code = c;
      } else {
        name = "Throw";
        message = StringC(e);
      }
    } catch (inner) { message = "[error while describing the error]"; }
    return JSONstringify({ ok: false, error: { name, message, stack, code } });
  }

  async function run(model) {
    try {
      if (typeof model !== "function") throw new TypeErrorC("the model's default export must be a function (ctx) => result");
      const r = await model(ctx);
      return encodeResult(r);
    } catch (e) {
      try { return describe(e); } catch (e2) { return '{"ok":false,"error":{"name":"Error","message":"","stack":"","code":""}}'; }
    }
  }

  function take() {
    const b = outBuffer;
    outBuffer = null;
    return b === null ? new AB(0) : b;
  }

  return { deliver, run, take };
})
`;
