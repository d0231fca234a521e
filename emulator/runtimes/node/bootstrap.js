/**
 * stratus's Node.js runtime: the Lambda Runtime API loop for one function process.
 *
 * Launched as `node bootstrap.js` with cwd = LAMBDA_TASK_ROOT; everything else comes
 * from the environment (_HANDLER, AWS_LAMBDA_RUNTIME_API, ...). The control flow
 * mirrors AWS's aws-lambda-ric 3.x (the client the Node 16-20 runtimes ship), so
 * callback handlers, callbackWaitsForEmptyEventLoop, context.succeed/fail/done,
 * streaming and the error shapes behave as they do on Lambda. Where AWS's client
 * uses native libcurl, this one speaks HTTP over a plain socket (connection.js):
 * only built-ins are loaded, so start-up costs no more than Node itself.
 */

'use strict';

const http = require('http');
const { RuntimeApiConnection } = require('./connection.js');
const { registerProcessHandlers, startLoop } = require('./invoke.js');
const { loadHandler, installGlobalAwsLambda, handlerMetadata } = require('./loader.js');
const { patchConsole, logError } = require('./logging.js');
const { toRapidResponse } = require('./errors.js');

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

/**
 * The Runtime API client, over one kept-alive connection (connection.js).
 * /next carries no timeout: it is a long poll.
 */
class RapidClient {
  constructor(hostPort) {
    const at = hostPort.lastIndexOf(':');
    this.hostname = hostPort.slice(0, at) || '127.0.0.1';
    this.port = parseInt(hostPort.slice(at + 1), 10);
    this.connection = new RuntimeApiConnection(this.hostname, this.port);
    // Streamed responses (streaming.js) need chunked uploads with trailers: Node's http.
    this.agent = new http.Agent({ keepAlive: true });
  }

  /** Resolves to { status, headers, body }; a lost Runtime API ends the process. */
  request(method, path, headers, body) {
    return this.connection.request(method, path, headers, body).catch(lostRuntimeApi);
  }

  async nextInvocation() {
    const res = await this.request('GET', `${API_PREFIX}/invocation/next`);
    if (res.status !== 200) {
      lostRuntimeApi(new Error(`/next answered HTTP ${res.status}`));
    }
    return { bodyJson: res.body.toString('utf8'), headers: res.headers };
  }

  /** Serializes synchronously (a failure throws here, as in AWS's client), then posts. */
  postInvocationResponse(result, id, callback) {
    const body = trySerialize(result);
    const path = `${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`;
    this.postJson(path, body, {}).then(callback);
  }

  postInvocationError(error, id, callback) {
    const response = toRapidResponse(error);
    const path = `${API_PREFIX}/invocation/${encodeURIComponent(id)}/error`;
    this.postJson(path, trySerialize(response), { [ERROR_TYPE_HEADER]: headerSafe(response.errorType) })
      .then(callback);
  }

  postInitError(error, callback) {
    const response = toRapidResponse(error);
    this.postJson(`${API_PREFIX}/init/error`, trySerialize(response),
      { [ERROR_TYPE_HEADER]: headerSafe(response.errorType) }).then(callback);
  }

  async postJson(path, bodyString, extraHeaders) {
    const body = Buffer.from(bodyString, 'utf8');
    const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length, ...extraHeaders };
    const res = await this.request('POST', path, headers, body);
    if (res.status !== 202) {
      // As with AWS's client, a refused post (e.g. 413 too large) does not stop the loop.
      process.stderr.write(`stratus runtime: POST ${path} got HTTP ${res.status}: ${res.body}\n`);
    }
  }
}

function trySerialize(body) {
  try {
    return JSON.stringify(body === undefined ? null : body);
  } catch (err) {
    throw new Error('Unable to stringify response body');
  }
}

function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '?');
}

function lostRuntimeApi(err) {
  process.stderr.write(`stratus runtime: lost the Runtime API: ${err.message}\n`);
  process.exit(1);
}

async function main() {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    process.stderr.write('stratus runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(1);
  }
  patchConsole();
  const client = new RapidClient(address);
  const errorCallbacks = {
    uncaughtException: (error) => client.postInitError(error, () => process.exit(1)),
    unhandledRejection: (error) => client.postInitError(error, () => process.exit(1)),
  };
  registerProcessHandlers(errorCallbacks);
  installGlobalAwsLambda();

  let handler;
  let metadata;
  try {
    const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
    handler = await loadHandler(taskRoot, process.env._HANDLER || '');
    metadata = handlerMetadata(handler);
  } catch (err) {
    logError('Init Error', err);
    client.postInitError(err, () => process.exit(1));
    return;
  }
  startLoop(client, handler, metadata, errorCallbacks);
}

main();
