/** examples/quickstart end to end from the checkout: the suite is in suites/quickstart.ts. */
import { CHECKOUT_INSTALL } from './support/example-stack.ts';
import { quickstartSuite } from './suites/quickstart.ts';

quickstartSuite(() => CHECKOUT_INSTALL);
