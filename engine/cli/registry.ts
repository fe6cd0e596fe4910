import type { Command } from './command.js';
import { historyCommand } from './commands/history.js';
import { localstackCommand } from './commands/localstack.js';
import { destroyCommand, previewCommand, upCommand } from './commands/reconcile-commands.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';

/** Every `driftless` subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  validateCommand,
  previewCommand,
  upCommand,
  destroyCommand,
  historyCommand,
  schemaCommand,
  localstackCommand,
];
