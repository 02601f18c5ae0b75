/**
 * The go-plugin handshake of terraform-provider-gatehouse: the line's format, the port range,
 * the refusal without Terraform's magic cookie, and the real plugin process driven as Terraform
 * drives it — mutual TLS with a client certificate (the server's certificate on the line,
 * base64 without padding), plaintext without one, the health check, the long-lived streams, an
 * operation not implemented yet, and a graceful Shutdown.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerTls, type ServerTls } from '../../terraform/plugin/auto-mtls.ts';
import { handshakeLine, hasMagicCookie, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, portRange } from '../../terraform/plugin/handshake.ts';
import { loadProtocol } from '../../terraform/protocol/load.ts';
import { cleanEnv, ROOT } from '../helpers/gatehouse-serve.ts';
import { freePort } from '../helpers/free-port.ts';

const LAUNCHER = join(ROOT, 'terraform', 'terraform-provider-gatehouse');
const PROTOCOL = loadProtocol();

describe('the handshake line', () => {
  it('is CORE|PROTOCOL|tcp|127.0.0.1:PORT|grpc|CERT, the certificate empty without TLS', () => {
    expect(handshakeLine(1234)).toBe('1|6|tcp|127.0.0.1:1234|grpc|');
  });

  it('carries the DER certificate in base64 without padding', () => {
    // 4 bytes need two padding characters in standard base64: they are left off.
    expect(handshakeLine(80, Uint8Array.of(1, 2, 3, 4))).toBe('1|6|tcp|127.0.0.1:80|grpc|AQIDBA');
    expect(handshakeLine(80, Uint8Array.of(0xfb, 0xff, 0xfe))).toBe('1|6|tcp|127.0.0.1:80|grpc|+//+');
  });

  it('the magic cookie is the one Terraform sets for providers', () => {
    expect(hasMagicCookie({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE })).toBe(true);
    expect(hasMagicCookie({ [MAGIC_COOKIE_KEY]: 'something else' })).toBe(false);
    expect(hasMagicCookie({})).toBe(false);
  });

  it('the port range comes from PLUGIN_MIN_PORT / PLUGIN_MAX_PORT, any port when unset', () => {
    expect(portRange({})).toEqual({ min: 0, max: 0 });
    expect(portRange({ PLUGIN_MIN_PORT: '10000', PLUGIN_MAX_PORT: '10010' })).toEqual({ min: 10000, max: 10010 });
    expect(() => portRange({ PLUGIN_MIN_PORT: '20', PLUGIN_MAX_PORT: '10' })).toThrow(/greater than/);
    expect(() => portRange({ PLUGIN_MIN_PORT: 'x', PLUGIN_MAX_PORT: '10' })).toThrow(/PLUGIN_MIN_PORT/);
  });
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  line: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** start runs the launcher and resolves at its first stdout line (or its exit). */
function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const base = cleanEnv();
  delete base[MAGIC_COOKIE_KEY];
  delete base.PLUGIN_CLIENT_CERT;
  const child = spawn(LAUNCHER, [], { env: { ...base, ...env }, stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake line in 20 s; stderr: ${err}`)), 20_000);
    const done = (line: string): void => {
      clearTimeout(timer);
      resolve({ child, line, stdout: () => out, stderr: () => err, exit });
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) done(out.slice(0, nl));
    });
    void exit.then(() => done(''));
  });
}

type Client = grpc.Client & Record<string, ((...args: any[]) => any) | undefined>;

/** method returns a client's method by name; the generic client has one per method of its service. */
function method(c: Client, name: string): (...args: any[]) => any {
  const fn = c[name];
  if (!fn) throw new Error(`no method ${name}`);
  return fn.bind(c);
}

function client(service: grpc.ServiceDefinition, address: string, credentials: grpc.ChannelCredentials): Client {
  const Ctor = grpc.makeGenericClientConstructor(service, 'x');
  return new Ctor(address, credentials, { 'grpc.ssl_target_name_override': 'localhost' }) as unknown as Client;
}

function call<T>(c: Client, name: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    method(c, name)(request, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}

function parseLine(line: string): { port: number; cert: string } {
  const m = /^1\|6\|tcp\|127\.0\.0\.1:(\d+)\|grpc\|([A-Za-z0-9+/]*)$/.exec(line);
  if (!m) throw new Error(`not a handshake line: ${JSON.stringify(line)}`);
  return { port: Number(m[1]), cert: m[2]! };
}

function mtlsCredentials(serverCertB64: string, clientTls: ServerTls): grpc.ChannelCredentials {
  const serverPem = new X509Certificate(Buffer.from(serverCertB64, 'base64')).toString();
  return grpc.credentials.createSsl(Buffer.from(serverPem), Buffer.from(clientTls.keyPem), Buffer.from(clientTls.certPem));
}

describe('the plugin process', () => {
  it('refuses to run without the magic cookie: a message on stderr, nothing on stdout, exit 1', async () => {
    const started = await start({});
    expect(await started.exit).toBe(1);
    expect(started.stdout()).toBe('');
    expect(started.stderr()).toMatch(/This binary is a plugin/);
    expect(started.stderr()).toMatch(/not meant to be executed directly/);
  });

  it('with a client certificate: serves mutual TLS, its certificate on the line, one stdout line only', async () => {
    const clientTls = await createServerTls();
    const started = await start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: clientTls.certPem });
    const { port, cert } = parseLine(started.line);
    expect(cert).not.toBe('');
    expect(cert.endsWith('=')).toBe(false);
    const serverCert = new X509Certificate(Buffer.from(cert, 'base64'));
    expect(serverCert.checkHost('localhost')).toBe('localhost');
    expect(serverCert.publicKey.asymmetricKeyType).toBe('ec');

    const address = `127.0.0.1:${port}`;
    const credentials = mtlsCredentials(cert, clientTls);
    const health = client(PROTOCOL.health, address, credentials);
    expect(await call(health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });

    const provider = client(PROTOCOL.provider, address, credentials);
    const metadata = await call<{ resources: { type_name: string }[] }>(provider, 'GetMetadata', {});
    expect(metadata.resources.map((r) => r.type_name).sort()).toEqual([
      'gatehouse_certificate',
      'gatehouse_listener',
      'gatehouse_load_balancer',
      'gatehouse_quic_listener',
      'gatehouse_server_group',
      'gatehouse_tls_security_policy',
    ]);
    const move = await call<{ diagnostics: { severity: string; summary: string }[] }>(provider, 'MoveResourceState', {});
    expect(move.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'MoveResourceState is not implemented yet' })]);

    // The stdio and broker streams stay open until shutdown, then end cleanly.
    const stdio = client(PROTOCOL.stdio, address, credentials);
    const stdioStream = method(stdio, 'StreamStdio')({}) as grpc.ClientReadableStream<unknown>;
    const stdioEnded = new Promise<void>((resolve, reject) => {
      stdioStream.on('end', resolve);
      stdioStream.on('error', reject);
      stdioStream.on('data', () => undefined);
    });
    const broker = client(PROTOCOL.broker, address, credentials);
    const brokerStream = method(broker, 'StartStream')() as grpc.ClientDuplexStream<unknown, unknown>;
    const brokerEnded = new Promise<void>((resolve, reject) => {
      brokerStream.on('end', resolve);
      brokerStream.on('error', reject);
      brokerStream.on('data', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(started.child.exitCode).toBeNull();

    const controller = client(PROTOCOL.controller, address, credentials);
    await call(controller, 'Shutdown', {});
    await Promise.all([stdioEnded, brokerEnded]);
    brokerStream.end();
    expect(await started.exit).toBe(0);
    expect(started.stdout()).toBe(`${started.line}\n`);
    for (const c of [health, provider, stdio, broker, controller]) c.close();
  });

  it('with mutual TLS, a client presenting another certificate is refused', async () => {
    const clientTls = await createServerTls();
    const stranger = await createServerTls();
    const started = await start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: clientTls.certPem });
    const { port, cert } = parseLine(started.line);
    const health = client(PROTOCOL.health, `127.0.0.1:${port}`, mtlsCredentials(cert, stranger));
    await expect(call(health, 'Check', { service: 'plugin' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    const plain = client(PROTOCOL.health, `127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await expect(call(plain, 'Check', { service: 'plugin' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    health.close();
    plain.close();
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  });

  it('without a client certificate: plaintext gRPC, an empty certificate field, the port range honoured', async () => {
    const min = await freePort();
    const started = await start({ [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_MIN_PORT: String(min), PLUGIN_MAX_PORT: String(min + 5) });
    const { port, cert } = parseLine(started.line);
    expect(cert).toBe('');
    expect(port).toBeGreaterThanOrEqual(min);
    expect(port).toBeLessThanOrEqual(min + 5);
    const health = client(PROTOCOL.health, `127.0.0.1:${port}`, grpc.credentials.createInsecure());
    expect(await call(health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
    const controller = client(PROTOCOL.controller, `127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await call(controller, 'Shutdown', {});
    expect(await started.exit).toBe(0);
    health.close();
    controller.close();
  });
});
