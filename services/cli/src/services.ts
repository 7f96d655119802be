import { join } from 'node:path';
import { REPO_ROOT } from '@soc/stack';

/** The services `soc start` runs, in start order. Later issues add ingest, detection, cases… */
export interface ServiceEntry {
  name: string;
  entry: string;
  port: number;
  /** What to print in the "ready" banner; the URL path shown after the port. */
  banner: { label: string; path: string };
}

export const SERVICES: ServiceEntry[] = [
  {
    name: 'api',
    entry: join(REPO_ROOT, 'services/api/src/main.ts'),
    port: 8080,
    banner: { label: 'API', path: '/api/v1' },
  },
  {
    name: 'ingest',
    entry: join(REPO_ROOT, 'services/ingest/src/main.ts'),
    port: 8081,
    banner: { label: 'Ingest', path: '/metrics' },
  },
  {
    name: 'detection',
    entry: join(REPO_ROOT, 'services/detection/src/main.ts'),
    port: 8082,
    banner: { label: 'Detection', path: '/metrics' },
  },
  {
    // the endpoint agent replaying a scripted attack (SOC_DEMO__ENABLED=false turns it off)
    name: 'demo',
    entry: join(REPO_ROOT, 'services/detection/src/demo.ts'),
    port: 8089,
    banner: { label: 'Demo attack replay', path: '/readyz' },
  },
];
