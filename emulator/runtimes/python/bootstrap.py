"""stratus's Python runtime: the Lambda Runtime API loop for one function process.

Launched as `python3 bootstrap.py` with cwd = LAMBDA_TASK_ROOT; everything it needs
comes from the environment (_HANDLER, AWS_LAMBDA_RUNTIME_API, ...). It mirrors what
AWS's awslambdaric does, so user code sees the same context object, error shapes
and log format. Standard library only, and only cheap modules at start-up: a
one-shot invoke pays for every import here (http.client alone costs ~35 ms, so the
HTTP/1.1 client below speaks to the socket directly).
"""

import _socket  # socket.py spends ~5 ms building enums at import; the C module is enough
import json
import os
import sys
import time

_API_PREFIX = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# AWS's text log sink joins the lines of one error with CR so a log collector keeps
# them as one event, and swaps indenting spaces for NO-BREAK SPACE.
_LOG_LINE_JOIN = "\r"
_LOG_INDENT = "\u00a0"

_current_request_id = None


class RuntimeConnectionError(Exception):
    """The Runtime API went away; the process cannot do anything but exit."""


class RuntimeApiClient(object):
    """A minimal HTTP/1.1 client on one keep-alive connection.

    Requests are strictly sequential (one invocation at a time), so one socket is
    enough. /next has no timeout: it is a long poll that lasts until an event comes.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._address = (host or "127.0.0.1", int(port))
        self._sock = None
        self._buf = b""

    def request(self, method, path, body=b"", headers=None):
        """Returns (status, lower-cased headers, body bytes) or raises RuntimeConnectionError."""
        head = "%s %s HTTP/1.1\r\nHost: %s:%d\r\n" % ((method, path) + self._address)
        for name, value in (headers or {}).items():
            head += "%s: %s\r\n" % (name, _header_safe(value))
        if method != "GET":
            head += "Content-Length: %d\r\n" % len(body)
        raw = head.encode("latin-1") + b"\r\n" + body
        # A kept-alive socket the server has since closed fails before any byte of
        # the response arrives; that case alone is retried, once, on a new socket.
        reused = self._sock is not None
        try:
            return self._exchange(raw)
        except (_StaleConnection, ConnectionResetError, BrokenPipeError) as e:
            self.close()
            if not reused:
                raise RuntimeConnectionError(str(e) or "Runtime API closed the connection")
        except OSError as e:
            self.close()
            raise RuntimeConnectionError(str(e))
        try:
            return self._exchange(raw)
        except (_StaleConnection, OSError) as e:
            self.close()
            raise RuntimeConnectionError(str(e) or "Runtime API closed the connection")

    def close(self):
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buf = b""

    def _exchange(self, raw):
        if self._sock is None:
            self._sock = _connect(self._address)
        self._sock.sendall(raw)
        if not self._fill(1):
            raise _StaleConnection()
        head = self._read_until(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self._read_exact(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def _fill(self, want):
        """Reads until the buffer holds `want` bytes; False on EOF."""
        while len(self._buf) < want:
            chunk = self._sock.recv(65536)
            if not chunk:
                return False
            self._buf += chunk
        return True

    def _read_until(self, delimiter):
        while True:
            end = self._buf.find(delimiter)
            if end >= 0:
                data, self._buf = self._buf[:end], self._buf[end + len(delimiter):]
                return data
            if not self._fill(len(self._buf) + 1):
                raise OSError("Runtime API closed the connection mid-response")

    def _read_exact(self, size):
        if not self._fill(size):
            raise OSError("Runtime API closed the connection mid-body")
        data, self._buf = self._buf[:size], self._buf[size:]
        return data

    def _read_chunked(self):
        parts = []
        while True:
            size = int(self._read_until(b"\r\n").split(b";")[0], 16)
            if size == 0:
                while self._read_until(b"\r\n"):  # trailers, then the blank line
                    pass
                return b"".join(parts)
            parts.append(self._read_exact(size))
            self._read_exact(2)


class _StaleConnection(Exception):
    pass


def _connect(address):
    """socket.create_connection without the socket module: blocking, no timeout."""
    error = OSError("no address for %s:%d" % address)
    for family, kind, proto, _, sockaddr in _socket.getaddrinfo(
            address[0], address[1], 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.connect(sockaddr)
        except OSError as e:
            sock.close()
            error = e
            continue
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        return sock
    raise error


def _header_safe(value):
    # Header values must be one line of latin-1; error types come from user code.
    text = str(value).replace("\r", " ").replace("\n", " ")
    return text.encode("latin-1", "replace").decode("latin-1")


# ---- the context object (same attributes as awslambdaric's LambdaContext) ----


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms,
                 invoked_function_arn, tenant_id=None):
        env = os.environ
        self.aws_request_id = invoke_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)
        self.identity = _obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        fields = ("aws_request_id", "log_group_name", "log_stream_name", "function_name",
                  "memory_limit_in_mb", "function_version", "invoked_function_arn",
                  "client_context", "identity", "tenant_id")
        return "LambdaContext([%s])" % ",".join("%s=%s" % (f, getattr(self, f)) for f in fields)


class _Slotted(object):
    __slots__ = ()

    def __repr__(self):
        return "%s([%s])" % (type(self).__name__, ",".join(
            "%s=%s" % (f, getattr(self, f, None)) for f in self.__slots__))


class CognitoIdentity(_Slotted):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(_Slotted):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name"]


class ClientContext(_Slotted):
    __slots__ = ["custom", "env", "client"]


def _obj_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field))
    return obj


# ---- errors, shaped and logged as awslambdaric does ----


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def error_from_exception(exc_info, request_id=None):
    """The error body for an exception escaping user code, bootstrap frames dropped."""
    import traceback  # only paid for when something fails

    etype, value, tb = exc_info
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            frames = frames[i:]
            break
    return make_error(str(value), etype.__name__, traceback.format_list(frames), request_id)


def log_error(error):
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for element in error.get("stackTrace") or []:
        for line in element.splitlines() or [""]:
            stripped = line.lstrip(" ")
            lines.append(_LOG_INDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(_LOG_LINE_JOIN.join(lines) + "\n")


# ---- JSON, with awslambdaric's Decimal handling ----


class _Encoder(json.JSONEncoder):
    """Writes Decimal as the bare number str(Decimal) (as simplejson's RawJSON does).

    The stdlib encoder cannot emit raw text from default(), so a Decimal becomes a
    unique placeholder string that encode() swaps for the number afterwards.
    """

    _token = None

    def __init__(self):
        # awslambdaric turns ensure_ascii off for python3.12 only.
        ascii_only = os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12"
        json.JSONEncoder.__init__(self, ensure_ascii=ascii_only)
        self._raw = []

    def default(self, o):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            if _Encoder._token is None:
                _Encoder._token = "stratus-decimal-" + os.urandom(8).hex()
            self._raw.append(str(o))
            return "%s-%d" % (_Encoder._token, len(self._raw) - 1)
        return json.JSONEncoder.default(self, o)

    def encode(self, o):
        text = json.JSONEncoder.encode(self, o)
        if not self._raw:
            return text
        import re

        pattern = '"%s-([0-9]+)"' % _Encoder._token
        return re.sub(pattern, lambda m: self._raw[int(m.group(1))], text)


def to_json(obj):
    return _Encoder().encode(obj)


def marshal_response(response):
    """Returns (body bytes, content type) or raises FaultException(Runtime.MarshalError)."""
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)


# ---- logging: AWS's root handler, installed only if user code imports logging ----


class _LoggingHook(object):
    """A meta-path finder that configures `logging` right after its first import.

    Importing logging costs ~20 ms; most handlers never use it, so it is not
    imported here, yet those that do get AWS's handler and format.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = getattr(finder, "find_spec", lambda *a: None)(name, path, target)
            if spec is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_setup(module):
            exec_module(module)
            _setup_logging(module)

        spec.loader.exec_module = exec_and_setup
        return spec


def _setup_logging(logging):
    class Handler(logging.Handler):
        def emit(self, record):
            sys.stdout.write(self.format(record))

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _current_request_id or ""
            return True

    logging.Formatter.converter = time.gmtime
    handler = Handler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        root.setLevel(level)
    root.addHandler(handler)


class _Unbuffered(object):
    """Flushes every write so logs reach stratus as they are written (as AWS does)."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        n = self.stream.write(msg)
        self.stream.flush()
        return n

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


# ---- init and the invoke loop ----


def load_handler(handler):
    """Imports the handler named `path/module.function`; raises FaultException."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultException("Runtime.BuiltInModuleConflict",
                             "Cannot use built-in module %s as a handler module" % modname)
    import_name = modname.replace("/", ".")
    try:
        __import__(import_name)
        module = sys.modules[import_name]
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError",
                             "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError",
                             "Syntax error in module '%s': %s" % (modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound",
                             "Handler '%s' missing on module '%s'" % (fname, modname))


def report_init_error(client, error):
    log_error(error)
    body = to_json(error).encode("utf-8")
    headers = {_ERROR_TYPE_HEADER: error["errorType"], "Content-Type": "application/json"}
    client.request("POST", _API_PREFIX + "/init/error", body, headers)


def handle_invocation(client, handler, headers, body):
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    error = None
    try:
        context = LambdaContext(
            request_id,
            _parse_json_header(headers.get("lambda-runtime-client-context"), "Client Context"),
            _parse_json_header(headers.get("lambda-runtime-cognito-identity"), "Cognito Identity"),
            int(headers.get("lambda-runtime-deadline-ms") or 0),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"))
        event = _unmarshal_event(body, headers.get("content-type"))
        result, content_type = marshal_response(handler(event, context))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        error = error_from_exception(sys.exc_info(), request_id)
    path = "%s/invocation/%s/" % (_API_PREFIX, _quote(request_id))
    if error is not None:
        log_error(error)
        post_headers = {_ERROR_TYPE_HEADER: error["errorType"], "Content-Type": "application/json"}
        status, _, reply = client.request("POST", path + "error", to_json(error).encode("utf-8"),
                                          post_headers)
    else:
        status, _, reply = client.request("POST", path + "response", result,
                                          {"Content-Type": content_type})
    if status != 202:
        # As with AWS's client, a refused result (e.g. 413 too large) does not stop the loop.
        sys.stderr.write("stratus runtime: POST %s got HTTP %d: %s\n"
                         % (path, status, reply.decode("utf-8", "replace")))


def _parse_json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException("Runtime.LambdaContextUnmarshalError",
                             "Unable to parse %s JSON: %s" % (name, e))


def _unmarshal_event(body, content_type):
    if content_type not in (None, "application/json"):
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)


def _quote(request_id):
    safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
    return "".join(c if c in safe else "".join("%%%02X" % b for b in c.encode("utf-8"))
                   for c in request_id)


def _set_trace_id(trace_id):
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def main():
    global _current_request_id
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("stratus runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 1
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # sys.path[0] is this script's directory; user modules must win over it.
    sys.path[0:1] = [task_root]
    if "logging" in sys.modules:
        _setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingHook())
    client = RuntimeApiClient(address)
    try:
        try:
            handler = load_handler(os.environ.get("_HANDLER", ""))
        except FaultException as e:
            report_init_error(client, make_error(e.msg, e.exception_type, e.trace))
            return 1
        except Exception:
            report_init_error(client, error_from_exception(sys.exc_info()))
            return 1
        while True:
            status, headers, body = client.request("GET", _API_PREFIX + "/invocation/next")
            if status != 200:
                sys.stderr.write("stratus runtime: /next got HTTP %d\n" % status)
                return 1
            _current_request_id = headers.get("lambda-runtime-aws-request-id")
            _set_trace_id(headers.get("lambda-runtime-trace-id"))
            handle_invocation(client, handler, headers, body)
    except RuntimeConnectionError as e:
        sys.stderr.write("stratus runtime: lost the Runtime API: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
