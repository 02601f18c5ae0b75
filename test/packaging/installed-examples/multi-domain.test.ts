/**
 * examples/multi-domain end to end from the packed artifacts installed outside the checkout
 * (installed-project.ts says how); the suite is the checkout's, test/e2e/suites/multi-domain.ts.
 */
import { multiDomainSuite } from '../../e2e/suites/multi-domain.ts';
import { installedSuite } from '../installed-project.ts';

installedSuite(multiDomainSuite);
