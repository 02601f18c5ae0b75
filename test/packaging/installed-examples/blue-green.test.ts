/**
 * examples/blue-green end to end from the packed artifacts installed outside the checkout
 * (installed-project.ts says how); the suite is the checkout's, test/e2e/suites/blue-green.ts.
 */
import { blueGreenSuite } from '../../e2e/suites/blue-green.ts';
import { installedSuite } from '../installed-project.ts';

installedSuite(blueGreenSuite);
