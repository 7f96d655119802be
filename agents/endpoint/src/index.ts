export {
  type EndpointAgent,
  type EndpointInput,
  runEndpointAgent,
  startEndpointAgent,
  VERSION,
} from './agent.ts';
export * from './config.ts';
export { FimInput } from './fim/fim-input.ts';
export { InventoryInput } from './inventory/inventory-input.ts';
export { type JournalCursor, JournaldInput } from './journald/journald-input.ts';
export { type FileCursor, FileInput } from './tail/file-input.ts';
