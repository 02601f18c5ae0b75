/**
 * Builds a `pulumi stack export` document from live API objects, as Pulumi would have stored
 * them after creating or importing them: each object read back as inputs (the provider's
 * reading), a certificate's private key as an encrypted secret.
 */
import { kindByCollection } from '../../schema/kinds.ts';
import { inputsFromLive } from '../../schema/pulumi-state/live-inputs.ts';

const SIG = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** ExportedResource is one live object of a collection and the Pulumi name it has in the stack. */
export interface ExportedResource {
  collection: string;
  name: string;
  live: Record<string, unknown>;
}

/** stackExportOf renders the resources as the `pulumi stack export` of a stack `dev` of project `web`. */
export function stackExportOf(resources: readonly ExportedResource[]): Record<string, unknown> {
  const urn = (type: string, name: string): string => `urn:pulumi:dev::web::${type}::${name}`;
  return {
    version: 3,
    deployment: {
      manifest: { time: '2026-01-01T00:00:00Z', magic: 'm', version: 'v3.200.0' },
      resources: [
        { urn: urn('pulumi:pulumi:Stack', 'web-dev'), custom: false, type: 'pulumi:pulumi:Stack' },
        ...resources.map((r) => {
          const kind = kindByCollection(r.collection);
          if (!kind) throw new Error(`no collection ${r.collection}`);
          const inputs: Record<string, unknown> = inputsFromLive(kind, r.live);
          for (const field of kind.secretFields) if (kind.name === 'Certificate' && r.live.type === 'Server') inputs[field] = { [SIG]: SECRET_SIG, ciphertext: 'v1:ZW5jcnlwdGVk' };
          return { urn: urn(kind.token, r.name), custom: true, id: r.live.id, type: kind.token, inputs, outputs: { ...r.live } };
        }),
      ],
    },
  };
}
