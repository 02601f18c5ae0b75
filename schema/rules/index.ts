/** Cross-resource rules of SPEC §1 as pure functions over a read-only World. */
export * from './world.ts';
export * from './references.ts';
export * from './editions.ts';
export * from './ports.ts';
export * from './referrers.ts';
export * from './check-relations.ts';
