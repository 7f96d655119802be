export {
  loadStackConfig,
  NATS_AUTH_MODES,
  type NatsAuthMode,
  type StackConfig,
  stackSchema,
} from './config.ts';
export { PrerequisiteError } from './errors.ts';
export { findJdks, type Jdk, pickJdkForElasticsearch } from './java.ts';
export { ensureNatsAuth, natsAuthPaths, type StackNatsAuth } from './nats-auth.ts';
export { REPO_ROOT, varDir } from './paths.ts';
export { isPortFree } from './ports.ts';
export {
  readEndpoints,
  STACK_COMPONENTS,
  type StackComponent,
  type StackEndpoints,
  stackDown,
  stackEnv,
  stackStatus,
  stackUp,
} from './stack.ts';
export type { ComponentStatus } from './status.ts';
