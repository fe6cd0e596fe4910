import { callerIdentity } from './caller-identity.js';
import type { ProviderFunction } from './function.js';

/** Every function (invoke) the provider serves. */
export const providerFunctions: readonly ProviderFunction[] = [callerIdentity];
