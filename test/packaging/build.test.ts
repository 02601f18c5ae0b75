/**
 * `npm run build` (tsconfig.build.json): the TypeScript compiles to JavaScript with declarations,
 * and what it emits runs without type stripping — the SDK on the machine's Node 20 (the oldest
 * Node a Pulumi program may run on) loading only sdk/ and schema/ of the project, the `gatehouse`
 * command and the provider plugin on Node 24. The build goes to a folder of its own under
 * node_modules/.cache, so that packages resolve as from the checkout and `dist/` is not touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/gatehouse-serve.ts';

/** NODE_20 is the machine's own Node.js, older than the project's. */
const NODE_20 = '/usr/bin/node';
const NODE_24 = join(ROOT, 'node_modules', '.bin', 'node');
const OUT = join(ROOT, 'node_modules', '.cache', `gatehouse-build-test-${process.pid}`);

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { cwd: ROOT, encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr, 'tsc -p tsconfig.build.json').toBe('');
  expect(tsc.status).toBe(0);
}, 120_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('npm run build', () => {
  it('emits JavaScript and declarations for the SDK, schema, provider, server, engine and CLI, and nothing for tests', () => {
    for (const file of ['sdk/index.js', 'sdk/index.d.ts', 'sdk/listener.d.ts', 'schema/index.js', 'provider/main.js', 'server/app.js', 'engine/index.js', 'cli/gatehouse.js']) {
      expect(existsSync(join(OUT, file)), file).toBe(true);
    }
    expect(existsSync(join(OUT, 'test'))).toBe(false);
    // Relative imports point at the emitted .js files.
    expect(readFileSync(join(OUT, 'sdk', 'index.js'), 'utf8')).toMatch(/from "\.\/listener\.js"/);
  });

  it('the compiled SDK loads on Node 20 and pulls in sdk/ and schema/ only', () => {
    if (!existsSync(NODE_20)) throw new Error(`${NODE_20} is missing: the test needs the machine's Node 20`);
    // A resolve hook records every project module the import loads.
    const log = join(OUT, 'loaded.txt');
    const hooks = join(OUT, 'record-hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`,
    );
    const register = join(OUT, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const program = `const m = await import(${JSON.stringify(pathToFileURL(join(OUT, 'sdk', 'index.js')).href)}); console.log(Object.keys(m).sort().join(','));`;
    const run = spawnSync(NODE_20, ['--import', pathToFileURL(register).href, '--input-type=module', '-e', program], { cwd: OUT, encoding: 'utf8' });
    expect(run.stderr.replace(/^\(node:\d+\) .*Warning.*\n(.*--trace-warnings.*\n)?/gm, '')).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('Certificate,Listener,LoadBalancer,Provider,QuicListener,ServerGroup,TlsSecurityPolicy');
    const project = readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(pathToFileURL(OUT).href + '/'))
      .map((url) => url.slice(pathToFileURL(OUT).href.length + 1).split('/')[0]);
    expect(new Set(project)).toEqual(new Set(['sdk', 'schema', 'package.json']));
  });

  it('the compiled `gatehouse` command runs on Node 24', () => {
    const run = spawnSync(NODE_24, [join(OUT, 'cli', 'gatehouse.js'), '--version'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^gatehouse \d+\.\d+\.\d+ \(node v24\./);
  });

  it('the compiled provider plugin serves and prints its port first', async () => {
    const child = spawn(NODE_24, [join(OUT, 'provider', 'main.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`plugin exited with ${code}`)));
        setTimeout(() => reject(new Error('no port within 10 s')), 10_000).unref();
      });
      expect(firstLine).toMatch(/^\d{2,5}$/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
