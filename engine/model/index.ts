// The shared domain types of driftless, imported by every layer (core, adapters, CLI,
// daemon). It imports nothing outside engine/model, which the layering check enforces.
export * from './error-kind.js';
export * from './records.js';
export * from './plugins.js';
export * from './environment-status.js';
export * from './stack-job.js';
