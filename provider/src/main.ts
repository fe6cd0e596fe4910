/**
 * Entry point of the `pulumi-resource-driftless-aws` plugin: serves the Pulumi
 * provider protocol on a loopback port the engine reads from stdout.
 */
import * as provider from '@pulumi/pulumi/provider/index.js';
import { Dispatcher } from './dispatcher.js';
import { providerFunctions } from './functions/index.js';
import { resourceHandlers } from './resources/index.js';

void provider.main(new Dispatcher(resourceHandlers, providerFunctions), process.argv.slice(2));
