/**
 * Request-target rows: targets that are neither origin-form, absolute-form (http/https) nor
 * `*`; fragments, whitespace and control characters (400); `*` with a method other than
 * OPTIONS (400); absolute-form whose authority is not the Host, or whose scheme is not the
 * listener's (400). A backend that routes on the target while the proxy routed on Host is the
 * confusion these rows shut out.
 */
import { HOST, forward, hex2, refuse, req, requestLine, rows } from './build.ts';
import type { CorpusRow, Expectation } from './types.ts';

const H = [`Host: ${HOST}`];

/** Control characters a target must never carry (a selection: the value rows cover all C0). */
const TARGET_CONTROLS = [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f];

const target = rows('target', refuse(400), [
  ['target without a leading slash', req('GET', 'a.example/', H)],
  ['target that is a bare word', req('GET', 'index.html', H)],
  ['target with a fragment', req('GET', '/page#frag', H)],
  ['target that is only a fragment', req('GET', '#', H)],
  ['target with a fragment after a query', req('GET', '/p?q=1#frag', H)],
  ['ftp:// absolute-form', req('GET', `ftp://${HOST}/`, H)],
  ['file:// absolute-form', req('GET', 'file:///etc/passwd', H)],
  ['absolute-form with an empty authority', req('GET', 'http:///path', H)],
  ['absolute-form missing its slashes', req('GET', `http:${HOST}/`, H)],
  ['absolute-form with userinfo', req('GET', `http://user:pw@${HOST}/`, H)],
  ['authority-form target on GET', req('GET', `${HOST}:80`, H)],
  ['target starting with @', req('GET', `@${HOST}/`, H)],
  ['target starting with ?', req('GET', '?q=1', H)],
  ['target with a raw space', `GET /a b HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`],
  ['target with a raw double quote', req('GET', '/a"b', H)],
  ['target with a raw backslash', req('GET', '/a\\b', H)],
  ['target with a raw < >', req('GET', '/<script>', H)],
  ['target with a raw byte 0xe9', req('GET', '/caf\xe9', H)],
  ['target with a bad percent escape', req('GET', '/%zz', H)],
  ['target with a truncated percent escape', req('GET', '/a%4', H)],
  ...TARGET_CONTROLS.map((c): [string, string] => [`target with control ${hex2(c)}`, req('GET', `/a${String.fromCharCode(c)}b`, H)]),
]);

const asterisk = rows('asterisk', refuse(400), [
  ['GET *', req('GET', '*', H)],
  ['HEAD *', req('HEAD', '*', H)],
  ['POST * with a body', req('POST', '*', [...H, 'Content-Length: 5'], 'hello')],
  ['DELETE *', req('DELETE', '*', H)],
  ['OPTIONS */x', req('OPTIONS', '*/x', H)],
]);

/** onlyOn: forwarded on one listener protocol, 400 on the other (absolute-form's scheme). */
function onlyOn(protocol: 'HTTP' | 'HTTPS', pass: Expectation): Record<'HTTP' | 'HTTPS', Expectation> {
  return protocol === 'HTTP' ? { HTTP: pass, HTTPS: refuse(400) } : { HTTP: refuse(400), HTTPS: pass };
}

const toPath = (path: string) => requestLine(new RegExp(`^GET (https?://${HOST.replace('.', '\\.')})?${path.replace('?', '\\?')} HTTP/1\\.1$`, 'i'));

const absolute: CorpusRow[] = [
  ...rows('absolute-form', refuse(400), [
    ['authority differs from Host', req('GET', 'http://b.example/', H)],
    ['authority differs from Host (https)', req('GET', 'https://b.example/', H)],
    ['authority is internal, Host is public', req('GET', 'http://internal/admin', H)],
    ['authority has a port, Host has none', req('GET', `http://${HOST}:8080/`, H)],
    ['Host has a port, authority has none', req('GET', `http://${HOST}/`, [`Host: ${HOST}:8080`])],
    ['authority is an IP, Host a name', req('GET', 'http://127.0.0.1/', H)],
  ]),
  { name: 'http:// absolute-form matching Host', class: 'absolute-form', raw: req('GET', `http://${HOST}/abs`, H), expect: onlyOn('HTTP', forward(toPath('/abs'))) },
  { name: 'https:// absolute-form matching Host', class: 'absolute-form', raw: req('GET', `https://${HOST}/abs`, H), expect: onlyOn('HTTPS', forward(toPath('/abs'))) },
  { name: 'http:// absolute-form matching Host in another case', class: 'absolute-form', raw: req('GET', 'http://A.EXAMPLE/abs?x=1', H), expect: onlyOn('HTTP', forward(toPath('/abs?x=1'))) },
  { name: 'https:// absolute-form matching Host in another case', class: 'absolute-form', raw: req('GET', 'https://A.Example/abs', H), expect: onlyOn('HTTPS', forward(toPath('/abs'))) },
];

const controls: CorpusRow[] = [
  { name: 'OPTIONS *', class: 'control', raw: req('OPTIONS', '*', H), expect: forward(requestLine(/^OPTIONS \* HTTP\/1\.1$/)) },
  { name: 'target with query and percent escapes', class: 'control', raw: req('GET', '/a%20b/c?x=%41&y=1', H), expect: forward(requestLine(/^GET \/a%20b\/c\?x=%41&y=1 HTTP\/1\.1$/)) },
  { name: 'target with sub-delims and : @', class: 'control', raw: req('GET', "/a:b@c!$&'()*+,;=", H), expect: forward(requestLine(/^GET \/a:b@c!\$&'\(\)\*\+,;= HTTP\/1\.1$/)) },
  { name: 'target starting with //', class: 'control', raw: req('GET', '//x/y', H), expect: forward(requestLine(/^GET \/\/x\/y HTTP\/1\.1$/)) },
  { name: 'target with a query containing / and ?', class: 'control', raw: req('GET', '/p?a=/b?c', H), expect: forward(requestLine(/^GET \/p\?a=\/b\?c HTTP\/1\.1$/)) },
];

/** TARGET_ROWS are the target, asterisk and absolute-form rows. */
export const TARGET_ROWS: CorpusRow[] = [...target, ...asterisk, ...absolute, ...controls];
