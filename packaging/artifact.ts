/**
 * What the package builders share: where they read the compiled code, where they write
 * their artifact, which version and platform they stamp, and how the result is reported.
 * `npm run pack` (packaging/pack.ts) builds one context and hands it to each builder.
 */
import { statSync } from 'node:fs';

/** PackContext is everything a builder needs; builders never read global state. */
export interface PackContext {
  /** Absolute path of the checkout (the folder holding the root package.json). */
  readonly root: string;
  /** Absolute path of `npm run build`'s output (tsconfig.build.json's outDir), already built. */
  readonly buildDir: string;
  /** Absolute path of the folder the artifacts are written to (exists, may hold older files). */
  readonly outDir: string;
  /** A scratch folder the builder may use; removed after packing. */
  readonly workDir: string;
  /** The product version (the root package.json's `version`). */
  readonly version: string;
  /** The text of the Pulumi package schema to ship (schema.json with the pluginDownloadURL the publisher chose). */
  readonly pulumiSchemaText: string;
  /** Where `pulumi plugin install` downloads the plugin from, when the publisher configured one. */
  readonly pluginDownloadUrl: string | undefined;
}

/** Artifact is one file `npm run pack` produced. */
export interface Artifact {
  /** What it is, for the summary line: "Pulumi SDK", "provider plugin", "server". */
  readonly label: string;
  /** Absolute path of the file. */
  readonly file: string;
}

/** artifactSize is the file's size in bytes. */
export function artifactSize(artifact: Artifact): number {
  return statSync(artifact.file).size;
}

/** pulumiPlatform names the running platform as Pulumi's plugin archives do (`linux-amd64`, `darwin-arm64`, …). */
export function pulumiPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = arch === 'x64' ? 'amd64' : arch;
  return `${os}-${cpu}`;
}

/** terraformPlatform names the running platform as Terraform's provider releases do (`linux_amd64`, `darwin_arm64`, …). */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return pulumiPlatform(platform, arch).replace('-', '_');
}
