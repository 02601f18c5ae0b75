/**
 * Http1Request: one parsed HTTP/1.x request as the pipeline sees it — the request line, the
 * fields as received, the socket, and its body as a stream only when it has one (a GET costs no
 * stream). RequestBody is that stream: the connection pushes the decoded body into it, pauses
 * the socket when it is full, and sends `100 Continue` the first time it is read (a request that
 * is refused before its body is wanted never gets one).
 */
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

/** BodySource is the connection side of a request body. */
export interface BodySource {
  /** The body's reader wants more bytes: resume the socket (and send 100 Continue once). */
  wantBody(): void;
}

/** RequestBody is a request's body as a stream. */
export class RequestBody extends Readable {
  private readonly source: BodySource;

  constructor(source: BodySource) {
    super();
    this.source = source;
    // A body that fails (framing error, client gone) is destroyed with an error; whoever reads
    // it listens for that too, but a body nobody reads any more must not throw.
    this.on('error', ignore);
  }

  override _read(): void {
    this.source.wantBody();
  }
}

function ignore(): void {}

/** Http1Request is one request of an HTTP/1.x connection. */
export class Http1Request {
  readonly method: string;
  /** The request target as received. */
  readonly url: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  /** The fields as received, flat: [name, value, …]. */
  readonly rawHeaders: string[];
  readonly socket: Socket;
  /** The body, undefined when the request has none. */
  readonly body: RequestBody | undefined;

  constructor(method: string, url: string, major: number, minor: number, rawHeaders: string[], socket: Socket, body: RequestBody | undefined) {
    this.method = method;
    this.url = url;
    this.httpVersionMajor = major;
    this.httpVersionMinor = minor;
    this.rawHeaders = rawHeaders;
    this.socket = socket;
    this.body = body;
  }
}
