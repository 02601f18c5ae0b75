/**
 * QUIC listeners (SPEC 1.3): Node.js is built without a QUIC stack, so the engine reports
 * them Unavailable and never advertises Alt-Svc for them.
 */

/** QUIC_UNAVAILABLE_REASON is the statusReason of every QUIC listener on this runtime. */
export const QUIC_UNAVAILABLE_REASON = 'this runtime has no QUIC stack (Node.js built without QUIC)';
