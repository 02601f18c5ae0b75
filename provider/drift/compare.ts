/**
 * compareDrift and its helpers (SPEC §4 `gatehouse drift`) live in `schema/pulumi-state/drift.ts`,
 * so that the API's drift route runs the very comparison the command runs; re-exported here for
 * the command and the provider.
 */
export { compareDrift, compareResource, formatDriftReport, stackResources, DriftInputError } from '../../schema/pulumi-state/drift.ts';
export type { DriftReport, FieldDrift, LiveLookup, ResourceDrift, StackResource } from '../../schema/pulumi-state/drift.ts';
