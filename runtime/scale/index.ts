export { PgConnection, numberPlaceholders, PG_COMPAT_FUNCTIONS } from "./pg-connection.js";
export { startLocalPostgres, createDatabase, dropDatabase, freePort, type LocalPostgres } from "./local-postgres.js";
