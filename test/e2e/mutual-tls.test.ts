/** examples/mutual-tls end to end from the checkout: the suite is in suites/mutual-tls.ts. */
import { CHECKOUT_INSTALL } from './support/example-stack.ts';
import { mutualTlsSuite } from './suites/mutual-tls.ts';

mutualTlsSuite(() => CHECKOUT_INSTALL);
