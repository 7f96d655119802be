export { loadStackConfig, stackSchema, type StackConfig } from './config.ts';
export { PrerequisiteError } from './errors.ts';
export { findJdks, pickJdkForElasticsearch, type Jdk } from './java.ts';
export { REPO_ROOT, varDir } from './paths.ts';
export { isPortFree } from './ports.ts';
export { readEndpoints, stackDown, stackStatus, stackUp, type StackEndpoints } from './stack.ts';
export type { ComponentStatus } from './status.ts';
