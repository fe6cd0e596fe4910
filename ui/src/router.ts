import { useEffect, useState } from 'preact/hooks';

/** The views, addressed by the URL's hash so every view is a real link. */
export type Route =
  | { view: 'fleet' }
  | { view: 'environment'; environment: string; stack?: string | undefined }
  | { view: 'run'; id: number }
  | { view: 'drift'; environment: string; stack?: string | undefined }
  | { view: 'previews'; branch?: string | undefined }
  | { view: 'missing'; path: string };

const part = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : decodeURIComponent(s));

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head, ...rest] = path.split('/');
  switch (head) {
    case '':
    case undefined:
      return { view: 'fleet' };
    case 'env':
      return rest[0] ? { view: 'environment', environment: part(rest[0]) ?? '', stack: part(rest[1]) } : { view: 'fleet' };
    case 'run': {
      const id = Number(rest[0]);
      return Number.isInteger(id) && id > 0 ? { view: 'run', id } : { view: 'missing', path };
    }
    case 'drift':
      return rest[0] ? { view: 'drift', environment: part(rest[0]) ?? '', stack: part(rest[1]) } : { view: 'missing', path };
    case 'previews':
      // Branch names hold slashes: the rest of the path is the branch.
      return { view: 'previews', branch: rest.length > 0 ? part(rest.join('/')) : undefined };
    default:
      return { view: 'missing', path };
  }
}

/** Links to the views. */
export const href = {
  fleet: () => '#/',
  environment: (env: string, stack?: string) => `#/env/${encodeURIComponent(env)}${stack ? `/${encodeURIComponent(stack)}` : ''}`,
  run: (id: number) => `#/run/${id}`,
  drift: (env: string, stack?: string) => `#/drift/${encodeURIComponent(env)}${stack ? `/${encodeURIComponent(stack)}` : ''}`,
  previews: (branch?: string) => `#/previews${branch ? `/${branch.split('/').map(encodeURIComponent).join('/')}` : ''}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
