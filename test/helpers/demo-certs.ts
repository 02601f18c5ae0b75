/**
 * writeDemoCerts: the files `examples/make-demo-certs.sh` makes, from the in-memory test PKI,
 * into a temporary folder — so the examples read real PEM files through their config keys and
 * nothing is written into examples/. The end-to-end stacks (test/e2e) and the examples' plan-time
 * test (test/sdk/examples.test.ts) both use it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, issueCertificate, type Issued } from './pki.ts';

/** DemoCerts are the issued certificates and where their files are. */
export interface DemoCerts {
  dir: string;
  ca: Issued;
  clientCa: Issued;
  server: Issued;
  exampleTest: Issued;
  wildcardExampleTest: Issued;
  shopExampleOrg: Issued;
  client: Issued;
  /** `<dir>/<name>.pem` (leaf + chain) and `<dir>/<name>.key`. */
  pem(name: string): string;
  key(name: string): string;
}

/** writeDemoCerts issues every demo certificate and writes it to `dir`. */
export async function writeDemoCerts(dir: string): Promise<DemoCerts> {
  const ca = await createCa('Gatehouse E2E CA');
  const clientCa = await createCa('Gatehouse E2E Client CA');
  const server = (cn: string, dnsNames: string[], ipAddresses: string[] = []): Promise<Issued> => issueCertificate({ commonName: cn, dnsNames, ipAddresses }, ca);
  const issued = {
    server: await server('localhost', ['localhost'], ['127.0.0.1']),
    'example-test': await server('example.test', ['example.test', 'www.example.test']),
    'wildcard-example-test': await server('*.example.test', ['*.example.test']),
    'shop-example-org': await server('shop.example.org', ['shop.example.org']),
    client: await issueCertificate({ commonName: 'e2e-client', client: true }, clientCa),
  };
  for (const [name, cert] of Object.entries(issued)) {
    await writeFile(join(dir, `${name}.pem`), cert.chainPem);
    await writeFile(join(dir, `${name}.key`), cert.keyPem, { mode: 0o600 });
  }
  await writeFile(join(dir, 'ca.pem'), ca.certPem);
  await writeFile(join(dir, 'client-ca.pem'), clientCa.certPem);
  return {
    dir,
    ca,
    clientCa,
    server: issued.server,
    exampleTest: issued['example-test'],
    wildcardExampleTest: issued['wildcard-example-test'],
    shopExampleOrg: issued['shop-example-org'],
    client: issued.client,
    pem: (name) => join(dir, `${name}.pem`),
    key: (name) => join(dir, `${name}.key`),
  };
}
