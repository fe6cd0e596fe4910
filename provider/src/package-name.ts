/** Name of driftless's own AWS resource provider (never `aws`, so it cannot shadow the real plugin). */
export const PROVIDER_NAME = 'driftless-aws';

/** Version the plugin reports; the engine finds the plugin by path, so it only labels state. */
export const PROVIDER_VERSION = '0.1.0';
