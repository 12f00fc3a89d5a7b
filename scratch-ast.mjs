import { DuckDBInstance } from "@duckdb/node-api";
const inst = await DuckDBInstance.create(":memory:"); const c = await inst.connect();
const q = process.argv[2];
const r = await c.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [q]);
const ast = JSON.parse(r.getRows()[0][0]);
console.log(JSON.stringify(ast.statements[0].node, (k,v)=> k==="query_location"?undefined:v, 1).replace(/\n\s*/g," ").slice(0, 6000));
const d = await c.runAndReadAll("SELECT json_deserialize_sql($1::JSON)", [JSON.stringify(ast, (k,v)=> k==="query_location"?0:v)]);
console.log("DESER:", d.getRows()[0][0]);
