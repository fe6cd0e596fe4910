import type { Command } from './command.js';
import { localstackCommand } from './commands/localstack.js';

/** Every `driftless` subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [localstackCommand];
