/**
 * console.* replaced as AWS's Node client does: every call becomes one write of
 * `ISO-time<TAB>request-id<TAB>LEVEL<TAB>util.format(args)`. Newlines inside a
 * message become CR so a line-oriented log reader keeps the message as one entry.
 * Before the first invoke the request id prints as "undefined", as on Lambda.
 */

'use strict';

const util = require('util');
const { intoError, toFormatted } = require('./errors.js');

const LEVELS = {
  TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6,
};

let currentRequestId;

function setCurrentRequestId(id) {
  currentRequestId = id;
}

function writeLine(level, message, params) {
  const text = util.format(message, ...params);
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function patchConsole() {
  const minimum = LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE;
  const logger = (level) => (LEVELS[level] >= minimum
    ? (message, ...params) => writeLine(level, message, params)
    : () => {});
  console.trace = logger('TRACE');
  console.debug = logger('DEBUG');
  console.info = logger('INFO');
  console.log = console.info;
  console.warn = logger('WARN');
  console.error = logger('ERROR');
  console.fatal = (message, ...params) => writeLine('FATAL', message, params);
}

/** Logs a runtime-reported failure, e.g. `Invoke Error \t{"errorType":...}`. */
function logError(label, err) {
  console.error(label, toFormatted(intoError(err)));
}

module.exports = { patchConsole, logError, setCurrentRequestId };
