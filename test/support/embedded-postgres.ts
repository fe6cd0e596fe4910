// The tests' PostgreSQL is the one the bench and local trials use.
export { startTestPostgres, type TestPostgres } from '../../engine/localpg/embedded-postgres.js';
