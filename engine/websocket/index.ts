/** The WebSocket module: relays upgraded ws:// and wss:// connections to a backend (SPEC E13). */
export { acceptFor, isWebSocketUpgrade, relayWebSocket } from './relay.ts';
export type { WebSocketRelayOptions, WebSocketRelayResult, WebSocketTarget } from './relay.ts';
