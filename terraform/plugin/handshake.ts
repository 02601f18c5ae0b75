/**
 * The go-plugin handshake, as Terraform expects it of a provider: the magic cookie in the
 * environment (a UX check that the binary was started by Terraform), the port range Terraform
 * may set, and the one line on stdout that tells Terraform where and how to connect:
 * `CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|SERVER-CERT`.
 */

/** MAGIC_COOKIE_KEY is the environment variable Terraform sets for the providers it starts. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
/** MAGIC_COOKIE_VALUE is the value Terraform sets it to for providers. */
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** CORE_PROTOCOL_VERSION is go-plugin's own protocol version, the line's first field. */
export const CORE_PROTOCOL_VERSION = 1;
/** PLUGIN_PROTOCOL_VERSION is the Terraform plugin protocol this provider speaks. */
export const PLUGIN_PROTOCOL_VERSION = 6;

/** NOT_LAUNCHED_MESSAGE is printed on stderr when the cookie is missing: the binary was run by hand. */
export const NOT_LAUNCHED_MESSAGE = [
  'This binary is a plugin: terraform-provider-gatehouse, the Gatehouse provider for Terraform.',
  'It is not meant to be executed directly: Terraform starts it when a configuration uses the',
  'gatehouse/gatehouse provider (terraform init, validate, plan, apply).',
  '',
].join('\n');

/** hasMagicCookie tells whether the environment carries Terraform's provider cookie. */
export function hasMagicCookie(env: NodeJS.ProcessEnv): boolean {
  return env[MAGIC_COOKIE_KEY] === MAGIC_COOKIE_VALUE;
}

/** PortRange is where the plugin may listen; `{ min: 0, max: 0 }` means any free port. */
export interface PortRange {
  min: number;
  max: number;
}

/**
 * portRange reads PLUGIN_MIN_PORT / PLUGIN_MAX_PORT (each 0 when unset), as go-plugin does, and
 * throws on a value that is not a port or a minimum above the maximum.
 */
export function portRange(env: NodeJS.ProcessEnv): PortRange {
  const read = (name: string): number => {
    const text = env[name];
    if (text === undefined || text === '') return 0;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n > 65535) throw new Error(`${name} must be a port number from 0 to 65535, got "${text}"`);
    return n;
  };
  const min = read('PLUGIN_MIN_PORT');
  const max = read('PLUGIN_MAX_PORT');
  if (min > max) throw new Error(`PLUGIN_MIN_PORT (${min}) is greater than PLUGIN_MAX_PORT (${max})`);
  return { min, max };
}

/**
 * handshakeLine is the line printed on stdout once the server listens: gRPC over TCP on
 * 127.0.0.1, with the server certificate's DER in base64 without padding when mutual TLS is on
 * (empty otherwise).
 */
export function handshakeLine(port: number, serverCertDer?: Uint8Array): string {
  const cert = serverCertDer ? Buffer.from(serverCertDer).toString('base64').replace(/=+$/, '') : '';
  return `${CORE_PROTOCOL_VERSION}|${PLUGIN_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${cert}`;
}
