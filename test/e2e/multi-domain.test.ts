/** examples/multi-domain end to end from the checkout: the suite is in suites/multi-domain.ts. */
import { CHECKOUT_INSTALL } from './support/example-stack.ts';
import { multiDomainSuite } from './suites/multi-domain.ts';

multiDomainSuite(() => CHECKOUT_INSTALL);
