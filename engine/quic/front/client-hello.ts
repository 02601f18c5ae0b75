/**
 * Reading the server name (RFC 6066 §3) from a TLS 1.3 ClientHello (RFC 8446 §4.1.2) as QUIC's
 * CRYPTO stream delivers it: the bytes from offset 0 that have arrived so far. The UDP front
 * needs only the name, so the walk stops as soon as the server_name extension has been read —
 * often before the rest of a large (post-quantum) ClientHello has arrived.
 *
 * The bytes are untrusted: every length is checked, and a message that is not a ClientHello or
 * does not parse gives "no name", never an exception.
 */

/** NEED_MORE says the prefix ends before the server name (or its absence) can be known. */
export const NEED_MORE = 0;

/** NO_NAME says the ClientHello carries no usable host name, or is not a ClientHello. */
export const NO_NAME = 1;

/** ClientHelloName is a host name read, in lower case, or NEED_MORE, or NO_NAME. */
export type ClientHelloName = string | typeof NEED_MORE | typeof NO_NAME;

/** HANDSHAKE_CLIENT_HELLO is the handshake message type of a ClientHello. */
const HANDSHAKE_CLIENT_HELLO = 1;

/** EXTENSION_SERVER_NAME is the server_name extension's type. */
const EXTENSION_SERVER_NAME = 0;

/** NAME_TYPE_HOST_NAME is the only ServerName type defined. */
const NAME_TYPE_HOST_NAME = 0;

/** MAX_HOST_NAME is the longest DNS name (RFC 1035 §2.3.4). */
const MAX_HOST_NAME = 253;

/**
 * readClientHelloName reads the server name from `prefix`, the first bytes of the client's
 * Initial CRYPTO stream (a handshake message header, then the ClientHello). A name that is not
 * a plausible DNS name (bytes outside letters, digits, '-', '.', '_') is NO_NAME: the default
 * certificate answers it, as for a client that sent none.
 */
export function readClientHelloName(prefix: Uint8Array): ClientHelloName {
  const available = prefix.length;
  if (available < 4) return NEED_MORE;
  if (prefix[0] !== HANDSHAKE_CLIENT_HELLO) return NO_NAME;
  const messageEnd = 4 + ((prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!);
  const limit = Math.min(available, messageEnd);
  // Past `limit`: if the message goes on beyond what has arrived, wait; otherwise it is malformed.
  const short = available < messageEnd ? NEED_MORE : NO_NAME;
  let at = 4 + 2 + 32; // legacy_version, random
  if (at + 1 > limit) return short;
  at += 1 + prefix[at]!; // legacy_session_id
  if (at + 2 > limit) return at > messageEnd ? NO_NAME : short;
  at += 2 + ((prefix[at]! << 8) | prefix[at + 1]!); // cipher_suites
  if (at + 1 > limit) return at > messageEnd ? NO_NAME : short;
  at += 1 + prefix[at]!; // legacy_compression_methods
  if (at + 2 > limit) return at >= messageEnd - 1 ? NO_NAME : short; // no (room for) extensions
  const extensionsEnd = at + 2 + ((prefix[at]! << 8) | prefix[at + 1]!);
  if (extensionsEnd > messageEnd) return NO_NAME;
  at += 2;
  while (at < extensionsEnd) {
    if (at + 4 > limit) return short;
    const type = (prefix[at]! << 8) | prefix[at + 1]!;
    const length = (prefix[at + 2]! << 8) | prefix[at + 3]!;
    at += 4;
    const end = at + length;
    if (end > extensionsEnd) return NO_NAME;
    if (type === EXTENSION_SERVER_NAME) {
      if (end > limit) return short;
      return readServerNameList(prefix, at, end);
    }
    at = end;
  }
  return at === extensionsEnd ? NO_NAME : short;
}

/** readServerNameList reads the first host_name of a ServerNameList held whole in [at, end). */
function readServerNameList(data: Uint8Array, at: number, end: number): ClientHelloName {
  if (at + 2 > end) return NO_NAME;
  const listEnd = at + 2 + ((data[at]! << 8) | data[at + 1]!);
  if (listEnd > end) return NO_NAME;
  at += 2;
  while (at + 3 <= listEnd) {
    const nameType = data[at]!;
    const length = (data[at + 1]! << 8) | data[at + 2]!;
    at += 3;
    if (at + length > listEnd) return NO_NAME;
    if (nameType === NAME_TYPE_HOST_NAME) return hostName(data, at, at + length);
    at += length;
  }
  return NO_NAME;
}

/** hostName decodes a host name in lower case without its trailing dot, or NO_NAME when it is not a plausible DNS name. */
function hostName(data: Uint8Array, start: number, end: number): ClientHelloName {
  if (end > start && data[end - 1] === 0x2e) end -= 1;
  if (end === start || end - start > MAX_HOST_NAME) return NO_NAME;
  let name = '';
  for (let i = start; i < end; i += 1) {
    let byte = data[i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    const plausible =
      (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2e || byte === 0x5f;
    if (!plausible) return NO_NAME;
    name += String.fromCharCode(byte);
  }
  return name;
}
