export { loadStackConfig, type StackConfig, stackSchema } from './config.ts';
export { PrerequisiteError } from './errors.ts';
export { findJdks, type Jdk, pickJdkForElasticsearch } from './java.ts';
export { REPO_ROOT, varDir } from './paths.ts';
export { isPortFree } from './ports.ts';
export { readEndpoints, type StackEndpoints, stackDown, stackStatus, stackUp } from './stack.ts';
export type { ComponentStatus } from './status.ts';
