/**
 * `serve --demo`: on an empty data directory, creates the ready example of SPEC §4 through
 * the API itself (a certificate, a server group over the two demo backends, a load balancer
 * and an HTTPS listener on 127.0.0.1:8443), waits until it answers, and returns the text that
 * tells the user how to reach it. On later starts it only points the demo server group at
 * the backends' new ports.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagementClient, resourcePath } from '../../client/management-client.ts';
import type { GatehouseServer } from '../../server/runtime/gatehouse-server.ts';
import type { DemoBackends } from './demo-backends.ts';
import { createDemoCertificate } from './demo-certificate.ts';

/** DEMO_PORT is the HTTPS port SPEC §4 fixes for the demo. */
export const DEMO_PORT = 8443;
/** DEMO_TAG marks the resources the demo created, so later starts can find them. */
export const DEMO_TAG = { purpose: 'gatehouse-demo' } as const;
/** DEMO_CA_FILE is where the demo CA certificate is written, for `curl --cacert`. */
export const DEMO_CA_FILE = 'demo-ca.pem';

type Resource = Record<string, unknown> & { id: string; version: number };

/** setUpDemo creates or refreshes the example and returns the instructions to print. */
export async function setUpDemo(server: GatehouseServer, backends: DemoBackends, dataDir: string): Promise<string> {
  const api = new ManagementClient({ endpoint: server.url, token: server.adminToken.token });
  try {
    return await setUpWith(api, server, backends, dataDir);
  } finally {
    await api.close();
  }
}

async function setUpWith(api: ManagementClient, server: GatehouseServer, backends: DemoBackends, dataDir: string): Promise<string> {
  const servers = backends.backends.map((b) => ({ address: '127.0.0.1', port: b.port, description: b.name }));
  const empty = [...server.store.local.resources.counts().values()].every((n) => n === 0);
  const caFile = join(dataDir, DEMO_CA_FILE);
  let listener: Resource | undefined;

  if (empty) {
    const material = await createDemoCertificate();
    writeFileSync(caFile, material.caPem, { mode: 0o644 });
    const { body: cert } = await api.post<Resource>('/v1/certificates', {
      name: 'demo-localhost',
      certificatePem: material.chainPem,
      privateKeyPem: material.keyPem,
      tags: DEMO_TAG,
    });
    const { body: group } = await api.post<Resource>('/v1/server-groups', {
      name: 'demo-backends',
      servers,
      healthCheck: { interval: 1, healthyThreshold: 2, unhealthyThreshold: 2, timeout: 1 },
      tags: DEMO_TAG,
    });
    const { body: lb } = await api.post<Resource>('/v1/load-balancers', { name: 'demo', address: '127.0.0.1', tags: DEMO_TAG });
    ({ body: listener } = await api.post<Resource>('/v1/listeners', {
      loadBalancerId: lb.id,
      protocol: 'HTTPS',
      port: DEMO_PORT,
      description: 'Gatehouse demo listener',
      defaultServerGroupId: group.id,
      certificates: { defaultCertificateId: cert.id },
      forwardedHeaders: { proto: true, port: true, host: true },
      tags: DEMO_TAG,
    }));
  } else {
    const demoTagged = { 'tag.purpose': DEMO_TAG.purpose };
    const groups = await api.listAll<Resource>('server-groups', demoTagged);
    for (const g of groups) {
      const { id, version: _v, createdAt: _c, updatedAt: _u, ...rest } = g;
      await api.put(resourcePath('server-groups', id), { ...rest, servers });
    }
    listener = (await api.listAll<Resource>('listeners', demoTagged))[0];
    if (!listener) return '\nThe data directory is not empty and holds no demo listener: nothing was created.\n';
  }

  const state = await waitForListener(api, listener.id);
  const lines = ['', 'Demo ready:'];
  if (state.status !== 'Running') {
    lines.push(`  the demo listener ${listener.id} is ${state.status}${state.statusReason ? `: ${state.statusReason}` : ''}`);
  } else {
    await waitForAnswer(caFile);
    lines.push(
      `  HTTPS listener ${listener.id} on 127.0.0.1:${DEMO_PORT} → ${backends.backends.map((b) => `127.0.0.1:${b.port}`).join(', ')}`,
      `  try:   curl --cacert ${caFile} https://localhost:${DEMO_PORT}/`,
      `         (or: curl -k https://127.0.0.1:${DEMO_PORT}/)`,
    );
  }
  lines.push(
    `  API:   curl -H "Authorization: Bearer $(cat ${server.adminToken.path ?? '<your token file>'})" ${server.url}/v1/listeners`,
    '  status: npx gatehouse status',
    '',
    'Point a Pulumi program at this server:',
    `  pulumi config set gatehouse:endpoint ${server.url}`,
    `  pulumi config set --secret gatehouse:token "$(cat ${server.adminToken.path ?? '<your token file>'})"`,
    `  (or export GATEHOUSE_ENDPOINT=${server.url} GATEHOUSE_TOKEN=...)`,
    '',
    'Stop with Ctrl-C (listeners drain).',
    '',
  );
  return lines.join('\n');
}

async function waitForListener(api: ManagementClient, id: string): Promise<{ status: string; statusReason?: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body: l } = await api.get<{ status: string; statusReason?: string }>(resourcePath('listeners', id));
    if (l.status === 'Running' || l.status === 'Failed' || Date.now() > deadline) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Health checks need a couple of intervals before the backends take traffic: wait for a 200. */
async function waitForAnswer(caFile: string): Promise<void> {
  const { request } = await import('node:https');
  const { existsSync, readFileSync } = await import('node:fs');
  if (!existsSync(caFile)) return;
  const ca = readFileSync(caFile);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const status = await new Promise<number>((ok) => {
      const req = request({ host: '127.0.0.1', port: DEMO_PORT, servername: 'localhost', path: '/', ca, agent: false, timeout: 2000 }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('error', () => ok(0));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
