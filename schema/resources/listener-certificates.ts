/**
 * `certificates` of an HTTPS or QUIC listener: the default certificate and up to 25
 * additional ones chosen by SNI (SPEC 1.2, E1).
 */
import { z } from 'zod';
import { findDuplicates, idRef, issueAt } from './common.ts';

/** MAX_ADDITIONAL_CERTIFICATES is the largest number of additional certificates on one listener. */
export const MAX_ADDITIONAL_CERTIFICATES = 25;

/** listenerCertificatesSchema is the certificates object with its rules: ≤25 additional, no duplicates, not the default. */
export const listenerCertificatesSchema = z
  .strictObject({
    defaultCertificateId: idRef('The `Server` certificate served when no SNI name matches another one.'),
    additionalCertificateIds: z
      .array(idRef('A `Server` certificate id.'))
      .default([])
      .describe(`Further \`Server\` certificates chosen by SNI: at most ${MAX_ADDITIONAL_CERTIFICATES}, no duplicates, not the default one. Default [].`),
  })
  .superRefine((v, ctx) => {
    if (v.additionalCertificateIds.length > MAX_ADDITIONAL_CERTIFICATES) {
      issueAt(ctx, ['additionalCertificateIds'], `at most ${MAX_ADDITIONAL_CERTIFICATES} additional certificates, got ${v.additionalCertificateIds.length}`);
    }
    for (const { index, first } of findDuplicates(v.additionalCertificateIds, (id) => id)) {
      issueAt(ctx, ['additionalCertificateIds', index], `duplicates additionalCertificateIds[${first}]`);
    }
    v.additionalCertificateIds.forEach((id, i) => {
      if (id === v.defaultCertificateId) issueAt(ctx, ['additionalCertificateIds', i], 'is the default certificate');
    });
  })
  .describe('Certificates of the listener.');

/** ListenerCertificates is the parsed certificates object. */
export type ListenerCertificates = z.output<typeof listenerCertificatesSchema>;
