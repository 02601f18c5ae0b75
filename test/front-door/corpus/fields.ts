/**
 * Field rows: names that are not tokens and values with a control character other than HTAB —
 * every C0 control and DEL (400); obs-fold, more than 100 fields, heads over 16 KiB (400 / 431 /
 * 414); and names with `_`, which a listener drops unless `underscoreHeadersEnabled` (a CGI-style
 * backend reads `X_Forwarded_For` as `X-Forwarded-For`, so a client could spoof what the proxy
 * computes).
 */
import { HOST, all, forward, get, has, hex2, lacks, noUnderscoreField, normalised, post, refuse, req, rows, bodyIs } from './build.ts';
import type { CorpusRow } from './types.ts';

/** C0 controls other than HTAB, and DEL: each one, alone, in a field value. */
const VALUE_CONTROLS = [...Array.from({ length: 32 }, (_, i) => i).filter((c) => c !== 0x09), 0x7f];

const fieldName = rows('field-syntax', refuse(400), [
  ['field name with a space inside', get('X Field: v')],
  ['space before the colon', get('X-Field : v')],
  ['tab before the colon', get('X-Field\t: v')],
  ['empty field name', get(': v')],
  ['field line without a colon', get('X-No-Colon')],
  ['field name starting with @', get('@X: v')],
  ['field name in double quotes', get('"X": v')],
  ['field name with ( )', get('X(Y): v')],
  ['field name with /', get('X/Y: v')],
  ['field name with ;', get('X;Y: v')],
  ['field name with =', get('X=Y: v')],
  ['field name with ?', get('X?Y: v')],
  ['field name with [ ]', get('X[Y]: v')],
  ['field name with { }', get('X{Y}: v')],
  ['field name with a backslash', get('X\\Y: v')],
  ['field name with a comma', get('X,Y: v')],
  ['field name with < >', get('X<Y>: v')],
  ['field name with NUL', get('X\x00Y: v')],
  ['field name with DEL', get('X\x7fY: v')],
  ['field name with a raw byte 0xe9', get('X\xe9: v')],
  ['Transfer-Encoding with a space before the colon', post(['Transfer-Encoding : chunked', 'Content-Length: 5'], 'hello')],
  ['Content-Length with a space before the colon', post(['Content-Length : 5'], 'hello')],
  ['Host with a space before the colon', req('GET', '/', [`Host : ${HOST}`])],
]);

const fieldValue = rows(
  'field-syntax',
  refuse(400),
  VALUE_CONTROLS.map((c): [string, string] => [`field value with control ${hex2(c)}`, get(`X-Value: a${String.fromCharCode(c)}b`)]),
).concat(
  rows('field-syntax', refuse(400), [
    ['Transfer-Encoding value ending in a vertical tab', post(['Transfer-Encoding: chunked\x0b', 'Content-Length: 5'], 'hello')],
    ['Content-Length value with NUL', post(['Content-Length: 5\x00'], 'hello')],
    ['Host value with a bare LF and a second Host', req('GET', '/', [`Host: ${HOST}\nHost: internal`])],
  ]),
);

const fieldControls: CorpusRow[] = [
  { name: 'field value with HTAB inside', class: 'control', raw: get('X-Value: a\tb'), expect: forward(has('X-Value', 'a\tb')) },
  { name: 'field value with obs-text 0xe9', class: 'control', raw: get('X-Value: caf\xe9'), expect: forward(has('X-Value', 'caf\xe9')) },
  { name: 'field name with every token symbol', class: 'control', raw: get("X!#$%&'*+-.^`|~1: v"), expect: forward(has("X!#$%&'*+-.^`|~1", 'v')) },
  { name: 'empty field value', class: 'control', raw: get('X-Empty:'), expect: forward(has('X-Empty', '')) },
  { name: 'field without a space after the colon', class: 'control', raw: get('X-Tight:v'), expect: forward(has('X-Tight', 'v')) },
];

const many = (n: number) => Array.from({ length: n }, (_, i) => `X-Field-${i}: v${i}`);

const headLimits: CorpusRow[] = [
  ...rows('head-limits', refuse(400), [
    ['obs-fold with a space', get('X-A: one', '  folded')],
    ['obs-fold with a tab', get('X-A: one', '\tfolded')],
    ['obs-fold continuing Host', req('GET', '/', [`Host: ${HOST}`, ' .internal'])],
    ['obs-fold continuing Transfer-Encoding', post(['Transfer-Encoding: gzip', ' , chunked', 'Content-Length: 5'], 'hello')],
    ['a space-led line right after the request line', req('GET', '/', [' X-A: b', `Host: ${HOST}`])],
    ['a tab-led line right after the request line', req('GET', '/', ['\tX-A: b', `Host: ${HOST}`])],
  ]),
  ...rows('head-limits', refuse(431), [
    ['101 fields', req('GET', '/', [`Host: ${HOST}`, ...many(100)])],
    ['150 fields', req('GET', '/', [`Host: ${HOST}`, ...many(149)])],
    ['one 17 KiB field', get(`X-Big: ${'a'.repeat(17 * 1024)}`)],
    ['fields adding up to 17 KiB', req('GET', '/', [`Host: ${HOST}`, ...Array.from({ length: 17 }, (_, i) => `X-Part-${i}: ${'b'.repeat(1010)}`)])],
  ]),
  ...rows('head-limits', refuse(414), [
    ['a 17 KiB target', req('GET', `/${'u'.repeat(17 * 1024)}`)],
    ['a 17 KiB query', req('GET', `/q?${'k=v&'.repeat(17 * 256)}`)],
  ]),
  { name: '100 fields in 15 KiB', class: 'control', raw: req('GET', '/', [`Host: ${HOST}`, `X-Big: ${'c'.repeat(13 * 1024)}`, ...many(98)]), expect: forward(has('X-Big')) },
];

const underscore: CorpusRow[] = [
  ...(
    [
      ['X_Forwarded_For', 'X_Forwarded_For: 6.6.6.7'],
      ['X_Forwarded_Host', 'X_Forwarded_Host: internal.example'],
      ['X_Forwarded_Proto', 'X_Forwarded_Proto: https'],
      ['X_Real_IP', 'X_Real_IP: 10.0.0.1'],
      ['Content_Length', 'Content_Length: 0'],
      ['Transfer_Encoding', 'Transfer_Encoding: chunked'],
      ['Remote_User', 'Remote_User: admin'],
      ['Auth_User', 'Auth_User: admin'],
      ['SLB_ID', 'SLB_ID: alb-spoofed'],
      ['Host_Override', 'Host_Override: internal'],
      ['_Leading underscore', '_X: v'],
      ['trailing underscore_', 'X_: v'],
      ['lower-case x_forwarded_for', 'x_forwarded_for: 6.6.6.7'],
    ] as const
  ).map(([name, line]): CorpusRow => ({
    name: `${name} field`,
    class: 'underscore',
    raw: get('X-Keep: kept', line),
    expect: normalised(noUnderscoreField, has('X-Keep', 'kept')),
  })),
  {
    name: 'Transfer_Encoding beside a real Content-Length',
    class: 'underscore',
    raw: post(['Content-Length: 5', 'Transfer_Encoding: chunked'], 'hello'),
    expect: normalised(noUnderscoreField, has('Content-Length', '5'), bodyIs('hello')),
  },
  {
    name: 'X_Forwarded_For beside a real X-Forwarded-For',
    class: 'underscore',
    raw: get('X-Forwarded-For: 10.1.1.1', 'X_Forwarded_For: 6.6.6.7'),
    expect: normalised(noUnderscoreField, all(has('X-Forwarded-For', '10.1.1.1, 127.0.0.1'))),
  },
  { name: 'X-Forwarded-For with hyphens is kept (control)', class: 'control', raw: get('X-Forwarded-For: 10.1.1.1'), expect: forward(has('X-Forwarded-For', '10.1.1.1, 127.0.0.1'), lacks('X_Forwarded_For')) },
];

/** FIELD_ROWS are the field-syntax, head-limit and underscore rows. */
export const FIELD_ROWS: CorpusRow[] = [...fieldName, ...fieldValue, ...fieldControls, ...headLimits, ...underscore];

/** UNDERSCORE_ROWS are the rows whose field a listener with underscoreHeadersEnabled forwards. */
export const UNDERSCORE_ROWS: CorpusRow[] = underscore.filter((r) => r.class === 'underscore');
