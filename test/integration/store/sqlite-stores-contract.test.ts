// The store contracts (test/support/store-contract.ts) against the embedded SQLite stores:
// a new file per test, and for the run store a second store on the same file standing in
// for another process.
import { join } from 'node:path';
import { SqliteDaemonStore } from '../../../engine/store/sqlite-daemon-store.js';
import { SqliteDashboardStore } from '../../../engine/store/sqlite-dashboard-store.js';
import { SqliteForgeOutbox } from '../../../engine/store/sqlite-forge-outbox.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import {
  describeDaemonStoreContract,
  describeDashboardStoreContract,
  describeForgeOutboxContract,
  describeRunStoreContract,
  type StoreHarness,
} from '../../support/store-contract.js';
import { tempDir } from '../../support/temp.js';

const dir = tempDir('store-contract');
let files = 0;
const freshFile = () => join(dir, `store-${++files}.db`);

/** A store on a new file; dispose closes it. */
async function harness<S extends { close(): Promise<void> }>(open: (file: string) => S): Promise<StoreHarness<S>> {
  const store = open(freshFile());
  return { store, dispose: () => store.close() };
}

describeRunStoreContract('SQLite', async () => {
  const file = freshFile();
  const store = new SqliteRunStore(file);
  const others: SqliteRunStore[] = [];
  return {
    store,
    async another() {
      const other = new SqliteRunStore(file);
      others.push(other);
      return other;
    },
    async dispose() {
      await Promise.all([store, ...others].map((s) => s.close()));
    },
  };
});
describeDaemonStoreContract('SQLite', () => harness((file) => new SqliteDaemonStore(file)));
describeForgeOutboxContract('SQLite', () => harness((file) => new SqliteForgeOutbox(file)));
describeDashboardStoreContract('SQLite', () => harness((file) => new SqliteDashboardStore(file)));
