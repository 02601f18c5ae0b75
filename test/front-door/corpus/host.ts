/**
 * Host rows: an HTTP/1.1 request must carry exactly one Host that is `host[:port]` — a reg-name
 * of letters, digits, `-._~!$&'()*+,;=` and `%XX`, an IPv4 address or a bracketed IPv6 literal,
 * port digits only (400 otherwise); HTTP/1.0 may leave it out and is forwarded without one.
 * Two Hosts, or one the backend reads differently from the proxy, is virtual-host confusion.
 */
import { HOST, forward, has, lacks, req, requestLine, rows } from './build.ts';
import { refuse } from './build.ts';
import type { CorpusRow } from './types.ts';

const bad = (value: string): string => req('GET', '/', [`Host: ${value}`]);

const host = rows('host', refuse(400), [
  ['HTTP/1.1 without Host', req('GET', '/', [])],
  ['HTTP/1.1 with other fields but no Host', req('GET', '/', ['Accept: */*', 'X-Host: a.example'])],
  ['two identical Host fields', req('GET', '/', [`Host: ${HOST}`, `Host: ${HOST}`])],
  ['two differing Host fields', req('GET', '/', [`Host: ${HOST}`, 'Host: internal'])],
  ['Host and host', req('GET', '/', [`Host: ${HOST}`, 'host: b.example'])],
  ['Host fields far apart', req('GET', '/', [`Host: ${HOST}`, 'Accept: */*', 'X-A: 1', 'HOST: internal'])],
  ['empty Host', req('GET', '/', ['Host:'])],
  ['Host of spaces only', req('GET', '/', ['Host:    '])],
  ['Host with a space inside', bad('a example')],
  ['Host as a comma list', bad(`${HOST}, internal`)],
  ['Host with a path', bad(`${HOST}/x`)],
  ['Host with userinfo', bad(`user@${HOST}`)],
  ['Host with a backslash', bad(`${HOST}\\x`)],
  ['Host with a fragment', bad(`${HOST}#x`)],
  ['Host with a query', bad(`${HOST}?x`)],
  ['Host with a non-digit port', bad(`${HOST}:8o`)],
  ['Host with two ports', bad(`${HOST}:80:80`)],
  ['Host with an empty port', bad(`${HOST}:`)],
  ['Host with a negative port', bad(`${HOST}:-1`)],
  ['Host with a bad percent escape', bad('a%zz.example')],
  ['Host with a double quote', bad('"a.example"')],
  ['Host with < >', bad('<a.example>')],
  ['Host with a raw byte 0xe9', bad('caf\xe9.example')],
  ['Host IPv6 without brackets', bad('::1')],
  ['Host IPv6 with an unclosed bracket', bad('[::1')],
  ['Host IPv6 literal that is not an address', bad('[::g]')],
  ['Host bracketed name', bad('[a.example]')],
  ['Host with scheme', bad(`http://${HOST}`)],
]);

const hostControls: CorpusRow[] = [
  { name: 'Host with a port', class: 'control', raw: req('GET', '/', [`Host: ${HOST}:8080`]), expect: forward(has('Host', `${HOST}:8080`)) },
  { name: 'Host as IPv4 with a port', class: 'control', raw: req('GET', '/', ['Host: 127.0.0.1:8080']), expect: forward(has('Host', '127.0.0.1:8080')) },
  { name: 'Host as bracketed IPv6 with a port', class: 'control', raw: req('GET', '/', ['Host: [::1]:8080']), expect: forward(has('Host', '[::1]:8080')) },
  { name: 'Host with sub-delims, ~ and a percent escape', class: 'control', raw: req('GET', '/', ["Host: a-b_c~d!$&'()*+,;=%41.example"]), expect: forward(has('Host', "a-b_c~d!$&'()*+,;=%41.example")) },
  { name: 'Host in upper case', class: 'control', raw: req('GET', '/', ['Host: A.EXAMPLE']), expect: forward(has('Host', 'A.EXAMPLE')) },
  { name: 'host field name in lower case', class: 'control', raw: req('GET', '/', [`host: ${HOST}`]), expect: forward(has('host', HOST)) },
  { name: 'Host with surrounding spaces and tabs', class: 'control', raw: req('GET', '/', [`Host: \t${HOST}\t `]), expect: forward(has('Host', HOST)) },
];

const http10 = rows('http10-no-host', forward(requestLine(/^GET \/ HTTP\/1\.0$/), lacks('Host')), [
  ['HTTP/1.0 GET without Host', req('GET', '/', [], '', 'HTTP/1.0')],
  ['HTTP/1.0 GET without Host, other fields', req('GET', '/', ['Accept: */*', 'User-Agent: corpus'], '', 'HTTP/1.0')],
]).concat(
  rows('http10-no-host', forward(requestLine(/^POST \/ HTTP\/1\.0$/), lacks('Host')), [['HTTP/1.0 POST without Host, with a body', req('POST', '/', ['Content-Length: 5'], 'hello', 'HTTP/1.0')]]),
  rows('http10-no-host', forward(requestLine(/^GET \/ HTTP\/1\.0$/), has('Host', HOST)), [['HTTP/1.0 GET with Host', req('GET', '/', [`Host: ${HOST}`], '', 'HTTP/1.0')]]),
);

/** HOST_ROWS are the Host and HTTP/1.0-without-Host rows. */
export const HOST_ROWS: CorpusRow[] = [...host, ...hostControls, ...http10];
