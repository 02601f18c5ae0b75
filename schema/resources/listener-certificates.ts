/**
 * `certificates` of an HTTPS or QUIC listener: the default certificate and up to 25
 * additional ones chosen by SNI (SPEC 1.2, E1).
 */
import { z } from 'zod';
import { applyRules, crossFieldRule, type RuleIssue } from '../field-rules.ts';
import { findDuplicates, idRef } from './common.ts';

/** MAX_ADDITIONAL_CERTIFICATES is the largest number of additional certificates on one listener. */
export const MAX_ADDITIONAL_CERTIFICATES = 25;

type CertificateIds = { defaultCertificateId: string; additionalCertificateIds: string[] };

/** listenerCertificatesRules are the rules of a listener's certificates: ≤25 additional, no duplicates, not the default. */
export const listenerCertificatesRules = [
  crossFieldRule<CertificateIds>({
    id: 'additional-certificates-limit',
    description: `additionalCertificateIds holds at most ${MAX_ADDITIONAL_CERTIFICATES} certificates.`,
    reads: ['additionalCertificateIds'],
    check: (v) =>
      v.additionalCertificateIds.length > MAX_ADDITIONAL_CERTIFICATES
        ? [{ path: ['additionalCertificateIds'], message: `at most ${MAX_ADDITIONAL_CERTIFICATES} additional certificates, got ${v.additionalCertificateIds.length}` }]
        : [],
  }),
  crossFieldRule<CertificateIds>({
    id: 'additional-certificates-unique',
    description: 'additionalCertificateIds names each certificate once.',
    reads: ['additionalCertificateIds'],
    check: (v) =>
      findDuplicates(v.additionalCertificateIds, (id) => id).map(({ index, first }) => ({
        path: ['additionalCertificateIds', index],
        message: `duplicates additionalCertificateIds[${first}]`,
      })),
  }),
  crossFieldRule<CertificateIds>({
    id: 'additional-certificates-not-default',
    description: 'additionalCertificateIds does not name defaultCertificateId.',
    reads: ['defaultCertificateId', 'additionalCertificateIds'],
    check: (v) => {
      const issues: RuleIssue[] = [];
      v.additionalCertificateIds.forEach((id, i) => {
        if (id === v.defaultCertificateId) issues.push({ path: ['additionalCertificateIds', i], message: 'is the default certificate' });
      });
      return issues;
    },
  }),
] as const;

/** listenerCertificatesSchema is the certificates object with its rules: ≤25 additional, no duplicates, not the default. */
export const listenerCertificatesSchema = z
  .strictObject({
    defaultCertificateId: idRef('The `Server` certificate served when no SNI name matches another one.'),
    additionalCertificateIds: z
      .array(idRef('A `Server` certificate id.'))
      .default([])
      .describe(`Further \`Server\` certificates chosen by SNI: at most ${MAX_ADDITIONAL_CERTIFICATES}, no duplicates, not the default one.`),
  })
  .superRefine(applyRules(listenerCertificatesRules))
  .describe('Certificates of the listener.');

/** ListenerCertificates is the parsed certificates object. */
export type ListenerCertificates = z.output<typeof listenerCertificatesSchema>;
