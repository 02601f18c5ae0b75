/**
 * examples/blue-green end to end from the packed artifacts: the program copied into a user's
 * project outside the checkout, importing the installed SDK package, run by that project's
 * own Pulumi runner through ts-node on the machine's Node 20, against the plugin extracted from
 * its archive, with no checkout and no Node 24 on PATH. The suite is the checkout's
 * (test/e2e/suites/blue-green.ts).
 */
import { beforeAll, describe } from 'vitest';
import { blueGreenSuite } from '../../e2e/suites/blue-green.ts';
import type { ExampleInstall } from '../../e2e/support/example-stack.ts';
import { installedProject, USER_NODE, userPath } from '../installed-project.ts';

let install: ExampleInstall | undefined;

beforeAll(async () => {
  const project = await installedProject();
  install = {
    examplesDir: project.examplesDir,
    pluginPath: project.pluginPath,
    runner: { node: USER_NODE, cmdRun: project.cmdRun, typescript: true },
    env: { PATH: userPath(project) },
  };
}, 480_000);

describe('installed from the packed artifacts', () => {
  blueGreenSuite(() => {
    if (!install) throw new Error('the installed project is not ready');
    return install;
  });
});
