/** The compression module: E10's decision, response-header rewrite and streaming compressors. */
export { ACCEPTS_BR, ACCEPTS_GZIP, acceptedEncodings } from './accept-encoding.ts';
export { COMPRESSION_MIN_LENGTH, GZIP_TYPES, NO_COMPRESSION, decideCompression, isGzipType, responseFacts, rewriteHeaders } from './decision.ts';
export type { CompressionDecision, ResponseFacts } from './decision.ts';
export { BROTLI_QUALITY, GZIP_LEVEL, createCompressor } from './compressor.ts';
