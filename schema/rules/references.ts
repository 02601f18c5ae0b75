/**
 * Reference resolution (SPEC 1.2, 1.3): every id a listener names must exist and be of the
 * right sort — Server or CA certificate, a system or custom TLS policy, a QUIC listener on
 * the same load balancer that no other listener is associated with.
 */
import type { FieldError } from '../errors.ts';
import { systemPolicyById } from '../tls-policies.ts';
import type { World } from './world.ts';

/** Candidate is a parsed resource body as the rules read it. */
export type Candidate = Readonly<Record<string, unknown>>;

interface CertificatesRef {
  defaultCertificateId?: string;
  additionalCertificateIds?: readonly string[];
}

function notFound(path: string, what: string, id: string): FieldError {
  return { path, code: 'REFERENCE_NOT_FOUND', message: `${what} ${id} does not exist` };
}

function checkCertificate(world: World, path: string, id: string, type: 'Server' | 'CA', errors: FieldError[]): void {
  const cert = world.get('Certificate', id);
  if (!cert) errors.push(notFound(path, 'certificate', id));
  else if (cert.type !== type) errors.push({ path, code: 'VALIDATION_FAILED', message: `certificate ${id} is a ${cert.type} certificate; a ${type} certificate is required` });
}

function checkCertificates(world: World, certificates: CertificatesRef | undefined, errors: FieldError[]): void {
  if (!certificates) return;
  if (certificates.defaultCertificateId !== undefined) {
    checkCertificate(world, 'certificates.defaultCertificateId', certificates.defaultCertificateId, 'Server', errors);
  }
  (certificates.additionalCertificateIds ?? []).forEach((id, i) =>
    checkCertificate(world, `certificates.additionalCertificateIds[${i}]`, id, 'Server', errors),
  );
}

function checkCommon(world: World, candidate: Candidate, errors: FieldError[]): void {
  const lbId = candidate.loadBalancerId;
  if (typeof lbId === 'string' && !world.get('LoadBalancer', lbId)) errors.push(notFound('loadBalancerId', 'load balancer', lbId));
  const sgId = candidate.defaultServerGroupId;
  if (typeof sgId === 'string' && !world.get('ServerGroup', sgId)) errors.push(notFound('defaultServerGroupId', 'server group', sgId));
  checkCertificates(world, candidate.certificates as CertificatesRef | undefined, errors);
}

/**
 * checkReferences returns the reference failures of a Listener or QuicListener body; other
 * kinds reference nothing. `selfId` is the listener's own id on update (it may keep its QUIC
 * association).
 */
export function checkReferences(kindName: string, candidate: Candidate, world: World, selfId?: string): FieldError[] {
  const errors: FieldError[] = [];
  if (kindName === 'QuicListener') checkCommon(world, candidate, errors);
  if (kindName !== 'Listener') return errors;
  checkCommon(world, candidate, errors);

  const policyId = candidate.tlsPolicyId;
  if (typeof policyId === 'string' && !systemPolicyById(policyId) && !world.get('TlsSecurityPolicy', policyId)) {
    errors.push(notFound('tlsPolicyId', 'TLS security policy', policyId));
  }
  const mutual = candidate.mutualAuthentication as { caCertificateId?: string } | undefined;
  if (mutual?.caCertificateId !== undefined) checkCertificate(world, 'mutualAuthentication.caCertificateId', mutual.caCertificateId, 'CA', errors);

  const quicId = (candidate.quic as { quicListenerId?: string } | undefined)?.quicListenerId;
  if (quicId !== undefined) {
    const quic = world.get('QuicListener', quicId);
    if (!quic) {
      errors.push(notFound('quic.quicListenerId', 'QUIC listener', quicId));
    } else {
      if (quic.loadBalancerId !== candidate.loadBalancerId) {
        errors.push({ path: 'quic.quicListenerId', code: 'VALIDATION_FAILED', message: `QUIC listener ${quicId} is on load balancer ${quic.loadBalancerId}, not on this listener's` });
      }
      const other = world.list('Listener').find((l) => l.id !== selfId && l.quic?.quicListenerId === quicId);
      if (other) {
        errors.push({ path: 'quic.quicListenerId', code: 'VALIDATION_FAILED', message: `QUIC listener ${quicId} is already associated with listener ${other.id}` });
      }
    }
  }
  return errors;
}
