/**
 * Resource ids (SPEC §1): a type prefix plus 20 random characters of the lower-case base32
 * alphabet. Listener and QuicListener share `lsn-`; system TLS policies use their names.
 */
import { getRandomValues } from 'node:crypto';
import { ALL_RESOURCE_KINDS, RESOURCE_KINDS } from './kinds.ts';
import type { ResourceKindName } from './resource-kind.ts';
import { systemPolicyById } from './tls-policies.ts';

/** ID_ALPHABET is the lower-case RFC 4648 base32 alphabet. */
export const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** ID_RANDOM_LENGTH is the number of random characters after the prefix (100 bits). */
export const ID_RANDOM_LENGTH = 20;

/** ID_PREFIXES are the distinct id prefixes of the kinds (each kind's `idPrefix`; `lsn-` is shared). */
const ID_PREFIXES: readonly string[] = [...new Set(ALL_RESOURCE_KINDS.map((k) => k.idPrefix))];

/** escapeRegExp quotes a prefix for a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const ID_PATTERN = new RegExp(`^(${ID_PREFIXES.map(escapeRegExp).join('|')})[${ID_ALPHABET}]{${ID_RANDOM_LENGTH}}$`);

/** newId makes a fresh id for a kind; 32 is a power of two, so masking 5 bits is unbiased. */
export function newId(kind: ResourceKindName): string {
  const bytes = getRandomValues(new Uint8Array(ID_RANDOM_LENGTH));
  let out = RESOURCE_KINDS[kind].idPrefix;
  for (const b of bytes) out += ID_ALPHABET[b & 31];
  return out;
}

/** isWellFormedId tells whether text has the shape of a generated id (not a system policy name). */
export function isWellFormedId(text: string): boolean {
  return ID_PATTERN.test(text);
}

/** idPrefixOf returns the prefix of a generated id (`alb-`, …), or undefined for any other text. */
export function idPrefixOf(id: string): string | undefined {
  return ID_PATTERN.exec(id)?.[1];
}

/**
 * kindNamesOfId returns the kinds an id may belong to: one, except `lsn-` ids (Listener or
 * QuicListener) and none for text that is not an id; a system policy name is a TlsSecurityPolicy.
 */
export function kindNamesOfId(id: string): ResourceKindName[] {
  if (systemPolicyById(id)) return ['TlsSecurityPolicy'];
  const prefix = idPrefixOf(id);
  if (prefix === undefined) return [];
  return ALL_RESOURCE_KINDS.filter((k) => k.idPrefix === prefix).map((k) => k.name);
}
