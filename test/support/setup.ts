import { silenceNodeVersionWarning } from '../../engine/util/node-warnings.js';

// Test files load AWS SDK clients too; keep the run's output to what the tests say.
silenceNodeVersionWarning();
