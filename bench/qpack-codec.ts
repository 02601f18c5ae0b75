/**
 * qpack-codec: the cost of QPACK on the request path — decoding a typical browser request's
 * field section and encoding a typical response's — with the zero-capacity dynamic table the
 * engine advertises. Runs a fixed count of each after a warm-up and prints ops/s.
 *
 * Usage: node bench/qpack-codec.ts [--count N]   (default 200,000)
 *
 * Figures on the development container (Node 24.21, 2 shared vCPUs, other work running), count
 * 200,000, three runs of `node bench/qpack-codec.ts`:
 *   decode request section (431 bytes, 17 fields, mostly Huffman literals): 138,000–174,000 ops/s
 *     (about 6–7 µs a request head, one FieldSection and its strings allocated per decode)
 *   encode response section (78 bytes, 10 fields, 6 of them static-table hits): 335,000–541,000 ops/s
 */
import { parseArgs } from 'node:util';
import { FieldSection } from '../engine/http3/field-section.ts';
import { FieldSectionDecoder, SECTION_OK } from '../engine/http3/qpack-decoder.ts';
import { encodeFieldSection } from '../engine/http3/qpack-encoder.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '200000' } } });
const COUNT = Number(values.count);

const REQUEST = [
  ':method', 'GET', ':scheme', 'https', ':authority', 'shop.example.com', ':path', '/catalog/items?page=2&sort=price',
  'sec-ch-ua', '"Chromium";v="126", "Not.A/Brand";v="24"', 'sec-ch-ua-mobile', '?0', 'sec-ch-ua-platform', '"Linux"',
  'upgrade-insecure-requests', '1',
  'user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'sec-fetch-site', 'same-origin', 'sec-fetch-mode', 'navigate', 'sec-fetch-dest', 'document',
  'referer', 'https://shop.example.com/catalog', 'accept-encoding', 'gzip, deflate, br, zstd',
  'accept-language', 'en-GB,en;q=0.9', 'cookie', 'session=3f9a1c0e7b2d4a6f; theme=dark; consent=1',
];
const RESPONSE = [
  ':status', '200', 'content-type', 'text/html; charset=utf-8', 'content-length', '48213', 'date', 'Tue, 18 Jun 2024 09:12:44 GMT',
  'cache-control', 'no-cache', 'vary', 'accept-encoding', 'content-encoding', 'br', 'strict-transport-security', 'max-age=31536000',
  'x-content-type-options', 'nosniff', 'set-cookie', 'session=3f9a1c0e7b2d4a6f; Path=/; Secure; HttpOnly',
];

const block = encodeFieldSection(REQUEST);
const decoder = new FieldSectionDecoder({ maxFieldSectionSize: 65536, maxFieldCount: 100 });

function decodeOnce(): void {
  const out = new FieldSection();
  if (decoder.decode(block, 0, block.length, out) !== SECTION_OK) throw new Error(decoder.reason);
}

function measure(name: string, fn: () => void): void {
  for (let i = 0; i < Math.min(COUNT, 20_000); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < COUNT; i++) fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name}: ${Math.round(COUNT / seconds).toLocaleString('en')} ops/s (${COUNT} in ${seconds.toFixed(2)} s)`);
}

const responseBytes = encodeFieldSection(RESPONSE).length;
measure(`decode request section (${block.length} bytes, ${REQUEST.length / 2} fields)`, decodeOnce);
measure(`encode response section (${responseBytes} bytes, ${RESPONSE.length / 2} fields)`, () => void encodeFieldSection(RESPONSE));
