// Entry module of @acme/driftless-templates, named in package.json as
// "driftless": { "templates": "./dist/index.js" }. The engine imports it at start-up and
// installs every definition in `templates`.
import { alarmTopicTemplate } from './alarm-topic.js';
import { workerTemplate } from './worker.js';

export const templates = [workerTemplate, alarmTopicTemplate];
