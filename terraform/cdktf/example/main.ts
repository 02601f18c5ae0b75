/**
 * The CDKTF program: one stack, `quickstart`, synthesised to
 * `$CDKTF_OUTDIR/stacks/quickstart/cdk.tf.json` (CDKTF_OUTDIR defaults to ./cdktf.out; `cdktf
 * synth` sets it). The quickstart's variables come from the environment, with the HCL
 * quickstart's defaults: QUICKSTART_PORT (10443), QUICKSTART_BACKENDS (comma-separated
 * host:port, "127.0.0.1:3001,127.0.0.1:3002"), QUICKSTART_CERT_FILE (certs/server.pem) and
 * QUICKSTART_KEY_FILE (certs/server.key), relative paths taken from where the program runs.
 */
import { resolve } from 'node:path';
import { App } from 'cdktf';
import { QuickstartStack } from './quickstart';

const env = process.env;
const app = new App();
new QuickstartStack(app, 'quickstart', {
  port: Number(env.QUICKSTART_PORT ?? '10443'),
  backends: (env.QUICKSTART_BACKENDS ?? '127.0.0.1:3001,127.0.0.1:3002').split(',').map((s) => s.trim()),
  certFile: resolve(env.QUICKSTART_CERT_FILE ?? 'certs/server.pem'),
  keyFile: resolve(env.QUICKSTART_KEY_FILE ?? 'certs/server.key'),
});
app.synth();
