/**
 * write-pulumi-schema writes `schema/pulumi/schema.json` from the resource models
 * (`npm run gen:schema`); the committed file is checked against a fresh build by the tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderPulumiSchema } from './pulumi-schema.ts';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
const target = new URL('schema/pulumi/schema.json', root);
writeFileSync(target, renderPulumiSchema({ version: pkg.version }));
process.stdout.write(`wrote ${target.pathname}\n`);
