import type { Command } from './command.js';
import { localstackCommand } from './commands/localstack.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';

/** Every `driftless` subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [validateCommand, schemaCommand, localstackCommand];
