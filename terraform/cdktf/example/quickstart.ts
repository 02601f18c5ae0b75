/**
 * The quickstart of examples/terraform/quickstart as a CDKTF stack: a load balancer on
 * 127.0.0.1, a server group of local backends with a health check, a certificate read from PEM
 * files, and an HTTPS listener that forwards to the group, with the same outputs.
 *
 * The certificate and its key are read by Terraform at plan time (`Fn.file`), as the HCL reads
 * them with `file()`: the synthesised cdk.tf.json names the files and never holds the key.
 */
import { Fn, TerraformOutput, TerraformStack, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { Certificate } from '../gatehouse/certificate';
import { Listener } from '../gatehouse/listener';
import { LoadBalancer } from '../gatehouse/load-balancer';
import { GatehouseProvider } from '../gatehouse/provider';
import { ServerGroup } from '../gatehouse/server-group';

/** QuickstartOptions are the quickstart's variables, given when the program runs. */
export interface QuickstartOptions {
  /** HTTPS port of the listener. */
  port: number;
  /** Backend servers as host:port (an IP, a host name, or [v6]:port). */
  backends: string[];
  /** Certificate chain (PEM, leaf first); an absolute path, as terraform runs in the stack's output folder. */
  certFile: string;
  /** Private key of the certificate (PEM); an absolute path. */
  keyFile: string;
}

/** server splits "host:port" or "[v6]:port" into the API's { address, port }. */
export function server(hostPort: string): { address: string; port: number } {
  const match = /^\[?(.+?)\]?:([0-9]+)$/.exec(hostPort);
  if (!match) throw new Error(`backend ${JSON.stringify(hostPort)} is not host:port, e.g. 127.0.0.1:3001 or [::1]:3001`);
  return { address: match[1], port: Number(match[2]) };
}

/** QuickstartStack declares the quickstart's resources and outputs. */
export class QuickstartStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: QuickstartOptions) {
    super(scope, id);

    // The endpoint and the token come from GATEHOUSE_ENDPOINT and GATEHOUSE_TOKEN.
    new GatehouseProvider(this, 'gatehouse', {});

    const edge = new LoadBalancer(this, 'edge', { name: 'quickstart-edge', address: '127.0.0.1' });

    const web = new ServerGroup(this, 'web', {
      name: 'quickstart-web',
      servers: options.backends.map(server),
      healthCheck: { path: '/', interval: 2 },
    });

    const site = new Certificate(this, 'site', {
      name: 'quickstart-site',
      certificatePem: Fn.file(options.certFile),
      // Sensitive: the plan shows "(sensitive value)". It is still stored in the state in clear
      // text, like every attribute: keep the state in an encrypted backend.
      privateKeyPem: Fn.file(options.keyFile),
    });

    const https = new Listener(this, 'https', {
      loadBalancerId: edge.id,
      protocol: 'HTTPS',
      port: options.port,
      defaultServerGroupId: web.id,
      certificates: { defaultCertificateId: site.id },
      forwardedHeaders: { proto: true, port: true, host: true },
    });

    new TerraformOutput(this, 'listener_id', { value: https.id });
    new TerraformOutput(this, 'listener_status', { value: https.status });
    new TerraformOutput(this, 'url', { value: `https://localhost:${Token.asString(https.port)}/` });
    new TerraformOutput(this, 'certificate_domains', { value: site.domains });
    new TerraformOutput(this, 'certificate_expires', { value: site.notAfter });
  }
}
