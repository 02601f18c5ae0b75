/**
 * URN helpers: the harness engine names resources exactly as the Pulumi engine does, so the
 * URNs in its state file match what `pulumi stack export` would show.
 */

/** ROOT_STACK_TYPE is the type token of the implicit stack component. */
export const ROOT_STACK_TYPE = 'pulumi:pulumi:Stack';
/** PROVIDER_TYPE_PREFIX starts the type token of every provider resource. */
export const PROVIDER_TYPE_PREFIX = 'pulumi:providers:';

/** UrnParts are the pieces of a URN. */
export interface UrnParts {
  stack: string;
  project: string;
  qualifiedType: string;
  type: string;
  name: string;
}

/**
 * makeUrn builds `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the parent's
 * qualified type is prefixed with `$` except when the parent is the root stack.
 */
export function makeUrn(stack: string, project: string, type: string, name: string, parentUrn: string): string {
  let qualified = type;
  if (parentUrn) {
    const parent = parseUrn(parentUrn);
    if (parent.type !== ROOT_STACK_TYPE) qualified = `${parent.qualifiedType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** parseUrn splits a URN into its parts; names may themselves contain `::`. */
export function parseUrn(urn: string): UrnParts {
  const parts = urn.split('::');
  const head = parts[0] ?? '';
  if (!head.startsWith('urn:pulumi:') || parts.length < 4) throw new Error(`malformed URN: ${urn}`);
  const qualifiedType = parts[2] ?? '';
  const types = qualifiedType.split('$');
  return {
    stack: head.slice('urn:pulumi:'.length),
    project: parts[1] ?? '',
    qualifiedType,
    type: types[types.length - 1] ?? '',
    name: parts.slice(3).join('::'),
  };
}

/** packageOf returns the package of a type token (`gatehouse:index:Listener` → `gatehouse`). */
export function packageOf(type: string): string {
  if (type.startsWith(PROVIDER_TYPE_PREFIX)) return type.slice(PROVIDER_TYPE_PREFIX.length);
  return type.split(':')[0] ?? '';
}

/** ProviderRef is a parsed provider reference `urn::id`. */
export interface ProviderRef {
  urn: string;
  id: string;
}

/** parseProviderRef splits `urn::id` at its last `::`. */
export function parseProviderRef(ref: string): ProviderRef {
  const i = ref.lastIndexOf('::');
  if (i < 0) throw new Error(`malformed provider reference: ${ref}`);
  return { urn: ref.slice(0, i), id: ref.slice(i + 2) };
}

/** formatProviderRef joins a provider URN and id into a reference. */
export function formatProviderRef(urn: string, id: string): string {
  return `${urn}::${id}`;
}
