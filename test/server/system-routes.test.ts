/**
 * SPEC §3 non-resource routes: GET /v1/healthz (no token), GET /v1/events?since= (audit log:
 * time, action, resource, version, source address), GET /v1/openapi.json (OpenAPI 3.1 from the
 * schemas), GET /metrics (Prometheus text), GET /v1/server-groups/{id}/health.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { TestApi } from './support/api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await TestApi.open();
});
afterAll(async () => {
  await api?.close();
});

describe('GET /v1/healthz', () => {
  it('answers {"status":"ok"} without a token', async () => {
    const res = await api.call('GET', '/v1/healthz', undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /v1/events', () => {
  it('records every change with time, action, resource, version and source address', async () => {
    const start = (await api.eventCount());
    const lb = await api.create('load-balancers', { name: 'audited' });
    await api.call('PUT', `/v1/load-balancers/${lb.id}`, { name: 'audited-2' });
    await api.call('DELETE', `/v1/load-balancers/${lb.id}`);
    await api.call('POST', '/v1/load-balancers', { name: 'x' }); // rejected: not audited
    const res = await api.call('GET', `/v1/events?since=${start}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: any) => [e.action, e.kind, e.resourceId, e.version])).toEqual([
      ['create', 'LoadBalancer', lb.id, 1],
      ['update', 'LoadBalancer', lb.id, 2],
      ['delete', 'LoadBalancer', lb.id, 2],
    ]);
    for (const e of res.body.items) {
      expect(e.sourceAddress).toBe('127.0.0.1');
      expect(Date.parse(e.time)).not.toBeNaN();
      expect(e.seq).toBeGreaterThan(start);
    }
  });

  it('since= also takes an RFC 3339 time, and limit pages with nextToken', async () => {
    const mark = new Date(Date.now() - 1).toISOString();
    for (let i = 0; i < 3; i++) await api.create('server-groups', { name: `ev-${i}` });
    const byTime = await api.call('GET', `/v1/events?since=${encodeURIComponent(mark)}&limit=2`);
    expect(byTime.body.items).toHaveLength(2);
    expect(byTime.body.nextToken).not.toBeNull();
    const rest = await api.call('GET', `/v1/events?since=${byTime.body.nextToken}`);
    expect(rest.body.items.length).toBeGreaterThanOrEqual(1);
    expect(rest.body.items[0].seq).toBe(byTime.body.items[1].seq + 1);
    expect((await api.call('GET', '/v1/events?since=yesterday')).status).toBe(400);
    expect((await api.call('GET', '/v1/events?limit=0')).status).toBe(400);
  });
});

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document covering every collection and route, generated from the schemas', async () => {
    const res = await api.call('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const kind of ALL_RESOURCE_KINDS) {
      expect(Object.keys(doc.paths[`/v1/${kind.collection}`])).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(doc.paths[`/v1/${kind.collection}/{id}`])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
      for (const suffix of ['', 'Create', 'Update']) expect(doc.components.schemas[`${kind.name}${suffix}`]).toBeDefined();
    }
    for (const path of ['/v1/events', '/v1/healthz', '/v1/server-groups/{id}/health', '/metrics']) expect(doc.paths[path]).toBeDefined();
    const port = doc.components.schemas.ListenerCreate.properties.port;
    expect(port).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(doc.components.schemas.ListenerCreate.additionalProperties).toBe(false);
    expect(doc.components.schemas.CertificateCreate.properties.privateKeyPem.writeOnly).toBe(true);
    expect(doc.components.schemas.Certificate.properties.privateKeyPem).toBeUndefined();
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const r of new Set(refs)) expect(doc.components.schemas[r.split('/').pop()!.replace('"', '')], r).toBeDefined();
  });
});

describe('GET /metrics', () => {
  it('exposes API request metrics in Prometheus text format, behind the token', async () => {
    await api.call('GET', '/v1/load-balancers');
    const res = await api.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/gatehouse_api_requests_total\{method="GET",route="\/v1\/:collection",status="200"\} \d+/);
    expect(res.text).toContain('gatehouse_api_request_duration_seconds_bucket');
    expect((await api.call('GET', '/metrics', undefined, { token: null })).status).toBe(401);
  });
});

describe('GET /v1/server-groups/{id}/health', () => {
  it('lists each server; without a running engine every server is Unchecked', async () => {
    const sg = await api.create('server-groups', { name: 'health', servers: [{ address: '10.0.0.1', port: 80 }, { address: 'b.internal', port: 81 }] });
    const res = await api.call('GET', `/v1/server-groups/${sg.id}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      serverGroupId: sg.id,
      servers: [
        { address: '10.0.0.1', port: 80, state: 'Unchecked' },
        { address: 'b.internal', port: 81, state: 'Unchecked' },
      ],
    });
    expect((await api.call('GET', '/v1/server-groups/sgp-cccccccccccccccccccc/health')).status).toBe(404);
  });
});
