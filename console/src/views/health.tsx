/**
 * A server group's servers with the health its engine sees now (`GET /v1/server-groups/{id}/health`):
 * each server's address, weight and state, with what the last check saw.
 */
import type { ServerGroupHealth, ServerHealth } from '../../../schema/api/server-health.ts';
import type { ServerGroupOutput } from '../../../schema/resources/server-group.ts';
import { apiGet } from '../api.ts';

/** readHealth reads the runtime health of one server group. */
export function readHealth(groupId: string, token: string, signal?: AbortSignal): Promise<ServerGroupHealth> {
  return apiGet<ServerGroupHealth>(`/v1/server-groups/${encodeURIComponent(groupId)}/health`, token, signal);
}

function healthOf(health: ServerGroupHealth | undefined, s: { address: string; port: number }): ServerHealth | undefined {
  return health?.servers.find((h) => h.address === s.address && h.port === s.port);
}

/** ServerList shows a group's servers, each with its weight, description and health. */
export function ServerList({ group, health }: { group: ServerGroupOutput; health: ServerGroupHealth | undefined }) {
  return (
    <ul class="servers" aria-label={`Servers of ${group.name}`}>
      {group.servers.map((s) => {
        const h = healthOf(health, s);
        return (
          <li key={`${s.address}:${s.port}`} data-server={`${s.address}:${s.port}`}>
            {s.address}:{s.port} <span class="sub">weight {s.weight}</span>
            {s.description ? <span class="sub"> · {s.description}</span> : null}{' '}
            {h ? (
              <span class={`health health-${h.state.toLowerCase()}`} title={h.lastCheck ? `${h.lastCheck.at}: ${h.lastCheck.detail}` : undefined}>
                {h.state}
                {h.lastCheck ? <span class="sub"> ({h.lastCheck.detail})</span> : null}
              </span>
            ) : (
              <span class="health sub">health unknown</span>
            )}
          </li>
        );
      })}
      {health?.node ? <li class="sub">health as seen by node {health.node}</li> : null}
    </ul>
  );
}
