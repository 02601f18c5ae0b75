/**
 * DESIGN.md "Layout" in code: the product's import graph has no cycle, and each folder imports
 * only the folders its row allows. The graph is every `.ts` file under the product folders and
 * every static `import` / `export … from` with a relative specifier, `import type` included
 * (a type-only cycle still ties two modules' meanings together), read with the TypeScript
 * parser rather than a regular expression, so comments and strings never count as imports.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** PRODUCT_FOLDERS are the folders whose files form the product's import graph. */
const PRODUCT_FOLDERS = ['schema', 'engine', 'server', 'client', 'provider', 'terraform', 'sdk', 'cli', 'packaging'] as const;
type Folder = (typeof PRODUCT_FOLDERS)[number];

/** SKIPPED_DIRECTORIES hold installed or generated code, not the product's sources. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist']);

/** ImportGraph maps a file (relative to the repository, `/`-separated) to the files it imports. */
type ImportGraph = Map<string, Set<string>>;

function productFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const folder of PRODUCT_FOLDERS) walk(join(ROOT, folder));
  return files;
}

/** importSpecifiers lists the module specifiers of a file's static imports and re-exports. */
function importSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) specifiers.push(expression.text);
    }
  }
  return specifiers;
}

/** resolveRelative finds the file a relative specifier names (`.ts` written out, `.js` for `.ts`, or a folder's index). */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}

function repoPath(absolute: string): string {
  return relative(ROOT, absolute).split(sep).join('/');
}

/** productImportGraph reads every product file's relative imports. */
function productImportGraph(): { graph: ImportGraph; unresolved: string[] } {
  const graph: ImportGraph = new Map();
  const unresolved: string[] = [];
  for (const file of productFiles()) {
    const edges = new Set<string>();
    for (const specifier of importSpecifiers(file, readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      const target = resolveRelative(file, specifier);
      if (target === undefined) {
        if (!/\.(json|md)$/.test(specifier)) unresolved.push(`${repoPath(file)} → ${specifier}`);
        continue;
      }
      edges.add(repoPath(target));
    }
    graph.set(repoPath(file), edges);
  }
  return { graph, unresolved };
}

/**
 * findCycles returns one cycle per strongly connected component of more than one file (or a
 * file importing itself), each as the path `a → b → … → a`, using Tarjan's algorithm
 * (iterative, so a deep import chain cannot overflow the stack).
 */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const successors = (node: string): string[] => [...(graph.get(node) ?? [])];

  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: string[]; i: number }[] = [];
    const enter = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: successors(node), i: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.next.length) {
        const to = frame.next[frame.i++]!;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) components.push(component);
    }
  }
  return components.map((component) => cycleWithin(graph, new Set(component)));
}

/** cycleWithin walks one strongly connected component back to its start: a readable cycle. */
function cycleWithin(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  // Breadth-first from start's successors back to start, inside the component: a shortest cycle.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

function folderOf(file: string): Folder | undefined {
  const top = file.split('/')[0];
  return (PRODUCT_FOLDERS as readonly string[]).includes(top ?? '') ? (top as Folder) : undefined;
}

/** FORBIDDEN says, per folder, which other product folders it must never import (DESIGN.md "Layout"). */
const FORBIDDEN: Readonly<Record<Folder, readonly Folder[]>> = {
  // schema/ is the contract: zod only.
  schema: ['engine', 'server', 'client', 'provider', 'terraform', 'sdk', 'cli', 'packaging'],
  // The management API client speaks the contract (schema/) and nothing else; cli/ and provider/ use it.
  client: ['engine', 'server', 'provider', 'terraform', 'sdk', 'cli', 'packaging'],
  // A Pulumi user's program and the plugin must not load the load balancer; the SDK calls no API.
  sdk: ['server', 'engine', 'client', 'terraform'],
  provider: ['server', 'engine', 'terraform'],
  // The Terraform provider plugin, like the Pulumi one, reads the schema and calls the API through client/ only.
  terraform: ['server', 'engine', 'provider', 'sdk', 'cli', 'packaging'],
  // The load balancer never loads Pulumi- or Terraform-side code, the API's client or the command line.
  server: ['provider', 'terraform', 'sdk', 'cli', 'client'],
  engine: ['provider', 'terraform', 'sdk', 'cli', 'client'],
  cli: [],
  packaging: [],
};

/** layeringViolations lists every import that crosses a forbidden folder boundary. */
function layeringViolations(graph: ImportGraph): string[] {
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    const fromFolder = folderOf(from);
    if (fromFolder === undefined) continue;
    for (const to of targets) {
      const toFolder = folderOf(to);
      if (toFolder !== undefined && FORBIDDEN[fromFolder].includes(toFolder)) violations.push(`${from} → ${to}`);
    }
  }
  return violations.sort();
}

const { graph, unresolved } = productImportGraph();

describe('the import graph', () => {
  it('covers every product folder and resolves every relative import', () => {
    for (const folder of PRODUCT_FOLDERS) {
      expect([...graph.keys()].some((f) => f.startsWith(`${folder}/`)), folder).toBe(true);
    }
    expect(graph.size).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = findCycles(graph).map((c) => c.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('follows the layering of DESIGN.md "Layout"', () => {
    expect(layeringViolations(graph)).toEqual([]);
  });
});

describe('the checks themselves (controls)', () => {
  const synthetic = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  it('a three-file cycle is found and shown as a path', () => {
    const cycles = findCycles(synthetic({ 'engine/a.ts': ['engine/b.ts'], 'engine/b.ts': ['engine/c.ts'], 'engine/c.ts': ['engine/a.ts', 'engine/d.ts'], 'engine/d.ts': [] }));
    expect(cycles).toEqual([['engine/a.ts', 'engine/b.ts', 'engine/c.ts', 'engine/a.ts']]);
  });

  it('a file importing itself is a cycle; a diamond is not', () => {
    expect(findCycles(synthetic({ 'x.ts': ['x.ts'] }))).toEqual([['x.ts', 'x.ts']]);
    expect(findCycles(synthetic({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['d.ts'], 'c.ts': ['d.ts'], 'd.ts': [] }))).toEqual([]);
  });

  it('two separate cycles are both reported', () => {
    const cycles = findCycles(synthetic({ 'a.ts': ['b.ts'], 'b.ts': ['a.ts'], 'c.ts': ['d.ts'], 'd.ts': ['c.ts'] }));
    expect(cycles.map((c) => c[0]).sort()).toEqual(['a.ts', 'c.ts']);
  });

  it('type-only imports and re-exports are edges; comments and strings are not', () => {
    const text = [
      "import type { A } from './a.ts';",
      "export { B } from './b.ts';",
      "export * from './c.ts';",
      "import './d.ts';",
      "// import { E } from './e.ts';",
      "const s = \"import { F } from './f.ts'\";",
    ].join('\n');
    expect(importSpecifiers('x.ts', text)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts']);
  });

  it('the Terraform provider imports schema and client only; server, engine, sdk and provider may not import it', () => {
    const graph = synthetic({
      'terraform/t.ts': ['schema/z.ts', 'client/c.ts', 'provider/y.ts', 'engine/e.ts'],
      'server/s.ts': ['terraform/t.ts'],
      'engine/e.ts': ['terraform/t.ts'],
      'sdk/k.ts': ['terraform/t.ts'],
      'provider/y.ts': ['terraform/t.ts'],
    });
    expect(layeringViolations(graph)).toEqual([
      'engine/e.ts → terraform/t.ts',
      'provider/y.ts → terraform/t.ts',
      'sdk/k.ts → terraform/t.ts',
      'server/s.ts → terraform/t.ts',
      'terraform/t.ts → engine/e.ts',
      'terraform/t.ts → provider/y.ts',
    ]);
  });

  it('an engine file importing the provider breaks the layering', () => {
    expect(layeringViolations(synthetic({ 'engine/x.ts': ['provider/y.ts', 'schema/z.ts'], 'sdk/a.ts': ['schema/z.ts'] }))).toEqual(['engine/x.ts → provider/y.ts']);
  });

  it('the client imports schema only; cli and provider may import it, server, engine and sdk may not', () => {
    const graph = synthetic({
      'client/c.ts': ['schema/z.ts', 'provider/y.ts'],
      'provider/y.ts': ['client/c.ts'],
      'cli/a.ts': ['client/c.ts'],
      'server/s.ts': ['client/c.ts'],
      'engine/e.ts': ['client/c.ts'],
      'sdk/k.ts': ['client/c.ts'],
    });
    expect(layeringViolations(graph)).toEqual(['client/c.ts → provider/y.ts', 'engine/e.ts → client/c.ts', 'sdk/k.ts → client/c.ts', 'server/s.ts → client/c.ts']);
  });
});
