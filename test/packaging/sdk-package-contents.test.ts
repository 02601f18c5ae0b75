/**
 * The SDK package's declarations (packaging/sdk-declarations.ts) are generated from the models'
 * JSON Schemas; the checkout's SDK derives its types from the zod models. They must describe
 * the same API: for every class, the compiler checks that the generated arguments, state,
 * instance and constructor types and the source ones are assignable both ways, and every
 * generated property carries a doc comment. The package's package.json names the plugin it
 * needs, and its download location when one is configured.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkDeclarations, sdkModuleName } from '../../packaging/sdk-declarations.ts';
import { sdkManifest, type SdkManifest } from '../../packaging/sdk-package.ts';
import { ALL_RESOURCE_KINDS } from '../../schema/kinds.ts';
import { ROOT } from '../helpers/gatehouse-serve.ts';

const OUT = join(ROOT, 'node_modules', '.cache', `gatehouse-declarations-test-${process.pid}`);
const files = sdkDeclarations();

/** sourceModule is the relative specifier of an SDK source module, as seen from the output folder. */
function sourceModule(module: string): string {
  return relative(OUT, join(ROOT, 'sdk', `${module}.ts`));
}

/** sameTypeChecks is a TypeScript module whose constants only type-check when each pair of types is mutually assignable. */
function sameTypeChecks(): string {
  let text = 'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\n';
  for (const kind of ALL_RESOURCE_KINDS) {
    const m = sdkModuleName(kind);
    const n = kind.name;
    text += `import type * as gen_${n} from './${m}.js';\n`;
    text += `import type * as src_${n} from ${JSON.stringify(sourceModule(m))};\n`;
    text += `export const ${n}Args: Same<gen_${n}.${n}Args, src_${n}.${n}Args> = true;\n`;
    text += `export const ${n}State: Same<gen_${n}.${n}State, src_${n}.${n}State> = true;\n`;
    text += `export const ${n}Instance: Same<gen_${n}.${n}, src_${n}.${n}> = true;\n`;
    text += `export const ${n}Constructor: Same<ConstructorParameters<typeof gen_${n}.${n}>, ConstructorParameters<typeof src_${n}.${n}>> = true;\n`;
    text += `export const ${n}Get: Same<Parameters<typeof gen_${n}.${n}.get>, Parameters<typeof src_${n}.${n}.get>> = true;\n`;
  }
  return text;
}

/** typeCheck runs tsc over the generated files and a checks module; it returns tsc's output. */
function typeCheck(checks: string): { status: number | null; output: string } {
  writeFileSync(join(OUT, 'checks.ts'), checks);
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
      include: ['*.ts'],
      exclude: [],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(OUT, 'tsconfig.json')], { cwd: OUT, encoding: 'utf8' });
  return { status: tsc.status, output: tsc.stdout + tsc.stderr };
}

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const f of files) if (f.path !== 'index.d.ts') writeFileSync(join(OUT, f.path), f.text);
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('the SDK package declarations', () => {
  it('declare one module per resource class and an index re-exporting them with the Provider', () => {
    expect(files.map((f) => f.path).sort()).toEqual([...ALL_RESOURCE_KINDS.map((k) => `${sdkModuleName(k)}.d.ts`), 'index.d.ts'].sort());
    const index = files.find((f) => f.path === 'index.d.ts')!.text;
    for (const kind of ALL_RESOURCE_KINDS) expect(index).toContain(`export { ${kind.name}, type ${kind.name}Args, type ${kind.name}State } from "./${sdkModuleName(kind)}.js";`);
    expect(index).toContain('export { Provider, type ProviderArgs } from "./provider.js";');
  });

  it('are the same types as the checkout SDK derives from the models, both ways, for every class', () => {
    const { status, output } = typeCheck(sameTypeChecks());
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 60_000);

  it('the comparison fails when a generated type differs (control)', () => {
    const n = 'LoadBalancer';
    const src = JSON.stringify(sourceModule('load-balancer'));
    const control = `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;\nimport type * as src from ${src};\nexport const c: Same<src.${n}Args & { extra: string }, src.${n}Args> = true;\n`;
    const { status, output } = typeCheck(control);
    expect(status).not.toBe(0);
    expect(output).toMatch(/checks\.ts.*error TS2322/);
  }, 60_000);

  it('give every property of every class, argument and state type a doc comment', () => {
    let checked = 0;
    for (const f of files.filter((x) => x.path !== 'index.d.ts')) {
      const source = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true);
      const undocumented: string[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) {
          checked++;
          const docs = ts.getJSDocCommentsAndTags(node);
          if (docs.length === 0) undocumented.push(`${f.path}: ${node.getText(source).split('\n')[0]}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      expect(undocumented).toEqual([]);
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe("the SDK package's package.json", () => {
  const sdk = JSON.parse(readFileSync(join(ROOT, 'sdk', 'package.json'), 'utf8')) as SdkManifest;

  it('names the plugin and its version, and where to download it only when a location is configured', () => {
    expect(sdkManifest({ version: '1.2.3', pluginDownloadUrl: undefined }, sdk)['pulumi']).toEqual({ resource: true, name: 'gatehouse', version: '1.2.3' });
    expect(sdkManifest({ version: '1.2.3', pluginDownloadUrl: 'https://dl.corp.test/gatehouse/v${VERSION}' }, sdk)['pulumi']).toEqual({
      resource: true,
      name: 'gatehouse',
      version: '1.2.3',
      server: 'https://dl.corp.test/gatehouse/v1.2.3',
    });
  });

  it('depends on @pulumi/pulumi and zod only, at the ranges sdk/package.json gives', () => {
    expect(sdkManifest({ version: '1.2.3', pluginDownloadUrl: undefined }, sdk)).toMatchObject({ name: '@gatehouse/pulumi', main: 'index.js', types: 'index.d.ts', dependencies: sdk.dependencies });
    expect(Object.keys(sdk.dependencies).sort()).toEqual(['@pulumi/pulumi', 'zod']);
  });
});
