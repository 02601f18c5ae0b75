/**
 * examples/quickstart end to end from the packed artifacts installed outside the checkout
 * (installed-project.ts says how); the suite is the checkout's, test/e2e/suites/quickstart.ts.
 */
import { quickstartSuite } from '../../e2e/suites/quickstart.ts';
import { installedSuite } from '../installed-project.ts';

installedSuite(quickstartSuite);
