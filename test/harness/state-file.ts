/**
 * The harness engine's checkpoint, stored in the shape of `pulumi stack export`:
 * `{version: 3, deployment: {manifest, secrets_providers, resources: [...]}}`.
 *
 * Secrets never reach the file in clear: like a real export without `--show-secrets`, each
 * secret is `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 * "ciphertext": "v1:<nonce>:<sealed>"}`, sealed with AES-256-GCM under a key derived (scrypt)
 * from a passphrase and the salt kept in `secrets_providers`. Reading also accepts the
 * `"plaintext"` form that `pulumi stack export --show-secrets` writes.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  SECRET_SIG, SIG_KEY, Secret, decodeWire, encodeWire, isPlainObject,
  type PropertyMap, type PropertyValue,
} from './property-value.ts';

/** DEFAULT_PASSPHRASE seals secrets when neither the caller nor PULUMI_CONFIG_PASSPHRASE gives one. */
export const DEFAULT_PASSPHRASE = 'gatehouse-test-harness';

/** StateResource is one resource of the checkpoint, with decoded property values. */
export interface StateResource {
  urn: string;
  custom: boolean;
  /** Marked for deletion: the old half of a create-before-delete replacement. */
  delete?: boolean;
  id?: string;
  type: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  parent?: string;
  protect?: boolean;
  /** Read with `Resource.get`: never deleted by the harness. */
  external?: boolean;
  dependencies?: string[];
  /** Provider reference `urn::id`. */
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
  retainOnDelete?: boolean;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  importID?: string;
  created?: string;
  modified?: string;
}

const FULL_WIRE = { keepSecrets: true, keepResources: true };
const SALT_PREFIX = 'v1:';

/** SecretSealer encrypts and decrypts secret values for one state file. */
export class SecretSealer {
  readonly salt: Buffer;
  readonly #key: Buffer;

  constructor(passphrase: string, salt: Buffer = randomBytes(16)) {
    this.salt = salt;
    this.#key = scryptSync(passphrase, salt, 32);
  }

  /** seal returns `v1:<nonce b64>:<ciphertext+tag b64>`. */
  seal(plaintext: string): string {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, nonce);
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
    return `v1:${nonce.toString('base64')}:${body.toString('base64')}`;
  }

  /** open reverses seal; a wrong passphrase fails loudly. */
  open(ciphertext: string): string {
    const [v, n, b] = ciphertext.split(':');
    if (v !== 'v1' || !n || !b) throw new Error('unrecognised secret ciphertext');
    const body = Buffer.from(b, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(n, 'base64'));
    d.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8');
  }
}

/** passphraseFor picks the secrets passphrase: explicit, then PULUMI_CONFIG_PASSPHRASE, then the default. */
export function passphraseFor(explicit: string | undefined): string {
  return explicit ?? process.env['PULUMI_CONFIG_PASSPHRASE'] ?? DEFAULT_PASSPHRASE;
}

/** readState loads a checkpoint; a missing file is an empty stack. */
export async function readState(path: string, passphrase?: string): Promise<StateResource[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseState(text, passphraseFor(passphrase));
}

/** parseState decodes the text of a checkpoint. */
export function parseState(text: string, passphrase: string): StateResource[] {
  const doc = JSON.parse(text) as { version?: number; deployment?: { resources?: unknown[]; secrets_providers?: { state?: { salt?: string } } } };
  if (doc.version !== 3) throw new Error(`unsupported state version ${String(doc.version)}`);
  const saltText = doc.deployment?.secrets_providers?.state?.salt;
  const sealer = saltText?.startsWith(SALT_PREFIX)
    ? new SecretSealer(passphrase, Buffer.from(saltText.slice(SALT_PREFIX.length), 'base64'))
    : undefined;
  const reveal = (v: unknown): unknown => revealSecrets(v, sealer);
  return (doc.deployment?.resources ?? []).map((raw) => {
    const r = raw as Record<string, unknown>;
    const res: StateResource = {
      urn: String(r['urn']),
      custom: r['custom'] === true,
      type: String(r['type']),
      inputs: asMap(decodeWire(reveal(r['inputs'] ?? {}))),
      outputs: asMap(decodeWire(reveal(r['outputs'] ?? {}))),
    };
    copyOptional(r, res);
    return res;
  });
}

/** writeState saves a checkpoint atomically (temp file, then rename), sealing every secret. */
export async function writeState(path: string, resources: readonly StateResource[], passphrase?: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, formatState(resources, passphraseFor(passphrase)));
  await rename(tmp, path);
}

/** formatState renders resources in the `pulumi stack export` shape. */
export function formatState(resources: readonly StateResource[], passphrase: string): string {
  const sealer = new SecretSealer(passphrase);
  const seal = (m: PropertyMap): unknown => sealSecrets(m, sealer);
  const doc = {
    version: 3,
    deployment: {
      manifest: { time: new Date().toISOString(), magic: '', version: 'gatehouse-test-harness' },
      secrets_providers: { type: 'gatehouse-test-harness', state: { salt: SALT_PREFIX + sealer.salt.toString('base64') } },
      resources: resources.map((r) => {
        const out: Record<string, unknown> = { urn: r.urn, custom: r.custom };
        if (r.delete) out['delete'] = true;
        if (r.id !== undefined && r.id !== '') out['id'] = r.id;
        out['type'] = r.type;
        out['inputs'] = seal(r.inputs);
        out['outputs'] = seal(r.outputs);
        for (const k of OPTIONAL_KEYS) {
          const v = r[k];
          if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
          out[k] = v;
        }
        return out;
      }),
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const OPTIONAL_KEYS = [
  'parent', 'protect', 'external', 'dependencies', 'provider', 'propertyDependencies',
  'additionalSecretOutputs', 'retainOnDelete', 'ignoreChanges', 'replaceOnChanges', 'importID',
  'created', 'modified',
] as const;

function copyOptional(r: Record<string, unknown>, res: StateResource): void {
  if (r['delete'] === true) res.delete = true;
  if (typeof r['id'] === 'string') res.id = r['id'];
  for (const k of OPTIONAL_KEYS) {
    const v = r[k];
    if (v !== undefined) (res as unknown as Record<string, unknown>)[k] = v;
  }
}

function asMap(v: PropertyValue): PropertyMap {
  return isPlainObject(v) ? v : {};
}

function sealSecrets(v: PropertyValue, sealer: SecretSealer): unknown {
  if (v instanceof Secret) {
    return { [SIG_KEY]: SECRET_SIG, ciphertext: sealer.seal(JSON.stringify(encodeWire(v.value, FULL_WIRE))) };
  }
  if (Array.isArray(v)) return v.map((x) => sealSecrets(x, sealer));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sealSecrets(x, sealer)]));
  return encodeWire(v, FULL_WIRE);
}

/** revealSecrets turns stored secrets back into wire secrets `{sig, value}` for decodeWire. */
function revealSecrets(v: unknown, sealer: SecretSealer | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => revealSecrets(x, sealer));
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG && !('value' in o)) {
    let json: string;
    if (typeof o['plaintext'] === 'string') json = o['plaintext'];
    else if (typeof o['ciphertext'] === 'string') {
      if (!sealer) throw new Error('state holds sealed secrets but no salt in secrets_providers');
      json = sealer.open(o['ciphertext']);
    } else throw new Error('secret without plaintext or ciphertext in state');
    return { [SIG_KEY]: SECRET_SIG, value: revealSecrets(JSON.parse(json), sealer) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revealSecrets(x, sealer)]));
}
