/**
 * The invoke loop, after AWS's Runtime.js / CallbackContext.js: one invocation at
 * a time, each started from setImmediate once the previous one is reported.
 *
 * A handler's outcome is reported when the first of these happens:
 * - its returned promise settles (async handlers never wait for the event loop);
 * - callback(err, result) is called: errors post at once, results wait for an
 *   empty event loop ('beforeExit') unless context.callbackWaitsForEmptyEventLoop
 *   is false;
 * - context.succeed/fail/done is called (never waits);
 * - the event loop empties first: a sync handler posts `null`, an async one that
 *   never settled posts Runtime.NodeJsExit.
 * An uncaught exception or unhandled rejection posts /error for the invocation in
 * flight and ends the process; stratus starts a new one for the next invoke.
 */

'use strict';

const { logError, setCurrentRequestId } = require('./logging.js');
const { NodeJsExit, UnhandledPromiseRejection } = require('./errors.js');
const { createResponseStream, buildStreamingContext } = require('./streaming.js');

// The one 'beforeExit' action; each invocation replaces it.
const NO_OP = () => {};
let beforeExitListener = NO_OP;
const setBeforeExit = (listener) => { beforeExitListener = listener; };

function registerProcessHandlers(errorCallbacks) {
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  process.on('beforeExit', () => beforeExitListener());
}

function startLoop(client, handler, metadata, errorCallbacks) {
  const handleOnce = metadata.streaming ? handleOnceStreaming : handleOnceNonStreaming;
  const loop = { client, handler, metadata, errorCallbacks };
  loop.scheduleIteration = () => setImmediate(() => {
    handleOnce(loop).catch((err) => {
      console.log(`Unexpected Top Level Error: ${err.toString()}`);
      errorCallbacks.uncaughtException(err);
    });
  });
  loop.scheduleIteration();
}

async function handleOnceNonStreaming(loop) {
  const { bodyJson, headers } = await loop.client.nextInvocation();
  const id = beginInvocation(headers);
  const [callback, callbackContext, markCompleted] =
    buildCallbackContext(loop.client, id, loop.scheduleIteration);
  try {
    setErrorCallbacks(loop, id);
    setDefaultExitListener(loop, id, markCompleted);
    const result = loop.handler(
      JSON.parse(bodyJson), attachContextData(callbackContext, headers), callback);
    if (isPromise(result)) {
      result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
    }
  } catch (err) {
    callback(err);
  }
}

async function handleOnceStreaming(loop) {
  const { bodyJson, headers } = await loop.client.nextInvocation();
  const id = beginInvocation(headers);
  const stream = createResponseStream(loop.client, id, loop.metadata.highWaterMark);
  const context = buildStreamingContext(loop.scheduleIteration, setBeforeExit);
  try {
    setErrorCallbacks(loop, id);
    beforeExitListener = () => loop.scheduleIteration();
    const result = loop.handler(
      JSON.parse(bodyJson), stream.responseStream, attachContextData(context, headers));
    if (!isPromise(result)) {
      stream.fail('Streaming does not support non-async handlers.', context.scheduleNext);
      return;
    }
    if (typeof (await result) !== 'undefined') {
      console.warn('Streaming handlers ignore return values.');
    }
    await stream.responseDone;
    if (!stream.responseStream.writableFinished) {
      stream.fail('Response stream is not finished.', context.scheduleNext);
      return;
    }
    context.scheduleNext();
  } catch (err) {
    stream.fail(err, context.scheduleNext);
  }
}

function beginInvocation(headers) {
  const id = headers['lambda-runtime-aws-request-id'];
  if (!id) {
    throw new Error('invocation id is missing or invalid');
  }
  setCurrentRequestId(id);
  return id;
}

function setErrorCallbacks(loop, id) {
  const postAndExit = (error) => loop.client.postInvocationError(error, id, () => process.exit(1));
  loop.errorCallbacks.uncaughtException = postAndExit;
  loop.errorCallbacks.unhandledRejection = postAndExit;
}

// Used when the loop empties before the handler reported anything.
function setDefaultExitListener(loop, id, markCompleted) {
  beforeExitListener = () => {
    markCompleted();
    if (loop.metadata.isAsync) {
      const error = new NodeJsExit();
      logError('Invoke Error', error);
      loop.client.postInvocationError(error, id, loop.scheduleIteration);
    } else {
      loop.client.postInvocationResponse(null, id, loop.scheduleIteration);
    }
  };
}

/** Returns [callback, context with succeed/fail/done, markCompleted]; first call wins. */
function buildCallbackContext(client, id, scheduleNext) {
  const postError = (err, next) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, next);
  };
  let completed = false;
  const complete = (result, next) => {
    if (completed) {
      console.error('Invocation has already been reported as done. ' +
        'Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    client.postInvocationResponse(result, id, next);
  };
  let waitForEmptyEventLoop = true;
  const callback = (err, result) => {
    beforeExitListener = NO_OP;
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      beforeExitListener = () => setImmediate(() => complete(result, scheduleNext));
    }
  };
  const done = (err, result) => {
    beforeExitListener = NO_OP;
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else {
      complete(result, scheduleNext);
    }
  };
  let finished = false;
  const firstCallOnly = (fn) => (...args) => {
    if (!finished) {
      fn(...args);
      finished = true;  // after the call: a throwing serializer leaves fail() usable
    }
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
    set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
    succeed: firstCallOnly((result) => done(null, result)),
    fail: firstCallOnly((err) => done(err === undefined || err === null ? 'handled' : err, null)),
    done: firstCallOnly(done),
  };
  return [firstCallOnly(callback), context, () => { completed = true; }];
}

/** Adds the environment and /next header fields to the context object. */
function attachContextData(context, headers) {
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) {
    process.env._X_AMZN_TRACE_ID = trace;
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  const env = process.env;
  const deadline = headers['lambda-runtime-deadline-ms'];
  return Object.assign(context, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}

function parseJsonHeader(value, name) {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function isPromise(obj) {
  return Boolean(obj && obj.then && typeof obj.then === 'function');
}

module.exports = { registerProcessHandlers, startLoop };
