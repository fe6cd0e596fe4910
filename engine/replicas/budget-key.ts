import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LoadedEnvironment } from '../load/index.js';
import type { Logger } from '../log/logger.js';

/**
 * The `<account>/<region>` an environment's operations count against. The account is the
 * one the replica's credentials resolve to at the environment's endpoint (STS
 * GetCallerIdentity, asked once per endpoint and region); when STS cannot answer, the
 * key is `unknown/<region>`, so the environment still shares one budget with its region.
 */
export class BudgetKeys {
  private readonly known = new Map<string, Promise<string>>();

  constructor(
    private readonly log: Logger,
    private readonly awsEndpointOverride: string | undefined,
  ) {}

  of(env: LoadedEnvironment): Promise<string> {
    const region = env.spec.aws.region;
    const endpoint = this.awsEndpointOverride ?? env.spec.aws.endpoint;
    const cacheKey = `${endpoint ?? ''}|${region}`;
    let key = this.known.get(cacheKey);
    if (!key) {
      key = this.resolve(region, endpoint);
      this.known.set(cacheKey, key);
      // An unknown account is asked again next time (STS may be back).
      void key.then((k) => k.startsWith('unknown/') && this.known.delete(cacheKey));
    }
    return key;
  }

  private async resolve(region: string, endpoint: string | undefined): Promise<string> {
    const sts = new STSClient({ region, ...(endpoint ? { endpoint } : {}), maxAttempts: 2 });
    try {
      const who = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(5000) });
      return `${who.Account ?? 'unknown'}/${region}`;
    } catch (e) {
      this.log.warn(
        { region, reason: e instanceof Error ? e.name : String(e) },
        `the AWS account of ${region} is unknown (STS did not answer): its operations share the budget unknown/${region}`,
      );
      return `unknown/${region}`;
    } finally {
      sts.destroy();
    }
  }
}
