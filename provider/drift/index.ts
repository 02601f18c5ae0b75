/** `gatehouse drift` logic: the pure comparison and the command that fetches the live state. */
export { compareDrift, compareResource, formatDriftReport, stackResources, DriftInputError } from './compare.ts';
export type { DriftReport, FieldDrift, LiveLookup, ResourceDrift, StackResource } from './compare.ts';
export { runDrift, DRIFT_EXIT } from './run.ts';
export type { DriftOutput, RunDriftOptions } from './run.ts';
