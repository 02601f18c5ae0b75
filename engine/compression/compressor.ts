/**
 * Streaming compressors for E10. Settings are chosen for a proxy: it compresses on the fly on
 * every response, so CPU per byte matters more than the last percent of ratio.
 */
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';

/** BROTLI_QUALITY 4 gives most of Brotli's gain over gzip at gzip-like speed (11 is for static assets). */
export const BROTLI_QUALITY = 4;
/** GZIP_LEVEL 5: close to level 9's ratio on text at about half its CPU. */
export const GZIP_LEVEL = 5;

/**
 * createCompressor returns a zlib transform for the coding. It streams (zlib works in 16–64
 * KiB windows; nothing buffers the whole body). `sizeHint` is the original Content-Length,
 * which lets Brotli size its window for small bodies.
 */
export function createCompressor(encoding: 'br' | 'gzip', sizeHint?: number): Transform {
  if (encoding === 'br') {
    const params: Record<number, number> = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
    };
    if (sizeHint !== undefined && sizeHint > 0) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
    return zlib.createBrotliCompress({ params });
  }
  return zlib.createGzip({ level: GZIP_LEVEL });
}
