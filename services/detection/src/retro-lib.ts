/**
 * `@soc/detection/retro`: what another service needs to run a retro-hunt the way detection
 * does — the hunt, the alert store that folds hits exactly as the stream does, the rule's
 * exceptions and key — without loading the stream service (NATS, ingest, agents). The API's
 * hunt jobs use it, so a hunt started from the console and `soc rules hunt` raise the same
 * alerts with the same ids.
 */
export { compileExceptions, type ExceptionMatcher } from './exceptions.ts';
export { type RetroHuntOptions, type RetroHuntProgress, type RetroHuntResult, retroHunt } from './retro.ts';
export { ruleKey } from './ruleset.ts';
export { AlertStore, ensureAlertIndices } from './store.ts';
