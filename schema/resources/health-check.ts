/**
 * healthCheck of a server group (SPEC 1.6): ranges and defaults. The protocol defaults to the
 * group's protocol, which the server group applies; the host defaults to each server's address.
 */
import { z } from 'zod';

/** HEALTH_CHECK_CODES are the status classes a health check may accept. */
export const HEALTH_CHECK_CODES = ['http_2xx', 'http_3xx', 'http_4xx', 'http_5xx'] as const;

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** healthCheckSchema is healthCheck with every default applied except `protocol` (the group's). */
export const healthCheckSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Health checks are on.'),
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP']).optional().describe('Protocol of the check: `HTTP`, `HTTPS` or `TCP`. Default: the group protocol.'),
    method: z.enum(['GET', 'HEAD']).default('HEAD').describe('HTTP method of the check.'),
    path: z
      .string()
      .min(1)
      .max(80)
      .regex(/^\//, { message: 'must start with /' })
      .regex(VISIBLE_ASCII, { message: 'must be visible ASCII without spaces' })
      .default('/')
      .describe('Request path of the check, 1–80 characters starting with `/`.'),
    host: z
      .string()
      .min(1)
      .max(80)
      .regex(VISIBLE_ASCII, { message: 'must be visible ASCII without spaces' })
      .optional()
      .describe('Host header of the check, 1–80 characters. Default: the server address.'),
    httpVersion: z.enum(['HTTP1.0', 'HTTP1.1']).default('HTTP1.1').describe('HTTP version of the check.'),
    port: z.number().int().min(0).max(65535).default(0).describe('Port of the check, 0–65535; 0 = the server\'s port.'),
    interval: z.number().int().min(1).max(50).default(2).describe('Seconds between checks, 1–50.'),
    timeout: z.number().int().min(1).max(300).default(5).describe('Seconds to wait for a check response, 1–300.'),
    healthyThreshold: z.number().int().min(2).max(10).default(3).describe('Consecutive successes before a server enters rotation, 2–10.'),
    unhealthyThreshold: z.number().int().min(2).max(10).default(3).describe('Consecutive failures before a server leaves rotation, 2–10.'),
    codes: z
      .array(z.enum(HEALTH_CHECK_CODES))
      .min(1)
      .refine((codes) => new Set(codes).size === codes.length, { message: 'must not repeat a status class' })
      .default(['http_2xx', 'http_3xx'])
      .describe('Status classes counted as healthy: a subset of http_2xx, http_3xx, http_4xx, http_5xx.'),
  })
  .describe('Active health checks of the servers.');

/** HealthCheckInput is a parsed healthCheck before the group protocol is applied. */
export type HealthCheckInput = z.output<typeof healthCheckSchema>;
