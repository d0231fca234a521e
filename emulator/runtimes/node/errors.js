/**
 * Error types and error bodies, shaped as AWS's Node client shapes them: the
 * Runtime API body is {errorType, errorMessage, trace}, and anything thrown that
 * is not an Error is typed by `typeof` (a rejected string gives errorType "string").
 */

'use strict';

const util = require('util');

function isErrorLike(obj) {
  return Boolean(obj && obj.name && obj.message && obj.stack &&
    typeof obj.name === 'string' && typeof obj.message === 'string' &&
    typeof obj.stack === 'string');
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

/** The body posted to /error and /init/error. Never throws. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_err) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
    };
  }
}

/** The log form of an error: a tab, then JSON including its enumerable fields. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_err) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

function withEnumerableProperties(error) {
  if (!(error instanceof Error)) {
    return error;
  }
  const ret = Object.assign(
    { errorType: error.name, errorMessage: error.message, code: error.code }, error);
  if (typeof error.stack === 'string') {
    ret.stack = error.stack.split('\n');
  }
  return ret;
}

class ImportModuleError extends Error {}
class HandlerNotFound extends Error {}
class MalformedHandlerName extends Error {}
class UserCodeSyntaxError extends Error {}
class MalformedStreamingHandler extends Error {}
class InvalidStreamingOperation extends Error {}
class NodeJsExit extends Error {
  constructor() {
    super('Error: Runtime exited without providing a reason');
  }
}
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}

const runtimeErrors = {
  ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  MalformedStreamingHandler, InvalidStreamingOperation, NodeJsExit, UnhandledPromiseRejection,
};
for (const [name, cls] of Object.entries(runtimeErrors)) {
  cls.prototype.name = `Runtime.${name}`;
}

module.exports = { intoError, toRapidResponse, toFormatted, ...runtimeErrors };
