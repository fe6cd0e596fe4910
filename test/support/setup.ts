import { silenceKnownNodeWarnings } from '../../engine/util/node-warnings.js';

// Test files load AWS SDK clients and node:sqlite too; keep the run's output to what the tests say.
silenceKnownNodeWarnings();
