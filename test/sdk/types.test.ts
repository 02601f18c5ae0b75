/**
 * The SDK's types are derived from the schema models: argument types accept Inputs at every
 * level and refuse what the model refuses, output properties are Outputs of the read model.
 * These assertions are checked by `tsc --noEmit` (part of `npm test`); the `it` blocks run the
 * same constructions under mocks so that the typed programs are also valid at plan time.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expectTypeOf, it, expect } from 'vitest';
import * as gatehouse from '../../sdk/index.ts';
import { MockEngine } from './mock-engine.ts';

beforeAll(async () => {
  await MockEngine.install();
});

describe('argument types', () => {
  it('accept plain values, Outputs and Promises at every level', () => {
    const id = pulumi.output('cert-aaaaaaaaaaaaaaaaaaaa');
    const args: gatehouse.ListenerArgs = {
      loadBalancerId: pulumi.output('alb-aaaaaaaaaaaaaaaaaaaa'),
      protocol: 'HTTPS',
      port: Promise.resolve(443),
      defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa',
      certificates: { defaultCertificateId: id, additionalCertificateIds: [pulumi.output('cert-bbbbbbbbbbbbbbbbbbbb')] },
      forwardedHeaders: pulumi.output({ clientIp: { enabled: true, trustedProxies: ['10.0.0.0/8'] } }),
      tags: { team: pulumi.output('edge') },
    };
    expect(new gatehouse.Listener('typed-args', args)).toBeDefined();
    expectTypeOf<gatehouse.ListenerArgs['port']>().toEqualTypeOf<pulumi.Input<number>>();
    expectTypeOf<gatehouse.LoadBalancerArgs['edition']>().toEqualTypeOf<pulumi.Input<'Basic' | 'Standard' | 'StandardWithWaf'> | undefined>();
    expectTypeOf<gatehouse.ServerGroupArgs['scheduler']>().toEqualTypeOf<pulumi.Input<'Wrr' | 'Wlc' | 'Sch'> | undefined>();
  });

  it('refuse what the model refuses (checked by tsc)', () => {
    // @ts-expect-error name is required on a LoadBalancer
    const noName: gatehouse.LoadBalancerArgs = {};
    // @ts-expect-error protocol is HTTP or HTTPS
    const ftp: gatehouse.ListenerArgs['protocol'] = 'FTP';
    // @ts-expect-error port is a number
    const textPort: gatehouse.ListenerArgs['port'] = '443';
    // @ts-expect-error tlsVersions are the four TLS version names
    const ssl: gatehouse.TlsSecurityPolicyArgs['tlsVersions'] = ['SSLv3'];
    // @ts-expect-error a QUIC listener has no TLS policy
    const quicPolicy: gatehouse.QuicListenerArgs['tlsPolicyId'] = 'tls_cipher_policy_1_2';
    expect([noName, ftp, textPort, ssl, quicPolicy]).toHaveLength(5);
  });
});

describe('output properties', () => {
  it('are Outputs of the read model, optional fields included', () => {
    const lb = new gatehouse.LoadBalancer('typed-lb', { name: 'edge' });
    expectTypeOf(lb.id).toEqualTypeOf<pulumi.Output<pulumi.ID>>();
    expectTypeOf(lb.status).toEqualTypeOf<pulumi.Output<'Active'>>();
    expectTypeOf(lb.version).toEqualTypeOf<pulumi.Output<number>>();
    expectTypeOf(lb.tags).toEqualTypeOf<pulumi.Output<Record<string, string>>>();
    const lsn = new gatehouse.Listener('typed-lsn', { loadBalancerId: lb.id, protocol: 'HTTP', port: 8080, defaultServerGroupId: 'sgp-aaaaaaaaaaaaaaaaaaaa' });
    expectTypeOf(lsn.statusReason).toEqualTypeOf<pulumi.Output<string | undefined>>();
    expectTypeOf(lsn.port).toEqualTypeOf<pulumi.Output<number>>();
    expectTypeOf(lsn.certificates).toEqualTypeOf<pulumi.Output<{ defaultCertificateId: string; additionalCertificateIds: string[] } | undefined>>();
    expectTypeOf<gatehouse.Certificate['privateKeyPem']>().toEqualTypeOf<pulumi.Output<string | undefined>>();
    expectTypeOf<gatehouse.Certificate['domains']>().toEqualTypeOf<pulumi.Output<string[]>>();
    expectTypeOf<gatehouse.QuicListener['status']>().toEqualTypeOf<
      pulumi.Output<'Provisioning' | 'Running' | 'Configuring' | 'Failed' | 'Unavailable'>
    >();
    expect(gatehouse.Listener.isInstance(lsn)).toBe(true);
  });
});
