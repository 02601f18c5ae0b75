/** examples/custom-tls-policy end to end from the checkout: the suite is in suites/custom-tls-policy.ts. */
import { CHECKOUT_INSTALL } from './support/example-stack.ts';
import { customTlsPolicySuite } from './suites/custom-tls-policy.ts';

customTlsPolicySuite(() => CHECKOUT_INSTALL);
