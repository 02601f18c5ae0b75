/**
 * The test-only stand-in for the Pulumi engine. Start with `runProgram`; README.md explains it.
 */
export { runProgram, secret, type RunMode, type RunProgramOptions, type RunResult, type ConfigInput } from './run-program.ts';
export type { ProgramRunner } from './program-process.ts';
export {
  PluginHost, type PluginHostOptions, type PluginCallRecord, type CheckResult, type CheckFailure,
  type DiffResult, type DiffKind, type PropertyDiffResult, type ConfigureResult, type ResourceCall,
} from './plugin-host.ts';
export {
  readState, writeState, parseState, formatState, DEFAULT_PASSPHRASE, type StateResource,
} from './state-file.ts';
export type { Step, StepOp, Diagnostic, Severity, CheckFailureRecord } from './steps.ts';
export {
  UNKNOWN, UNKNOWN_SENTINEL, Unknown, Secret, ResourceReference, SIG_KEY, SECRET_SIG,
  decodeWire, encodeWire, structToMap, mapToStruct, toPlain, unwrapSecrets, deepEqual,
  type PropertyValue, type PropertyMap,
} from './property-value.ts';
export { makeUrn, parseUrn } from './urn.ts';
export { SUPPORTED_FEATURES } from './monitor-server.ts';
