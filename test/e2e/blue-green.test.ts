/** examples/blue-green end to end from the checkout: the suite is in suites/blue-green.ts. */
import { CHECKOUT_INSTALL } from './support/example-stack.ts';
import { blueGreenSuite } from './suites/blue-green.ts';

blueGreenSuite(() => CHECKOUT_INSTALL);
