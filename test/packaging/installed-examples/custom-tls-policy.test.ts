/**
 * examples/custom-tls-policy end to end from the packed artifacts installed outside the checkout
 * (installed-project.ts says how); the suite is the checkout's, test/e2e/suites/custom-tls-policy.ts.
 */
import { customTlsPolicySuite } from '../../e2e/suites/custom-tls-policy.ts';
import { installedSuite } from '../installed-project.ts';

installedSuite(customTlsPolicySuite);
