/**
 * The emitted Pulumi package schema (schema/pulumi/schema.json) is valid against Pulumi's
 * package metaschema, so every language's `pulumi package gen-sdk` can read it.
 *
 * test/fixtures/pulumi-metaschema.json is that metaschema as Pulumi publishes it
 * (pulumi/pulumi, pkg/codegen/schema/pulumi.json, Apache-2.0; JSON Schema 2020-12), kept as test
 * data; its sha256 is checked below so a changed copy is noticed. It uses the formats `regex`
 * (checked here by compiling the pattern) and `uri-reference` (ajv-formats).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildPulumiSchema } from '../../schema/emit/index.ts';

const METASCHEMA_FILE = new URL('../fixtures/pulumi-metaschema.json', import.meta.url);
const METASCHEMA_SHA256 = '45c9aa5144ef1c1ef1ce3515a6d379d288558d36d189435dfa32a246b9d3ad4b';

/** validator compiles the metaschema with the formats it names. */
function validator() {
  const text = readFileSync(METASCHEMA_FILE);
  expect(createHash('sha256').update(text).digest('hex')).toBe(METASCHEMA_SHA256);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv, ['uri-reference']);
  ajv.addFormat('regex', (value: string) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  });
  return ajv.compile(JSON.parse(text.toString('utf8')));
}

describe("Pulumi's package metaschema", () => {
  const validate = validator();

  it('accepts the committed schema.json', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/pulumi/schema.json', import.meta.url), 'utf8'));
    const ok = validate(committed);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts the schema as emitted now', () => {
    expect(validate(buildPulumiSchema()), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('refuses a schema that breaks it, so the check is real', () => {
    const broken = { ...buildPulumiSchema(), name: '9 not a name', resources: { 'gatehouse:index:Listener': { properties: 'not an object' } } };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/name']));
  });
});
