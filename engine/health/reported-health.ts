/**
 * Health decided outside the engine (EngineOptions.externalHealth): a supervisor probes each
 * backend once per node (GroupHealthChecks) and reports every transition to the engines of its
 * workers through Engine.setServerHealth, so N engines do not probe N times. HealthReports is
 * the engine's table of those reports, kept also for groups it does not run yet (a runtime
 * built later starts with them); ReportedHealth is a group's GroupHealthSource reading it.
 */
import type { HealthCheckConfig, SnapshotServer } from '../../schema/snapshot.ts';
import type { ServerHealth } from '../types.ts';
import { serverKey, type HealthTransition, type ServerState } from './health-checker.ts';
import type { GroupHealthSource } from './health-source.ts';

/** HealthReports is one engine's table of reported server states, per group id and server. */
export class HealthReports {
  private readonly groups = new Map<string, Map<string, ServerState>>();

  /** set records a server's reported state and returns the state it had (Unchecked when none was reported). */
  set(groupId: string, address: string, port: number, state: ServerState): ServerState {
    let servers = this.groups.get(groupId);
    if (servers === undefined) {
      servers = new Map();
      this.groups.set(groupId, servers);
    }
    const key = serverKey(address, port);
    const before = servers.get(key) ?? 'Unchecked';
    servers.set(key, state);
    return before;
  }

  /** stateOf returns a server's reported state, Unchecked when there is no report. */
  stateOf(groupId: string, address: string, port: number): ServerState {
    return this.groups.get(groupId)?.get(serverKey(address, port)) ?? 'Unchecked';
  }

  /** retain drops the reports of a group's servers that are not among `servers` (they left the group). */
  retain(groupId: string, servers: readonly SnapshotServer[]): void {
    const reported = this.groups.get(groupId);
    if (reported === undefined) return;
    const keep = new Set(servers.map((s) => serverKey(s.address, s.port)));
    for (const key of reported.keys()) if (!keep.has(key)) reported.delete(key);
    if (reported.size === 0) this.groups.delete(groupId);
  }

  /** drop forgets every report of a group (it left the engine). */
  drop(groupId: string): void {
    this.groups.delete(groupId);
  }
}

/** ReportedHealth is a group's health as reported from outside: it runs no probe. */
export class ReportedHealth implements GroupHealthSource {
  readonly groupId: string;
  private readonly reports: HealthReports;
  private readonly onTransition: ((t: HealthTransition) => void) | undefined;
  /** The group's servers, by key, in configuration order. */
  private servers = new Map<string, SnapshotServer>();
  private closed = false;

  constructor(groupId: string, servers: readonly SnapshotServer[], reports: HealthReports, onTransition?: (t: HealthTransition) => void) {
    this.groupId = groupId;
    this.reports = reports;
    this.onTransition = onTransition;
    this.setServers(servers);
  }

  /** update takes the group's new servers; the reports of servers that left are dropped. */
  update(_healthCheck: HealthCheckConfig, servers: readonly SnapshotServer[]): void {
    if (this.closed) return;
    this.setServers(servers);
    this.reports.retain(this.groupId, servers);
  }

  /** start does nothing: the states come from reports. */
  start(): void {}

  /** close stops applying reports. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /**
   * report records a server's state and, when it changed for a server of the group, reports the
   * transition as a probe would. A server not (yet) in the group is only recorded.
   */
  report(address: string, port: number, state: ServerState): void {
    const from = this.reports.set(this.groupId, address, port, state);
    if (this.closed || from === state || !this.servers.has(serverKey(address, port))) return;
    this.onTransition?.({ groupId: this.groupId, address, port, from, to: state, available: state !== 'Unhealthy' });
  }

  stateOf(address: string, port: number): ServerState | undefined {
    return this.servers.has(serverKey(address, port)) ? this.reports.stateOf(this.groupId, address, port) : undefined;
  }

  health(): ServerHealth[] {
    const list: ServerHealth[] = [];
    for (const s of this.servers.values()) list.push({ address: s.address, port: s.port, state: this.reports.stateOf(this.groupId, s.address, s.port) });
    return list;
  }

  private setServers(servers: readonly SnapshotServer[]): void {
    const next = new Map<string, SnapshotServer>();
    for (const s of servers) next.set(serverKey(s.address, s.port), s);
    this.servers = next;
  }
}
