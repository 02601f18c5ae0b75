/**
 * Values Terraform does not know yet, in a resource's configuration: they are set aside (as
 * null, what an unset attribute is) before the value becomes an API body, and their API paths
 * are listed, so that validation drops exactly the failures an unknown value could change. A
 * list or set with an unknown element is unknown as a whole (its length and order may change).
 */
import { formatPath } from '../schema/field-path.ts';
import { UNKNOWN, type CtyType, type CtyValue } from './protocol/cty-msgpack.ts';

/** SplitValue is a value with every unknown replaced by null, and the API paths of the unknowns. */
export interface SplitValue {
  known: CtyValue;
  unknownPaths: string[];
}

/**
 * splitUnknowns walks a value with its type; `toFieldName` names an object attribute as the API
 * does (`load_balancer_id` → `loadBalancerId`), map keys and indices stay as they are.
 */
export function splitUnknowns(value: CtyValue, type: CtyType, toFieldName: (attribute: string) => string): SplitValue {
  const unknownPaths: string[] = [];
  const walk = (v: CtyValue, t: CtyType | undefined, path: (string | number)[]): CtyValue => {
    if (v === UNKNOWN) {
      unknownPaths.push(formatPath(path));
      return null;
    }
    if (v === null || typeof v !== 'object' || t === undefined || typeof t === 'string') return v;
    const [kind, element] = t;
    if (Array.isArray(v)) {
      if (v.some((item) => item === UNKNOWN)) {
        unknownPaths.push(formatPath(path));
        return null;
      }
      const itemType = kind === 'list' || kind === 'set' ? element : undefined;
      return v.map((item, i) => walk(item, kind === 'tuple' ? element[i] : itemType, [...path, i]));
    }
    const out: Record<string, CtyValue> = {};
    for (const [k, x] of Object.entries(v)) {
      if (kind === 'map') out[k] = walk(x, element, [...path, k]);
      else if (kind === 'object') out[k] = walk(x, element[k], [...path, toFieldName(k)]);
      else out[k] = x;
    }
    return out;
  };
  const known = walk(value, type, []);
  return { known, unknownPaths };
}
