import { parseArgs } from 'node:util';
import { toolchainVersions } from '../../toolchain/versions.js';
import { type Command, ExitCode, printJson } from '../command.js';

/** `driftless version`: the versions of driftless and of every tool it runs. */
export const versionCommand: Command = {
  name: 'version',
  usage: `usage: driftless version [--json]

  Prints the driftless, Node, Pulumi CLI, Pulumi SDK, provider plugin and LocalStack
  versions. The Pulumi CLI and SDK must be equal (setup builds the CLI at the SDK's
  version); a mismatch exits 1.

  --json  machine-readable output`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    const v = await toolchainVersions();
    const consistent = v.pulumiCli === v.pulumiSdk;
    if (values.json) {
      printJson(io, { ...v, pulumiConsistent: consistent });
    } else {
      const rows: [string, string][] = [
        ['driftless', v.driftless],
        ['node', v.node],
        ['pulumi cli', v.pulumiCli ?? 'not installed (run `npm run setup`)'],
        ['pulumi sdk', v.pulumiSdk],
        [v.provider.name, v.provider.version],
        ['localstack', v.localstack ?? 'not installed (run `npm run setup`)'],
      ];
      for (const [k, val] of rows) io.out(`${k.padEnd(14)} ${val}\n`);
    }
    if (!consistent) {
      io.err(`driftless version: the Pulumi CLI (${v.pulumiCli ?? 'missing'}) and SDK (${v.pulumiSdk}) differ: run \`npm run setup\`\n`);
      return ExitCode.error;
    }
    return ExitCode.ok;
  },
};
