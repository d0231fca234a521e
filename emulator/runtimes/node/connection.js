/**
 * One keep-alive connection to the Runtime API, spoken over a plain socket.
 *
 * Every invocation makes two requests (GET /next, POST /response); through Node's http
 * module (agent, parser, IncomingMessage streams) they cost several times the handler of a
 * small function. The Runtime API is a fixed, simple peer, so this client writes the request
 * head itself and reads a Content-Length or chunked answer. Requests go one at a time, as
 * AWS's client (libcurl, blocking) sends them; a request made while another is in flight
 * waits its turn. The socket is unref'd while idle so it never keeps the event loop (and
 * with it callbackWaitsForEmptyEventLoop) alive.
 */

'use strict';

const net = require('net');

const CRLF_CRLF = Buffer.from('\r\n\r\n');

class RuntimeApiConnection {
  constructor(hostname, port) {
    this.hostname = hostname;
    this.port = port;
    this.hostHeader = `${hostname}:${port}`;
    this.socket = null;
    this.used = false;  // the socket has carried an answer: a reset on it may be an idle close
    this.queue = [];
    this.current = null;
  }

  /** Resolves to { status, headers, body }; rejects with the socket's error. */
  request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      this.queue.push({ method, path, headers: headers || {}, body, resolve, reject, retried: false });
      if (!this.current) this.next();
    });
  }

  next() {
    this.current = this.queue.shift() || null;
    if (!this.current) {
      if (this.socket) this.socket.unref();
      return;
    }
    this.send(this.current);
  }

  send(req) {
    if (!this.socket || this.socket.destroyed) this.connect();
    this.socket.ref();
    this.response = { buffer: Buffer.alloc(0), head: null, received: false };
    let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    let hasLength = false;
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.toLowerCase() === 'content-length') hasLength = true;
      head += `${name}: ${value}\r\n`;
    }
    const body = req.body === undefined || req.body === null ? null
      : Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body), 'utf8');
    if (body && !hasLength) head += `Content-Length: ${body.length}\r\n`;
    head += '\r\n';
    this.socket.cork();
    this.socket.write(head, 'latin1');
    if (body && body.length > 0) this.socket.write(body);
    this.socket.uncork();
  }

  connect() {
    const socket = net.connect({ host: this.hostname, port: this.port });
    socket.setNoDelay(true);
    this.used = false;
    socket.on('data', (chunk) => { if (socket === this.socket) this.onData(chunk); });
    socket.on('error', (err) => { if (socket === this.socket) this.onClose(err); });
    socket.on('close', () => { if (socket === this.socket) this.onClose(null); });
    this.socket = socket;
  }

  onData(chunk) {
    const res = this.response;
    if (!this.current || !res) return;  // nothing asked: ignore stray bytes
    res.received = true;
    res.buffer = res.buffer.length === 0 ? chunk : Buffer.concat([res.buffer, chunk]);
    if (!res.head) {
      const end = res.buffer.indexOf(CRLF_CRLF);
      if (end < 0) return;
      res.head = parseHead(res.buffer.toString('latin1', 0, end));
      res.buffer = res.buffer.subarray(end + 4);
    }
    const body = takeBody(res);
    if (body === null) return;
    const done = this.current;
    this.used = true;
    this.response = null;
    if (res.head.headers.connection === 'close') this.drop();
    done.resolve({ status: res.head.status, headers: res.head.headers, body });
    this.next();
  }

  onClose(err) {
    const req = this.current;
    const res = this.response;
    this.socket = null;
    if (!req) return;
    if (res && res.head && res.head.length === undefined && !res.head.chunked) {
      // An answer without a length ends with the connection.
      this.response = null;
      req.resolve({ status: res.head.status, headers: res.head.headers, body: res.buffer });
      this.next();
      return;
    }
    // A kept-alive socket the server closed while idle fails at once: retry that once.
    if (this.used && !req.retried && (!res || !res.received)) {
      req.retried = true;
      this.send(req);
      return;
    }
    this.response = null;
    this.current = null;
    const error = err || Object.assign(new Error('the Runtime API closed the connection'),
      { code: 'ECONNRESET' });
    req.reject(error);
    for (const waiting of this.queue.splice(0)) waiting.reject(error);
  }

  drop() {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.destroy();
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const status = parseInt(lines[0].split(' ')[1], 10);
  const headers = {};
  for (let i = 1; i < lines.length; ++i) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const length = headers['content-length'];
  return {
    status,
    headers,
    length: length === undefined ? undefined : parseInt(length, 10),
    chunked: /\bchunked\b/i.test(headers['transfer-encoding'] || ''),
  };
}

/** The whole body once it has arrived, else null. */
function takeBody(res) {
  const { head } = res;
  if (head.chunked) return takeChunked(res);
  if (head.length === undefined) return null;  // until the connection closes
  if (res.buffer.length < head.length) return null;
  return res.buffer.subarray(0, head.length);
}

function takeChunked(res) {
  const parts = [];
  let at = 0;
  const buf = res.buffer;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return null;
    const size = parseInt(buf.toString('latin1', at, lineEnd).split(';')[0], 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size from the Runtime API');
    if (size === 0) {
      if (buf.indexOf(CRLF_CRLF, lineEnd) < 0 && !buf.subarray(lineEnd).equals(CRLF_CRLF)) {
        return null;  // trailers not complete yet
      }
      return Buffer.concat(parts);
    }
    if (buf.length < lineEnd + 2 + size + 2) return null;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

module.exports = { RuntimeApiConnection };
