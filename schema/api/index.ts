/** The bodies of the management API that are not resources, as zod models (SPEC §3). */
export * from './audit-event.ts';
export * from './list-page.ts';
export * from './problem.ts';
export * from './server-health.ts';
export * from './system.ts';
