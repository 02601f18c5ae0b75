/**
 * examples/mutual-tls end to end from the packed artifacts installed outside the checkout
 * (installed-project.ts says how); the suite is the checkout's, test/e2e/suites/mutual-tls.ts.
 */
import { mutualTlsSuite } from '../../e2e/suites/mutual-tls.ts';
import { installedSuite } from '../installed-project.ts';

installedSuite(mutualTlsSuite);
