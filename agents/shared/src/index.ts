export { DiskBuffer, type DiskBufferOptions, type FsyncPolicy, type WhenFull } from './buffer/disk-buffer.ts';
export type { BufferRecord } from './buffer/record.ts';
export * from './config.ts';
export { type AgentCredentialIssuer, issueAgentCredentials } from './credentials.ts';
export {
  ENROLL_FLAGS,
  ENROLL_FLAGS_HELP,
  EnrollError,
  type EnrolledAgent,
  type EnrollFlags,
  type EnrollOptions,
  type EnrollResult,
  enroll,
  enrollMain,
  enrollOptions,
  enrollUrl,
  enrollUsage,
  runEnroll,
} from './enroll.ts';
export { type AgentEntry, agentMain, runUntilSignal } from './entry.ts';
export {
  type Heartbeat,
  type HeartbeatBody,
  heartbeatBody,
  heartbeatSchema,
  INPUT_STATES,
  type InputCondition,
  type InputState,
  type InputStatus,
} from './heartbeat.ts';
export * from './message.ts';
export { type Cursor, Output, type OutputOptions } from './output/output.ts';
export { Publisher, type PublisherOptions } from './output/publisher.ts';
export { InputCounters } from './output/stats.ts';
export { type AgentRuntime, type RuntimeOptions, startRuntime } from './runtime.ts';
export * from './subjects.ts';
