/**
 * Response streaming (awslambda.streamifyResponse), after AWS's ResponseStream.js:
 * the handler writes into a chunked POST to /invocation/{id}/response sent with
 * `Lambda-Runtime-Function-Response-Mode: streaming`. A failure ends the body with
 * the trailers Lambda-Runtime-Function-Error-Type and -Error-Body (base64 JSON),
 * announced up front by two `Trailer` header lines.
 */

'use strict';

const http = require('http');
const { InvalidStreamingOperation, toRapidResponse } = require('./errors.js');
const { logError } = require('./logging.js');

const TRAILER_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const TRAILER_ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';

// What the handler may touch: a Writable's surface, never the request itself.
const STREAM_METHODS = [
  'cork', 'destroy', 'end', 'uncork', 'write', 'addListener', 'emit', 'eventNames',
  'getMaxListeners', 'listenerCount', 'listeners', 'off', 'on', 'once', 'prependListener',
  'prependOnceListener', 'rawListeners', 'removeAllListeners', 'removeListener',
  'setMaxListeners', 'setContentType',
];
const STREAM_PROPS_RW = ['destroyed', 'writable', '_onBeforeFirstWrite'];
const STREAM_PROPS_RO = [
  'writableFinished', 'writableObjectMode', 'writableBuffer', 'writableEnded',
  'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength',
];

function writableStreamOnly(inner) {
  const stream = {};
  for (const fn of STREAM_METHODS) {
    stream[fn] = inner[fn].bind(inner);
  }
  for (const prop of STREAM_PROPS_RW) {
    Object.defineProperty(stream, prop, {
      get: () => inner[prop], set: (value) => { inner[prop] = value; },
    });
  }
  for (const prop of STREAM_PROPS_RO) {
    Object.defineProperty(stream, prop, { get: () => inner[prop] });
  }
  return stream;
}

/**
 * Opens the streaming POST (headers go out with the first write or end).
 * Returns { responseStream, responseDone (resolves when stratus answered), fail }.
 */
function createResponseStream(client, id, _highWaterMark) {
  let written = false;
  let resolveDone;
  let rejectDone;
  const responseDone = new Promise((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const req = http.request({
    hostname: client.hostname,
    port: client.port,
    method: 'POST',
    path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
    agent: client.agent,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      Trailer: [TRAILER_ERROR_TYPE, TRAILER_ERROR_BODY],
      'Content-Type': 'application/octet-stream',
    },
  }, (res) => {
    res.on('data', () => {});
    res.on('aborted', (err) => { rejectDone(err); req.destroy(err); });
    res.on('end', () => resolveDone());
  });
  req.on('error', (err) => { rejectDone(err); req.destroy(err); });

  const origEnd = req.end.bind(req);
  req.end = (cb) => origEnd(cb);
  req.setContentType = (contentType) => {
    if (written) {
      throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    }
    req.setHeader('Content-Type', contentType);
  };
  const origWrite = req.write.bind(req);
  req.write = function (chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
      chunk = JSON.stringify(chunk);
    }
    if (!written && typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((ch) => origWrite(ch));
    }
    written = true;
    return origWrite(chunk, encoding, callback);
  };

  const fail = (err, callback) => {
    logError('Invoke Error', err);
    const error = toRapidResponse(err);
    req.addTrailers({
      [TRAILER_ERROR_TYPE]: error.errorType,
      [TRAILER_ERROR_BODY]: Buffer.from(JSON.stringify(error)).toString('base64'),
    });
    req.end(callback);
  };
  return { responseStream: writableStreamOnly(req), responseDone, fail };
}

/** The streaming handler's context: callbackWaitsForEmptyEventLoop and scheduleNext. */
function buildStreamingContext(scheduleIteration, setBeforeExit) {
  let waitForEmptyEventLoop = true;
  const context = {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
    set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
  };
  // Not enumerable, so it stays off the context the handler sees when logged.
  Object.defineProperty(context, 'scheduleNext', {
    value: () => {
      if (!waitForEmptyEventLoop) {
        scheduleIteration();
      } else {
        setBeforeExit(() => setImmediate(scheduleIteration));
      }
    },
  });
  return context;
}

module.exports = { createResponseStream, buildStreamingContext };
