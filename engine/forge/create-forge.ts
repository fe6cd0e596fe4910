import type { Forge } from './forge.js';
import { GiteaForge } from './gitea.js';
import { GithubForge } from './github.js';
import { GitlabForge } from './gitlab.js';

export interface ForgeSettings {
  type: 'github' | 'gitlab' | 'gitea';
  baseUrl?: string | undefined;
  repository: string;
  token: string;
  fetch?: typeof fetch;
}

/** The adapter a configuration names. */
export function createForge(s: ForgeSettings): Forge {
  const common = { repository: s.repository, token: s.token, ...(s.fetch ? { fetch: s.fetch } : {}) };
  switch (s.type) {
    case 'github':
      return new GithubForge({ ...common, baseUrl: s.baseUrl });
    case 'gitlab':
      return new GitlabForge({ ...common, baseUrl: s.baseUrl });
    case 'gitea':
      if (!s.baseUrl) throw new Error('forge.baseUrl is required for gitea');
      return new GiteaForge({ ...common, baseUrl: s.baseUrl });
  }
}
