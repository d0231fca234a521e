/**
 * Loads the user's handler from `_HANDLER` (`path/module.a.b`) as AWS's Node
 * client does: the module is looked up relative to LAMBDA_TASK_ROOT as an
 * extensionless file, `.js` (required, or imported when the nearest package.json
 * says "type":"module"), `.mjs` (imported), `.cjs`, then by Node's own resolution.
 * Failures are thrown as Runtime.* errors, which become /init/error.
 */

'use strict';

const fs = require('fs');
const path = require('path');
const {
  HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError,
  MalformedStreamingHandler,
} = require('./errors.js');

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_LEN = 8;

/** awslambda.HttpResponseStream: an HTTP status/headers prelude, 8 NULs, then the body. */
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(PRELUDE_DELIMITER_LEN));
    };
    return underlyingStream;
  }
}

function installGlobalAwsLambda() {
  const off = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') {
    return;
  }
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

function hasTypeModule(folder) {
  if (folder.endsWith('/node_modules')) {
    return false;
  }
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  return folder === '/' ? false : hasTypeModule(path.resolve(folder, '..'));
}

function tryRequire(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function tryImport(file) {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const { pathToFileURL } = require('url');
  return import(pathToFileURL(file).href);
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequire(base);
  if (extensionless) {
    return extensionless;
  }
  const isModule = hasTypeModule(path.dirname(base));
  const loaded = (!isModule && tryRequire(base + '.js')) ||
    (isModule && (await tryImport(base + '.js'))) ||
    (await tryImport(base + '.mjs')) ||
    tryRequire(base + '.cjs');
  if (loaded) {
    return loaded;
  }
  // Resolved from the task root, not from this file's directory.
  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/** Resolves to the handler function; throws a Runtime.* error (or the user's own). */
async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. ` +
      'Use absolute paths when specifying root directories in handler names.');
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) {
    throw new MalformedHandlerName('Bad handler');
  }
  let userApp;
  try {
    userApp = await loadModule(appRoot, moduleRoot, match[1]);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new UserCodeSyntaxError(e);
    }
    if (e.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(e);
    }
    throw e;
  }
  const handler = match[2].split('.').reduce((nested, key) => nested && nested[key], userApp);
  if (!handler) {
    throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${fullHandler} is not a function`);
  }
  return handler;
}

/** What the invoke loop needs to know about a handler. */
function handlerMetadata(handler) {
  const mode = handler[HANDLER_STREAMING];
  if (mode !== undefined && mode !== null && mode !== false && mode !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  const hwm = parseInt(handler[HANDLER_HIGHWATERMARK], 10);
  return {
    streaming: mode === STREAM_RESPONSE,
    highWaterMark: Number.isNaN(hwm) ? undefined : hwm,
    isAsync: handler.constructor?.name === 'AsyncFunction',
  };
}

module.exports = { loadHandler, installGlobalAwsLambda, handlerMetadata };
