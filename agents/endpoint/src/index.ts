export { type EndpointAgent, runEndpointAgent, startEndpointAgent, VERSION } from './agent.ts';
export * from './config.ts';
export { type FileCursor, FileInput } from './tail/file-input.ts';
