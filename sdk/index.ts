/**
 * The Gatehouse Pulumi SDK, the npm package `@gatehouse/pulumi`
 * (`import * as gatehouse from "@gatehouse/pulumi"`): deliberately nothing more than the
 * resource classes, their argument and state types, and the Provider. It loads `schema/` and
 * `@pulumi/pulumi`, never the server, the engine or SQLite.
 */
export { Certificate, type CertificateArgs, type CertificateState } from './certificate.ts';
export { Listener, type ListenerArgs, type ListenerState } from './listener.ts';
export { LoadBalancer, type LoadBalancerArgs, type LoadBalancerState } from './load-balancer.ts';
export { Provider, type ProviderArgs } from './provider.ts';
export { QuicListener, type QuicListenerArgs, type QuicListenerState } from './quic-listener.ts';
export { ServerGroup, type ServerGroupArgs, type ServerGroupState } from './server-group.ts';
export { TlsSecurityPolicy, type TlsSecurityPolicyArgs, type TlsSecurityPolicyState } from './tls-security-policy.ts';
