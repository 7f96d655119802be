export * from './alert.ts';
export * from './asset.ts';
export * from './indices.ts';
export * from './organization.ts';
export * from './rule-state.ts';
export * from './system.ts';
