// The Node runtime's Runtime API connection (emulator/runtimes/node/connection.js) against a
// scripted server: Content-Length and chunked answers split across packets, a kept-alive
// socket the server closed while idle (retried once), an answer that ends with the
// connection, requests queued behind a long poll, and a refused connection.
'use strict';

const assert = require('assert');
const net = require('net');
const path = require('path');
const { RuntimeApiConnection } = require(
  path.join(__dirname, '../../emulator/runtimes/node/connection.js'));

// Serves each request head (up to the blank line, plus a Content-Length body) with the next
// scripted action: (socket, request) => void.
function scriptedServer(actions) {
  const seen = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const length = /content-length: *(\d+)/i.exec(head);
        const total = end + 4 + (length ? parseInt(length[1], 10) : 0);
        if (buffer.length < total) return;
        const request = { head, body: buffer.toString('utf8', end + 4, total) };
        buffer = buffer.subarray(total);
        seen.push(request);
        const action = actions.shift();
        assert.ok(action, `unexpected request: ${head}`);
        action(socket, request);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, port: server.address().port, seen })));
}

const answer = (status, headers, body) => (socket) => {
  let head = `HTTP/1.1 ${status} X\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
};

async function main() {
  // Split packets, chunked bodies, headers lower-cased and repeated ones joined.
  {
    const { server, port, seen } = await scriptedServer([
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r1\r\nX-A: 1\r\nX-A: 2\r\n');
        setTimeout(() => socket.write('Content-Length: 10\r\n\r\n{"n"'), 20);
        setTimeout(() => socket.write(':1234}'), 40);
      },
      (socket) => socket.write('HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab' +
        'cd\r\n3;x=y\r\nefg\r\n0\r\n\r\n'),
    ]);
    const c = new RuntimeApiConnection('127.0.0.1', port);
    const next = await c.request('GET', '/next');
    assert.strictEqual(next.status, 200);
    assert.strictEqual(next.headers['lambda-runtime-aws-request-id'], 'r1');
    assert.strictEqual(next.headers['x-a'], '1, 2');
    assert.strictEqual(next.body.toString(), '{"n":1234}');
    const posted = await c.request('POST', '/r1/response', { 'Content-Type': 'application/json' },
      Buffer.from('{"ok":true}'));
    assert.strictEqual(posted.status, 202);
    assert.strictEqual(posted.body.toString(), 'abcdefg');
    assert.match(seen[1].head, /^POST \/r1\/response HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    assert.match(seen[1].head, /Content-Length: 11/);
    assert.strictEqual(seen[1].body, '{"ok":true}');
    server.close();
    c.socket && c.socket.destroy();
  }
  // The server closes the kept-alive socket while it is idle: the next request is retried
  // once on a new connection; a second request in the meantime waits its turn.
  {
    const { server, port, seen } = await scriptedServer([
      answer(200, {}, 'first'),
      (socket) => socket.destroy(),  // as if it had timed out between the two
      answer(200, {}, 'second'),
      answer(202, {}, 'third'),
    ]);
    const c = new RuntimeApiConnection('127.0.0.1', port);
    assert.strictEqual((await c.request('GET', '/a')).body.toString(), 'first');
    const [second, third] = await Promise.all([c.request('GET', '/b'), c.request('GET', '/c')]);
    assert.strictEqual(second.body.toString(), 'second');
    assert.strictEqual(third.body.toString(), 'third');
    assert.deepStrictEqual(seen.map((r) => r.head.split(' ')[1]), ['/a', '/b', '/b', '/c']);
    server.close();
    c.socket && c.socket.destroy();
  }
  // An answer without a length ends with the connection; a refused connection rejects.
  {
    const { server, port } = await scriptedServer([
      (socket) => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close'),
    ]);
    const c = new RuntimeApiConnection('127.0.0.1', port);
    assert.strictEqual((await c.request('GET', '/x')).body.toString(), 'until close');
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(c.request('GET', '/y'), /ECONNREFUSED/);
  }
  // A fresh connection that fails before any answer is not retried.
  {
    const { server, port, seen } = await scriptedServer([(socket) => socket.destroy()]);
    const c = new RuntimeApiConnection('127.0.0.1', port);
    await assert.rejects(c.request('GET', '/z'));
    assert.strictEqual(seen.length, 1);
    server.close();
  }
  console.log('node runtime connection: all cases passed');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
