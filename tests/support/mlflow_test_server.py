# SPDX-License-Identifier: GPL-3.0-or-later
"""MLflow 2.17.2-compatible REST test server for Sightline's tests (Python 3 standard library only).

It answers the way the recorded fixtures (fixtures/mlflow-2.17.2) show a real MLflow 2.17.2 server
answering: same JSON shapes and field order, pretty-printed success bodies, compact one-line error
bodies, HTML pages for unknown paths, wrong methods and crashes, and the same quirks (page tokens,
"NaN" strings, omitted empty lists, whole histories from get-history, ...).

Workspaces:
  --fixtures DIR      the recorded data set, so that the recorded requests get the recorded answers
  --generate SPEC     a deterministic generated workspace ("experiments=4,runs=2000,metrics=5,...")
  (neither)           an empty server with only the Default experiment

Fault injection, request statistics, a settable clock and direct mutations are available under
/__control/ (not part of MLflow); see tests/support/README.md.

Run it as a subprocess (python3 mlflow_test_server.py --port 0 --port-file FILE ...) or in-process:

    from mlflow_test_server import start_server
    server = start_server(generate="runs=50,metrics=3,steps=100")
    ... server.url ...
    server.stop()
"""

import argparse
import base64
import bisect
import collections
import email.utils
import hashlib
import http.server
import json
import math
import os
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
import urllib.parse

MLFLOW_VERSION = "2.17.2"
FLOAT_MAX = sys.float_info.max  # what MLflow stores for +/-inf

API_DOCS_HINT = " See the API docs for more information about request parameters."
RUNS_SEARCH_MAX = 50000
RUNS_SEARCH_DEFAULT = 1000
EXPERIMENTS_SEARCH_MAX = 50000
REGISTERED_MODELS_DEFAULT = 100
REGISTERED_MODELS_MAX = 1000
MODEL_VERSIONS_DEFAULT = 200000
MODEL_VERSIONS_MAX = 200000
BULK_INTERVAL_MAX_PER_RUN = 2500
BULK_MAX_RUNS = 100
BULK_HISTORY_MAX = 25000
REGISTRY_TAG_KEY_MAX = 250
REGISTRY_TAG_VALUE_MAX = 5000
SEARCH_DATASETS_MAX = 1000

STAGES = ("None", "Staging", "Production", "Archived")
ACTIVE_STAGES = ("Staging", "Production")
RUN_STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")

ERROR_STATUS = {
    "RESOURCE_DOES_NOT_EXIST": 404,
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "INVALID_STATE": 400,
    "TEMPORARILY_UNAVAILABLE": 503,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL_ERROR": 500,
}

HTML_404 = (
    b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>The requested URL was not found on the server. If you entered the URL manually please "
    b"check your spelling and try again.</p>\n"
)
HTML_405 = (
    b"<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
    b"<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"
)
HTML_500 = (
    b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    b"<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    b"to complete your request. Either the server is overloaded or there is an error in the "
    b"application.</p>\n"
)
HTML_400 = (
    b"<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
    b"<p>The browser (or proxy) sent a request that this server could not understand.</p>\n"
)
# What a corporate proxy or SSO gateway answers instead of the API: a 200 with a login page.
HTML_GATEWAY_PAGE = (
    b"<!DOCTYPE html>\n<html>\n<head><title>Sign in</title></head>\n<body>\n"
    b"<h1>Single sign-on</h1>\n<p>Your session has expired. Please sign in to continue.</p>\n"
    b'<form method="post" action="/login"><input name="user"><input name="password" '
    b'type="password"><button>Sign in</button></form>\n</body>\n</html>\n'
)
HTML_INDEX = (
    b"<!doctype html>\n<html lang=en>\n<title>MLflow</title>\n<h1>MLflow tracking server</h1>\n"
    b"<p>REST API under /api/2.0/mlflow/.</p>\n"
)
INVALID_JSON_BODY = b'{"runs": [ {"info": '

CT_JSON = "application/json"
CT_HTML = "text/html; charset=utf-8"
CT_TEXT = "text/plain"

TEXT_ARTIFACT_EXTENSIONS = {
    "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml",
    "yaml", "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "mlmodel",
    "mlproject",
}


# ----------------------------------------------------------------------------------------------
# Small utilities
# ----------------------------------------------------------------------------------------------

class MlflowError(Exception):
    """An error MLflow reports as {"error_code": ..., "message": ...}."""

    def __init__(self, message, code="INVALID_PARAMETER_VALUE"):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status(self):
        return ERROR_STATUS.get(self.code, 500)


def pretty_json(obj):
    """Success bodies: what MLflow's message_to_json produces (indent 2, non-ASCII escaped)."""
    return json.dumps(obj, indent=2, ensure_ascii=True).encode("ascii")


def compact_json(obj):
    return json.dumps(obj, ensure_ascii=True).encode("ascii")


def runs_page_json(run_texts, token):
    """pretty_json({"runs": [...], "next_page_token": token}) from runs already printed at their
    depth (indented by four spaces after each line break); {} when there are none."""
    if not run_texts:
        return pretty_json({"next_page_token": token} if token is not None else {})
    body = b'{\n  "runs": [\n    ' + b",\n    ".join(run_texts) + b"\n  ]"
    if token is not None:
        body += b',\n  "next_page_token": ' + json.dumps(token, ensure_ascii=True).encode("ascii")
    return body + b"\n}"


def flask_jsonify(obj):
    """Bodies of the few endpoints MLflow answers with Flask's jsonify: compact, sorted keys."""
    return (json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=True) + "\n").encode(
        "ascii")


def json_value(v):
    """A metric value as MLflow sends it: NaN as the string "NaN"."""
    return "NaN" if v != v else v


def to_metric_value(raw):
    """A metric value as MLflow stores it: a float, +/-inf clamped to +/-max double."""
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ("nan", "+nan", "-nan"):
            return math.nan
        if text in ("infinity", "+infinity", "inf", "+inf"):
            return FLOAT_MAX
        if text in ("-infinity", "-inf"):
            return -FLOAT_MAX
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise MlflowError(f"Invalid value {raw!r} for metric value: must be a number")
    if math.isinf(value):
        return FLOAT_MAX if value > 0 else -FLOAT_MAX
    return value


def create_page_token(offset):
    return base64.b64encode(json.dumps({"offset": offset}).encode("utf-8")).decode("ascii")


def parse_page_token(token):
    """MLflow's SearchUtils.parse_start_offset_from_page_token, messages included."""
    if not token:
        return 0
    try:
        decoded = base64.b64decode(token, validate=False)
    except (TypeError, ValueError):
        raise MlflowError("Invalid page token, could not base64-decode")
    try:
        parsed = json.loads(decoded)
    except ValueError:
        raise MlflowError(f"Invalid page token, decoded value={decoded!r}")
    offset = parsed.get("offset") if isinstance(parsed, dict) else None
    if not offset:
        raise MlflowError(f"Invalid page token, parsed value={parsed!r}")
    try:
        return int(offset)
    except (TypeError, ValueError):
        raise MlflowError(f"Invalid page token, not stringable {offset}")


def stable_hex_id(*parts):
    return hashlib.md5("/".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def unit_hash(*parts):
    """A deterministic float in [0, 1) from any parts."""
    digest = hashlib.md5("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 18446744073709551616.0


def step_noise(salt, step):
    """Cheap deterministic noise in [-0.5, 0.5) for one step of one series."""
    x = (step * 2654435761 + salt) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 2246822519) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 3266489917) & 0xFFFFFFFF
    x ^= x >> 16
    return x / 4294967296.0 - 0.5


class Clock:
    """Milliseconds since the epoch, either the real time or frozen at a value tests choose."""

    def __init__(self, frozen_ms=None):
        self.frozen_ms = frozen_ms

    def now_ms(self):
        if self.frozen_ms is not None:
            return self.frozen_ms
        return int(time.time() * 1000)


# ----------------------------------------------------------------------------------------------
# Request parameters
# ----------------------------------------------------------------------------------------------

class Params:
    """Request parameters from the query string (GET, DELETE) and/or the JSON body."""

    def __init__(self, method, query, body):
        self.method = method
        self.query = query
        self.body = body

    def _raw(self, name):
        """(found, value) with the JSON value, or the single query value (list if repeated)."""
        sources = ("query", "body") if self.method in ("GET", "HEAD") else ("body", "query")
        for source in sources:
            if source == "body":
                if name in self.body:
                    return True, self.body[name]
            elif name in self.query:
                values = self.query[name]
                return True, values[0] if len(values) == 1 else values
        return False, None

    def has(self, name):
        return self._raw(name)[0]

    def raw(self, name, default=None):
        found, value = self._raw(name)
        return value if found else default

    def text(self, name, default=None):
        found, value = self._raw(name)
        if not found or value is None:
            return default
        if isinstance(value, list):
            value = value[0] if value else default
        return value if isinstance(value, str) else str(value)

    def required_text(self, name):
        value = self.text(name)
        if value is None or value == "":
            raise MlflowError(f"Missing value for required parameter '{name}'.{API_DOCS_HINT}")
        return value

    def items(self, name):
        found, value = self._raw(name)
        if not found or value is None:
            return []
        if isinstance(value, list):
            return value
        return [value]

    def boolean(self, name, default=False):
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def int_within(self, name, default, maximum):
        """An int parameter checked like MLflow's request schema (_assert_less_than_or_equal)."""
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, list):
            value = value[0]
        try:
            if isinstance(value, bool):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError):
            raise MlflowError(self._hint_message(name, value))
        if maximum is not None and number > maximum:
            raise MlflowError(self._hint_message(name, value))
        return number

    @staticmethod
    def _hint_message(name, value):
        return (f"Invalid value {json.dumps(value)} for parameter '{name}' supplied:  "
                f"Hint: Value was of type '{type(value).__name__}'.{API_DOCS_HINT}")


# ----------------------------------------------------------------------------------------------
# Filter and order_by parsing (MLflow's search syntax: clauses joined by AND)
# ----------------------------------------------------------------------------------------------

METRIC_COMPARATORS_TEXT = "{'=', '>', '!=', '<', '>=', '<='}"
STRING_COMPARATORS_TEXT = "{'!=', '=', 'LIKE', 'ILIKE'}"
STRING_ATTR_COMPARATORS_TEXT = "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}"
NUMERIC_COMPARATORS = {"=", "!=", ">", ">=", "<", "<="}
STRING_COMPARATORS = {"=", "!=", "LIKE", "ILIKE"}
STRING_ATTR_COMPARATORS = {"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"}

ENTITY_ALIASES = {
    "metric": "metric", "metrics": "metric",
    "param": "param", "params": "param", "parameter": "param", "parameters": "param",
    "tag": "tag", "tags": "tag",
    "attribute": "attribute", "attributes": "attribute", "attr": "attribute", "run": "attribute",
    "dataset": "dataset", "datasets": "dataset",
}
ENTITY_LIST_TEXT = "['metric', 'parameter', 'tag', 'attribute', 'dataset']"

RUN_NUMERIC_ATTRIBUTES = {"start_time": "start_time", "end_time": "end_time",
                          "created": "start_time", "Created": "start_time"}
RUN_STRING_ATTRIBUTES = {"run_id", "run_name", "status", "user_id", "artifact_uri",
                         "lifecycle_stage", "experiment_id"}
RUN_ORDER_ATTRIBUTES = {"start_time", "end_time", "created", "Created", "run_name", "run_id",
                        "status", "user_id", "artifact_uri", "experiment_id", "lifecycle_stage"}
DATASET_KEYS = {"name", "digest", "context"}

_NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _filter_unparsable(text):
    return MlflowError(f"Invalid filter '{text}'. Could not be parsed.")


def _tokenize_filter(text):
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "'\"`":
            j = text.find(c, i + 1)
            if j < 0:
                raise _filter_unparsable(text)
            tokens.append(("QUOTED" if c != "`" else "BACKTICK", text[i + 1:j], c))
            i = j + 1
        elif c in "<>=!":
            j = i
            while j < n and text[j] in "<>=!":
                j += 1
            tokens.append(("OP", text[i:j], None))
            i = j
        elif c in "(),":
            tokens.append((c, c, None))
            i += 1
        elif c.isdigit() or (c in "+-." and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] == ".")):
            m = _NUMBER_RE.match(text, i)
            if not m:
                raise _filter_unparsable(text)
            tokens.append(("NUMBER", m.group(0), None))
            i = m.end()
        elif c.isalpha() or c == "_":
            m = _IDENT_RE.match(text, i)
            tokens.append(("IDENT", m.group(0), None))
            i = m.end()
        else:
            raise _filter_unparsable(text)
    return tokens


def parse_filter(text):
    """Clauses (entity, key, comparator, value) of an MLflow filter string; value is a str, a float
    (numbers) or a list (IN). Entity names are returned as written; validation is per search."""
    if not text or not text.strip():
        return []
    tokens = _tokenize_filter(text)
    clauses = []
    pos = 0

    def peek(k=0):
        return tokens[pos + k] if pos + k < len(tokens) else None

    while True:
        tok = peek()
        if tok is None or tok[0] != "IDENT":
            raise _filter_unparsable(text)
        ident = tok[1]
        pos += 1
        nxt = peek()
        if ident.endswith(".") and nxt is not None and nxt[0] in ("QUOTED", "BACKTICK"):
            entity, key = ident[:-1], nxt[1]
            pos += 1
        elif "." in ident:
            entity, key = ident.split(".", 1)
        else:
            entity, key = "", ident
        tok = peek()
        if tok is None:
            raise _filter_unparsable(text)
        if tok[0] == "OP":
            comparator = tok[1]
            pos += 1
        elif tok[0] == "IDENT" and tok[1].upper() in ("LIKE", "ILIKE", "IN"):
            comparator = tok[1].upper()
            pos += 1
        elif tok[0] == "IDENT" and tok[1].upper() == "NOT" and peek(1) and peek(1)[0] == "IDENT" \
                and peek(1)[1].upper() == "IN":
            comparator = "NOT IN"
            pos += 2
        else:
            raise _filter_unparsable(text)
        tok = peek()
        if tok is None:
            raise _filter_unparsable(text)
        if tok[0] == "(":
            values = []
            pos += 1
            while True:
                tok = peek()
                if tok is None:
                    raise _filter_unparsable(text)
                if tok[0] == "QUOTED":
                    values.append(tok[1])
                elif tok[0] == "NUMBER":
                    values.append(tok[1])
                else:
                    raise _filter_unparsable(text)
                pos += 1
                tok = peek()
                if tok is None:
                    raise _filter_unparsable(text)
                pos += 1
                if tok[0] == ")":
                    break
                if tok[0] != ",":
                    raise _filter_unparsable(text)
            value = ("list", values)
        elif tok[0] == "QUOTED":
            value = ("string", tok[1])
            pos += 1
        elif tok[0] == "NUMBER":
            value = ("number", tok[1])
            pos += 1
        elif tok[0] == "IDENT":
            value = ("bare", tok[1])
            pos += 1
        else:
            raise _filter_unparsable(text)
        clauses.append((entity, key, comparator, value))
        tok = peek()
        if tok is None:
            break
        if tok[0] == "IDENT" and tok[1].upper() == "AND":
            pos += 1
            continue
        raise _filter_unparsable(text)
    return clauses


def _like_regex(pattern, case_insensitive):
    out = []
    for ch in pattern:
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if case_insensitive else 0))


def make_string_predicate(comparator, value):
    if comparator == "=":
        return lambda s: s is not None and s == value
    if comparator == "!=":
        return lambda s: s is not None and s != value
    if comparator in ("LIKE", "ILIKE"):
        rx = _like_regex(value, comparator == "ILIKE")
        return lambda s: s is not None and rx.fullmatch(s) is not None
    if comparator == "IN":
        values = set(value)
        return lambda s: s is not None and s in values
    if comparator == "NOT IN":
        values = set(value)
        return lambda s: s is not None and s not in values
    raise MlflowError(f"Invalid comparator '{comparator}'")


def make_number_predicate(comparator, value):
    ops = {
        "=": lambda x: x == value, "!=": lambda x: x != value, ">": lambda x: x > value,
        ">=": lambda x: x >= value, "<": lambda x: x < value, "<=": lambda x: x <= value,
    }
    op = ops[comparator]
    return lambda x: x is not None and x == x and op(x)


def _string_value(entity_word, value):
    kind, raw = value
    if kind == "string":
        return raw
    raise MlflowError(
        f"Parameter value is either not quoted or unidentified quote types used for string value "
        f"{raw}. Use either single or double quotes." if entity_word != "tag" else
        f"Tag value is either not quoted or unidentified quote types used for string value {raw}. "
        f"Use either single or double quotes.")


def _number_value(entity_word, key, value):
    kind, raw = value
    if kind != "number":
        raise MlflowError(f"Expected numeric value type for {entity_word}. Found {raw}")
    return float(raw)


def _list_or_string(comparator, value, what):
    kind, raw = value
    if comparator in ("IN", "NOT IN"):
        if kind != "list":
            raise MlflowError(f"While parsing a list in the query, expected a non-empty list of "
                              f"string values, but got {raw}")
        return [str(v) for v in raw]
    if kind != "string":
        raise MlflowError(f"Expected a quoted string value for {what} (e.g. 'my-value'). Got value "
                          f"{raw}")
    return raw


def parse_order_by(clause):
    """(entity, key, ascending) of one order_by clause, entity as written."""
    text = (clause or "").strip()
    if not text:
        raise MlflowError(f"Invalid order_by clause '{clause}'. Could not be parsed.")
    ascending = True
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and parts[1].upper() in ("ASC", "DESC"):
        ascending = parts[1].upper() == "ASC"
        text = parts[0].strip()
    elif len(parts) == 2 and not (text.count("`") or text.count('"')):
        raise MlflowError(f"Invalid order_by clause '{clause}'. Could not be parsed.")
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\.(?:`([^`]+)`|\"([^\"]+)\"|(.+))", text)
    if m:
        key = m.group(2) or m.group(3) or m.group(4)
        return m.group(1), key, ascending
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        return "", text, ascending
    raise MlflowError(f"Invalid order_by clause '{clause}'. Could not be parsed.")


def _run_entity(entity):
    if entity == "":
        return "attribute"
    canonical = ENTITY_ALIASES.get(entity.strip("`"))
    if canonical is None:
        raise MlflowError(f"Invalid entity type '{entity}'. Valid values are {ENTITY_LIST_TEXT}")
    return canonical


def _valid_attr_text():
    return str(sorted(RUN_STRING_ATTRIBUTES | set(RUN_NUMERIC_ATTRIBUTES)))


def compile_run_filter(text):
    """Compile a runs/search filter. Returns (predicates, entity kinds used, dataset clauses)."""
    predicates = []
    kinds = []
    dataset_clauses = []
    for entity, key, comparator, value in parse_filter(text):
        kind = _run_entity(entity)
        key = key.strip("`")
        kinds.append((kind, key, comparator, value))
        if kind == "metric":
            if comparator not in NUMERIC_COMPARATORS:
                raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                  f"'{METRIC_COMPARATORS_TEXT}")
            number = _number_value("metric", key, value)
            test = make_number_predicate(comparator, number)
            predicates.append(lambda run, k=key, t=test: k in run.latest and t(run.latest[k][0]))
        elif kind in ("param", "tag"):
            if comparator not in STRING_COMPARATORS:
                raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                  f"'{STRING_COMPARATORS_TEXT}")
            string = _string_value(kind, value)
            test = make_string_predicate(comparator, string)
            if kind == "param":
                predicates.append(lambda run, k=key, t=test: t(run.params.get(k)))
            else:
                predicates.append(lambda run, k=key, t=test: t(run.tags.get(k)))
        elif kind == "attribute":
            if key in RUN_NUMERIC_ATTRIBUTES:
                if comparator not in NUMERIC_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                      f"'{METRIC_COMPARATORS_TEXT}")
                number = _number_value("attribute", key, value)
                test = make_number_predicate(comparator, number)
                field = RUN_NUMERIC_ATTRIBUTES[key]
                predicates.append(lambda run, f=field, t=test: t(getattr(run, f)))
            elif key in RUN_STRING_ATTRIBUTES:
                if comparator not in STRING_ATTR_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                      f"'{STRING_ATTR_COMPARATORS_TEXT}")
                string = _list_or_string(comparator, value, "attribute")
                test = make_string_predicate(comparator, string)
                predicates.append(lambda run, f=key, t=test: t(getattr(run, f)))
            else:
                raise MlflowError(f"Invalid attribute key '{key}' specified. Valid keys are "
                                  f"'{_valid_attr_text()}'")
        else:  # dataset
            if key not in DATASET_KEYS:
                raise MlflowError(f"Invalid dataset key '{key}' specified. Valid keys are "
                                  f"'{sorted(DATASET_KEYS)}'")
            if comparator not in STRING_ATTR_COMPARATORS:
                raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                  f"'{STRING_ATTR_COMPARATORS_TEXT}")
            string = _list_or_string(comparator, value, "dataset")
            dataset_clauses.append((key, make_string_predicate(comparator, string), comparator,
                                    string))
    if dataset_clauses:
        def dataset_match(run, clauses=tuple(dataset_clauses)):
            for dataset_input in run.inputs:
                fields = {
                    "name": dataset_input["dataset"].get("name"),
                    "digest": dataset_input["dataset"].get("digest"),
                    "context": _input_context(dataset_input),
                }
                if all(test(fields[key]) for key, test, _, _ in clauses):
                    return True
            return False
        predicates.append(dataset_match)
    return predicates, kinds, dataset_clauses


def _input_context(dataset_input):
    for tag in dataset_input.get("tags", ()):
        if tag.get("key") == "mlflow.data.context":
            return tag.get("value")
    return None


# ----------------------------------------------------------------------------------------------
# Entities
# ----------------------------------------------------------------------------------------------

class Experiment:
    __slots__ = ("experiment_id", "name", "artifact_location", "lifecycle_stage",
                 "last_update_time", "creation_time", "tags")

    def __init__(self, experiment_id, name, artifact_location, creation_time, last_update_time=None,
                 lifecycle_stage="active", tags=None):
        self.experiment_id = str(experiment_id)
        self.name = name
        self.artifact_location = artifact_location
        self.lifecycle_stage = lifecycle_stage
        self.creation_time = creation_time
        self.last_update_time = creation_time if last_update_time is None else last_update_time
        self.tags = dict(tags or {})

    def to_json(self):
        d = {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "artifact_location": self.artifact_location,
            "lifecycle_stage": self.lifecycle_stage,
            "last_update_time": self.last_update_time,
            "creation_time": self.creation_time,
        }
        if self.tags:
            d["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        return d


class Run:
    """A run. Metric histories live in `series` (explicit lists of (value, timestamp, step)) or
    come lazily from `generator` (generated workspaces) until something is logged to them."""

    __slots__ = ("run_id", "experiment_id", "run_name", "user_id", "status", "start_time",
                 "end_time", "artifact_uri", "lifecycle_stage", "params", "tags", "latest",
                 "inputs", "series", "generator", "artifacts", "deleted_time")

    def __init__(self, run_id, experiment_id, run_name, user_id, status, start_time, end_time,
                 artifact_uri, lifecycle_stage="active"):
        self.run_id = run_id
        self.experiment_id = str(experiment_id)
        self.run_name = run_name
        self.user_id = user_id
        self.status = status
        self.start_time = start_time
        self.end_time = end_time
        self.artifact_uri = artifact_uri
        self.lifecycle_stage = lifecycle_stage
        self.params = {}
        self.tags = {}
        self.latest = {}  # key -> (value, timestamp, step), in first-logged order
        self.inputs = []
        self.series = {}
        self.generator = None  # RunGenerator of lazy histories (generated workspaces), or None
        self.artifacts = {}  # relative path -> bytes
        self.deleted_time = None

    def info_json(self):
        d = {"run_uuid": self.run_id, "experiment_id": self.experiment_id}
        if self.run_name is not None:
            d["run_name"] = self.run_name
        if self.user_id is not None:
            d["user_id"] = self.user_id
        d["status"] = self.status
        if self.start_time is not None:
            d["start_time"] = self.start_time
        if self.end_time is not None:
            d["end_time"] = self.end_time
        d["artifact_uri"] = self.artifact_uri
        d["lifecycle_stage"] = self.lifecycle_stage
        d["run_id"] = self.run_id
        return d

    def to_json(self):
        data = {}
        if self.latest:
            data["metrics"] = [
                {"key": k, "value": json_value(v), "timestamp": ts, "step": s}
                for k, (v, ts, s) in self.latest.items()
            ]
        if self.params:
            data["params"] = [{"key": k, "value": v} for k, v in self.params.items()]
        if self.tags:
            data["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        inputs = {}
        if self.inputs:
            inputs["dataset_inputs"] = [dataset_input_json(i) for i in self.inputs]
        return {"info": self.info_json(), "data": data, "inputs": inputs}

    def observe_latest(self, key, value, timestamp, step):
        """MLflow's latest_metrics rule: the entry with the greatest (step, timestamp, value)."""
        old = self.latest.get(key)
        if old is None:
            self.latest[key] = (value, timestamp, step)
            return
        new_rank = (step, timestamp, -math.inf if value != value else value)
        old_rank = (old[2], old[1], -math.inf if old[0] != old[0] else old[0])
        if new_rank >= old_rank:
            self.latest[key] = (value, timestamp, step)


def dataset_input_json(dataset_input):
    out = {}
    if dataset_input.get("tags"):
        out["tags"] = [{"key": t["key"], "value": t["value"]} for t in dataset_input["tags"]]
    dataset = dataset_input["dataset"]
    d = {}
    for field in ("name", "digest", "source_type", "source", "schema", "profile"):
        value = dataset.get(field)
        if value is None or (value == "" and field in ("schema", "profile")):
            continue
        d[field] = value
    out["dataset"] = d
    return out


class ModelVersion:
    __slots__ = ("name", "version", "creation_timestamp", "last_updated_timestamp", "user_id",
                 "current_stage", "description", "source", "run_id", "status", "status_message",
                 "tags", "run_link", "deleted")

    def __init__(self, name, version, creation_timestamp, last_updated_timestamp=None,
                 current_stage="None", description="", source="", run_id="", status="READY",
                 tags=None, run_link="", user_id=None, status_message=None):
        self.name = name
        self.version = int(version)
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = (creation_timestamp if last_updated_timestamp is None
                                       else last_updated_timestamp)
        self.user_id = user_id
        self.current_stage = current_stage
        self.description = description
        self.source = source
        self.run_id = run_id
        self.status = status
        self.status_message = status_message
        self.tags = dict(tags or {})
        self.run_link = run_link
        self.deleted = False

    def to_json(self, aliases=None):
        d = {
            "name": self.name,
            "version": str(self.version),
            "creation_timestamp": self.creation_timestamp,
            "last_updated_timestamp": self.last_updated_timestamp,
        }
        if self.user_id is not None:
            d["user_id"] = self.user_id
        d["current_stage"] = self.current_stage
        if self.description is not None:
            d["description"] = self.description
        if self.source is not None:
            d["source"] = self.source
        if self.run_id is not None:
            d["run_id"] = self.run_id
        d["status"] = self.status
        if self.status_message is not None:
            d["status_message"] = self.status_message
        if self.tags:
            d["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        if self.run_link is not None:
            d["run_link"] = self.run_link
        if aliases:
            d["aliases"] = list(aliases)
        return d


class RegisteredModel:
    __slots__ = ("name", "creation_timestamp", "last_updated_timestamp", "description", "tags",
                 "aliases", "versions")

    def __init__(self, name, creation_timestamp, last_updated_timestamp=None, description=None,
                 tags=None):
        self.name = name
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = (creation_timestamp if last_updated_timestamp is None
                                       else last_updated_timestamp)
        self.description = description
        self.tags = dict(tags or {})
        self.aliases = {}  # alias -> version number
        self.versions = {}  # version number -> ModelVersion

    def live_versions(self):
        return [self.versions[v] for v in sorted(self.versions) if not self.versions[v].deleted]

    def latest_versions(self):
        """The newest version per stage, in MLflow's order (stages by first appearance)."""
        latest = {}
        for mv in self.live_versions():
            old = latest.get(mv.current_stage)
            if old is None or old.version < mv.version:
                latest[mv.current_stage] = mv
        return list(latest.values())

    def aliases_of(self, version):
        return sorted(a for a, v in self.aliases.items() if v == version)

    def to_json(self):
        d = {
            "name": self.name,
            "creation_timestamp": self.creation_timestamp,
            "last_updated_timestamp": self.last_updated_timestamp,
        }
        if self.description:
            d["description"] = self.description
        latest = self.latest_versions()
        if latest:
            d["latest_versions"] = [mv.to_json() for mv in latest]
        if self.tags:
            d["tags"] = [{"key": k, "value": v} for k, v in self.tags.items()]
        if self.aliases:
            d["aliases"] = [{"alias": a, "version": str(self.aliases[a])}
                            for a in sorted(self.aliases)]
        return d


# ----------------------------------------------------------------------------------------------
# Metric history bodies
# ----------------------------------------------------------------------------------------------

def history_body(key, points):
    """The get-history body exactly as MLflow prints it, built without the slow indent encoder."""
    if not points:
        return b"{}"
    head = '    {\n      "key": ' + json.dumps(key) + ',\n      "value": '
    parts = [
        f'{head}{v!r},\n      "timestamp": {ts},\n      "step": {s}\n    }}' if v == v else
        f'{head}"NaN",\n      "timestamp": {ts},\n      "step": {s}\n    }}'
        for v, ts, s in points
    ]
    return ('{\n  "metrics": [\n' + ",\n".join(parts) + "\n  ]\n}").encode("ascii")


class BodyCache:
    """LRU of serialized get-history bodies keyed by (run_id, key), bounded in bytes."""

    def __init__(self, budget_bytes):
        self.budget = budget_bytes
        self.lock = threading.Lock()
        self.entries = collections.OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    def get(self, cache_key):
        with self.lock:
            body = self.entries.get(cache_key)
            if body is not None:
                self.entries.move_to_end(cache_key)
                self.hits += 1
            else:
                self.misses += 1
            return body

    def peek(self, cache_key):
        with self.lock:
            return self.entries.get(cache_key)

    def put(self, cache_key, body):
        if len(body) > self.budget:
            return
        with self.lock:
            old = self.entries.pop(cache_key, None)
            if old is not None:
                self.size -= len(old)
            self.entries[cache_key] = body
            self.size += len(body)
            while self.size > self.budget and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def invalidate(self, cache_key):
        """Drops a history's get-history body and its get-history-bulk fragment."""
        with self.lock:
            for k in (cache_key, ("bulk",) + tuple(cache_key)):
                old = self.entries.pop(k, None)
                if old is not None:
                    self.size -= len(old)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0

    def stats(self):
        with self.lock:
            return {"entries": len(self.entries), "bytes": self.size, "budget_bytes": self.budget,
                    "hits": self.hits, "misses": self.misses}


# ----------------------------------------------------------------------------------------------
# The workspace: all state, behind one lock
# ----------------------------------------------------------------------------------------------

_RUN_NAME_WORDS = (("brave", "calm", "clever", "eager", "gentle", "honest", "lively", "proud",
                    "quiet", "rare", "shy", "sly", "swift", "wise"),
                   ("owl", "fox", "lynx", "hare", "wren", "seal", "crow", "mole", "moth", "toad",
                    "yak", "newt", "ibis", "bass"))


class Workspace:
    def __init__(self, clock=None, artifact_root="/srv/mlflow/artifacts", cache_bytes=1536 << 20):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.artifact_root = artifact_root
        self.experiments = {}  # id -> Experiment (insertion order)
        self.runs = {}  # id -> Run (insertion order)
        self.models = {}  # name -> RegisteredModel
        self.cache = BodyCache(cache_bytes)
        self.next_experiment_id = 1
        self.run_counter = 0
        self.prewarm = {"state": "idle", "done": 0, "total": 0}
        self.bulk_counts = {}  # (run_id, key) -> points in its cached get-history-bulk fragment
        # run_id -> the run's JSON as runs/search prints it; emptied by every write (App.dispatch)
        self.run_text = {}
        self.add_experiment(Experiment("0", "Default", f"{artifact_root}/0",
                                       self.clock.now_ms()))

    # -- experiments ---------------------------------------------------------------------------

    def add_experiment(self, experiment):
        self.experiments[experiment.experiment_id] = experiment
        if experiment.experiment_id.isdigit():
            self.next_experiment_id = max(self.next_experiment_id,
                                          int(experiment.experiment_id) + 1)
        return experiment

    def experiment(self, experiment_id):
        experiment = self.experiments.get(str(experiment_id))
        if experiment is None:
            raise MlflowError(f"No Experiment with id={experiment_id} exists",
                              "RESOURCE_DOES_NOT_EXIST")
        return experiment

    def experiment_by_name(self, name):
        for experiment in self.experiments.values():
            if experiment.name == name:
                return experiment
        return None

    def create_experiment(self, name, artifact_location=None, tags=None):
        now = self.clock.now_ms()
        if self.experiment_by_name(name) is not None:
            raise MlflowError(
                f"Experiment(name={name}) already exists. Error: (raised as a result of "
                "Query-invoked autoflush; consider using a session.no_autoflush block if this "
                "flush is occurring prematurely)\n(sqlite3.IntegrityError) UNIQUE constraint "
                "failed: experiments.name\n[SQL: INSERT INTO experiments (name, artifact_location, "
                "lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)]\n"
                f"[parameters: {(name, artifact_location or '', 'active', now, now)!r}]\n"
                "(Background on this error at: https://sqlalche.me/e/14/gkpj)",
                "RESOURCE_ALREADY_EXISTS")
        experiment_id = str(self.next_experiment_id)
        location = artifact_location or f"{self.artifact_root}/{experiment_id}"
        return self.add_experiment(Experiment(experiment_id, name, location, now, tags=tags))

    # -- runs ----------------------------------------------------------------------------------

    def add_run(self, run):
        self.runs[run.run_id] = run
        return run

    def run(self, run_id):
        run = self.runs.get(run_id)
        if run is None:
            raise MlflowError(f"Run with id={run_id} not found", "RESOURCE_DOES_NOT_EXIST")
        return run

    def random_run_name(self):
        self.run_counter += 1
        a, b = _RUN_NAME_WORDS
        n = self.run_counter
        return f"{a[n % len(a)]}-{b[(n // len(a)) % len(b)]}-{100 + n % 900}"

    def create_run(self, experiment_id, user_id=None, start_time=None, tags=None, run_name=None):
        experiment = self.experiment(experiment_id)
        if experiment.lifecycle_stage != "active":
            raise MlflowError(f"The experiment {experiment_id} must be in the 'active' state. "
                              f"Current state is {experiment.lifecycle_stage}.")
        tags = dict(tags or {})
        if not run_name:
            run_name = tags.get("mlflow.runName") or self.random_run_name()
        run_id = stable_hex_id("run", experiment_id, run_name, self.clock.now_ms(), len(self.runs),
                               time.perf_counter_ns())
        run = Run(run_id, experiment.experiment_id, run_name, user_id if user_id is not None else "",
                  "RUNNING", start_time if start_time else self.clock.now_ms(), None,
                  f"{experiment.artifact_location}/{run_id}/artifacts")
        run.tags.update(tags)
        if "mlflow.runName" not in run.tags:
            run.tags["mlflow.runName"] = run_name
        return self.add_run(run)

    def history(self, run, key):
        points = run.series.get(key)
        if points is not None:
            return points
        if run.generator is not None and run.generator.has(key):
            return run.generator.points(key)
        return None

    def _materialize(self, run, key):
        points = run.series.get(key)
        if points is None:
            generated = self.history(run, key)
            points = list(generated) if generated else []
            run.series[key] = points
        return points

    def log_metric(self, run, key, value, timestamp, step):
        value = to_metric_value(value)
        timestamp = int(timestamp)
        step = int(step or 0)
        points = self._materialize(run, key)
        point = (value, timestamp, step)
        if points and points[-1] == point:
            return  # MLflow ignores an identical duplicate
        points.append(point)
        run.observe_latest(key, value, timestamp, step)
        self.cache.invalidate((run.run_id, key))
        self.bulk_counts.pop((run.run_id, key), None)

    def log_param(self, run, key, value):
        value = "" if value is None else str(value)
        old = run.params.get(key)
        if old is not None and old != value:
            raise MlflowError(
                "Changing param values is not allowed. Params were already logged='"
                f"{[{'key': key, 'old_value': old, 'new_value': value}]}' for run ID="
                f"'{run.run_id}'.")
        run.params[key] = value

    def history_body(self, run_id, key):
        """(cached) get-history body for a run and key; b"{}" when there is nothing."""
        cache_key = (run_id, key)
        body = self.cache.get(cache_key)
        if body is not None:
            return body
        with self.lock:
            body = self.cache.peek(cache_key)  # another thread may have just made it
            if body is not None:
                return body
            run = self.runs.get(run_id)
            if run is None:
                return b"{}"
            if key not in run.series and run.generator is not None and run.generator.has(key):
                body = run.generator.body(key)
            else:
                body = history_body(key, self.history(run, key))
            if body != b"{}":
                self.cache.put(cache_key, body)
            return body

    # -- registry ------------------------------------------------------------------------------

    def model(self, name):
        model = self.models.get(name)
        if model is None:
            raise MlflowError(f"Registered Model with name={name} not found",
                              "RESOURCE_DOES_NOT_EXIST")
        return model

    def model_version(self, name, version):
        try:
            number = int(str(version))
        except ValueError:
            raise MlflowError(f"Parameter 'version' must be an integer, got '{version}'.")
        model = self.models.get(name)
        mv = model.versions.get(number) if model is not None else None
        if mv is None or mv.deleted:
            raise MlflowError(f"Model Version (name={name}, version={version}) not found",
                              "RESOURCE_DOES_NOT_EXIST")
        return model, mv


# ----------------------------------------------------------------------------------------------
# Curves: believable, deterministic metric shapes
# ----------------------------------------------------------------------------------------------

def metric_kind(key):
    k = key.lower()
    if "learning_rate" in k or k in ("lr", "learning-rate") or k.endswith("_lr"):
        return "lr"
    if "logloss" in k:
        return "logloss"
    if "loss" in k:
        return "loss"
    if "auc" in k:
        return "auc"
    if any(w in k for w in ("acc", "f1", "precision", "recall", "score", "iou", "map")):
        return "accuracy"
    if "grad" in k or "norm" in k:
        return "grad"
    return "other"


def warmup_cosine_lr(step, peak=2e-4, warmup=50, total=600):
    return peak * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / total))


def synth_series(key, anchors, last_step, salt, ts_slope=1000):
    """A full history for steps 0..last_step that passes exactly through the known anchors
    ({step: (value, timestamp)}): a smooth base curve for the metric's kind, corrected by the
    anchors' residuals (linearly interpolated), plus small deterministic noise between anchors."""
    anchor_steps = sorted(anchors)
    if not anchor_steps:
        return []
    last_step = max(last_step, anchor_steps[-1])
    kind = metric_kind(key)
    final = anchors[anchor_steps[-1]][0]
    span = max(1, last_step)
    if final != final:
        final = 0.0
    if kind == "lr":
        def base(s):
            return warmup_cosine_lr(s, total=span + 1)
        noise_rel, noise_abs = 0.0, 0.0
    else:
        if kind == "loss":
            start = final + 1.8 + 0.3 * unit_hash(salt, "start")
        elif kind == "logloss":
            start = 0.693
        elif kind == "accuracy":
            start = 0.1
        elif kind == "auc":
            start = 0.5
        elif kind == "grad":
            start = final * 6 + 1.0
        else:
            start = final * 2 + 0.5
        tau = span * (0.18 + 0.12 * unit_hash(salt, "tau"))
        decay_end = math.exp(-span / tau)

        def base(s):
            # normalised so that base(last_step) == final and base(0) == start
            w = (math.exp(-s / tau) - decay_end) / (1 - decay_end)
            return final + (start - final) * w
        noise_rel = 0.015 if kind in ("loss", "logloss", "grad", "other") else 0.0
        noise_abs = 0.006 if kind in ("accuracy", "auc") else 0.0
    residual = {s: anchors[s][0] - base(s) if anchors[s][0] == anchors[s][0] else 0.0
                for s in anchor_steps}
    ts_known = [(s, anchors[s][1]) for s in anchor_steps]
    salt_int = int(unit_hash(salt, "noise") * 4294967295)
    points = []
    for s in range(0, last_step + 1):
        if s in anchors:
            points.append((anchors[s][0], anchors[s][1], s))
            continue
        i = bisect.bisect_left(anchor_steps, s)
        if i == 0:
            first = anchor_steps[0]
            r = residual[first] * (s / first) if first > 0 else residual[first]
            ts = ts_known[0][1] - (first - s) * ts_slope
        elif i >= len(anchor_steps):
            r = residual[anchor_steps[-1]]
            ts = ts_known[-1][1] + (s - anchor_steps[-1]) * ts_slope
        else:
            s0, s1 = anchor_steps[i - 1], anchor_steps[i]
            f = (s - s0) / (s1 - s0)
            r = residual[s0] * (1 - f) + residual[s1] * f
            ts = int(round(ts_known[i - 1][1] + (ts_known[i][1] - ts_known[i - 1][1]) * f))
        v = base(s) + r
        n = step_noise(salt_int, s)
        v = v * (1 + 2 * noise_rel * n) + 2 * noise_abs * n
        if kind in ("accuracy", "auc"):
            v = min(max(v, 0.0), 1.0)
        elif kind in ("loss", "logloss", "grad", "lr"):
            v = max(v, 0.0)
        points.append((v, int(ts), s))
    return points


_NOISE_TABLE = []
_NOISE_MASK = 0xFFFF
_NOISE_LOCK = threading.Lock()


def noise_table():
    """65,536 deterministic noise values in [-0.5, 0.5); series index it at their own offset."""
    if not _NOISE_TABLE:
        with _NOISE_LOCK:
            if not _NOISE_TABLE:
                _NOISE_TABLE.extend([step_noise(0x5EED1E55, i) for i in range(_NOISE_MASK + 1)])
    return _NOISE_TABLE


class GeneratedCurves:
    """Closed-form curves of a generated workspace. values() is one list comprehension used both
    for a whole series and for the single latest point, so the two always agree exactly. Values
    are rounded to short decimals (6 places; 10 for learning rates), which keeps serialization
    fast."""

    def __init__(self, seed, run_index, key, steps):
        self.key = key
        self.kind = metric_kind(key)
        self.steps = steps
        u = [unit_hash(seed, run_index, key, j) for j in range(6)]
        self.offset = int(u[5] * (_NOISE_MASK + 1))
        span = max(1, steps - 1)
        self.inv_span = 1.0 / span
        self.overfit = 0.0
        if self.kind in ("loss", "logloss"):
            init = 2.0 + 0.8 * u[0] if self.kind == "loss" else 0.693
            final = 0.12 + 0.5 * u[1] if self.kind == "loss" else 0.15 + 0.1 * u[1]
            if key.startswith("val"):
                final += 0.1
                self.overfit = 0.25 * u[4]
            tau, amp = span * (0.1 + 0.25 * u[2]), 0.02 + 0.04 * u[3]
        elif self.kind in ("accuracy", "auc"):
            init = 0.1 if self.kind == "accuracy" else 0.5
            final = 0.72 + 0.26 * u[1] - (0.04 if key.startswith("val") else 0.0)
            tau, amp = span * (0.08 + 0.25 * u[2]), 0.006 + 0.012 * u[3]
        elif self.kind == "lr":
            init, final = 1e-4 + 9e-4 * u[0], 0.0  # peak
            tau, amp = max(1.0, span * 0.05), 0.0  # warmup steps
        elif self.kind == "grad":
            init, final = 4.0 + 6 * u[0], 0.3 + 0.5 * u[1]
            tau, amp = span * (0.05 + 0.2 * u[2]), 0.15 + 0.2 * u[3]
        else:
            init, final = 1.0 + 4 * u[0], 0.2 * u[1]
            tau, amp = span * (0.1 + 0.4 * u[2]), 0.03 + 0.05 * u[3]
            self.overfit = 0.05 * u[4]
        self.init, self.final, self.tau, self.amp = init, final, tau, amp

    def values(self, steps):
        exp, noise, off, mask = math.exp, noise_table(), self.offset, _NOISE_MASK
        fin, rise, inv, a2 = self.final, self.init - self.final, 1.0 / self.tau, 2 * self.amp
        kind = self.kind
        if kind == "lr":
            peak, warm, cos, w = self.init, self.tau, math.cos, math.pi / (1.0 / self.inv_span + 1)
            raw = [peak * min(1.0, (s + 1) / warm) * 0.5 * (1 + cos(w * s)) for s in steps]
            return [int(v * 1e10 + 0.5) / 1e10 for v in raw]
        if kind in ("accuracy", "auc"):
            raw = [fin + rise * exp(-s * inv) + a2 * noise[(off + s) & mask] for s in steps]
            return [(int(v * 1e6 + 0.5) / 1e6 if v < 1.0 else 1.0) if v > 0.0 else 0.0
                    for v in raw]
        of, ispan = self.overfit, self.inv_span
        if kind == "other":
            period = 7.0 + 1.0 / (40.0 * ispan)
            amp_sin, sin = 0.1 * self.init, math.sin
            raw = [(fin + rise * exp(-s * inv) + amp_sin * sin(s / period)
                    + (of * (s * ispan - 0.6) if s * ispan > 0.6 else 0.0))
                   * (1 + a2 * noise[(off + s) & mask]) for s in steps]
        elif of:
            raw = [(fin + rise * exp(-s * inv) + (of * (s * ispan - 0.6) if s * ispan > 0.6
                                                  else 0.0))
                   * (1 + a2 * noise[(off + s) & mask]) for s in steps]
        else:
            raw = [(fin + rise * exp(-s * inv)) * (1 + a2 * noise[(off + s) & mask])
                   for s in steps]
        return [int(v * 1e6 + 0.5) / 1e6 if v > 0.0 else 0.0 for v in raw]

    def value(self, step):
        return self.values((step,))[0]


class _TailCache:
    """Serialized '"timestamp": ..., "step": ...' tails of history entries, shared by all the
    metrics of a run (same start time and steps); a few runs' worth are kept."""

    def __init__(self, capacity=64):
        self.capacity = capacity
        self.lock = threading.Lock()
        self.entries = collections.OrderedDict()

    def get(self, start_time, count):
        cache_key = (start_time, count)
        with self.lock:
            tails = self.entries.get(cache_key)
            if tails is not None:
                self.entries.move_to_end(cache_key)
                return tails
        tails = [f',\n      "timestamp": {start_time + s * 1000},\n      "step": {s}\n    }}'
                 for s in range(count)]
        with self.lock:
            self.entries[cache_key] = tails
            while len(self.entries) > self.capacity:
                self.entries.popitem(last=False)
        return tails


_TAILS = _TailCache()


class RunGenerator:
    """Lazy histories of one generated run: timestamps are start_time + 1000 ms per step."""

    __slots__ = ("curves", "start_time", "steps")

    def __init__(self, curves, start_time, steps):
        self.curves = curves
        self.start_time = start_time
        self.steps = steps

    def has(self, key):
        return key in self.curves

    def points(self, key):
        curve = self.curves.get(key)
        if curve is None:
            return None
        t0 = self.start_time
        return [(v, t0 + s * 1000, s) for s, v in enumerate(curve.values(range(self.steps)))]

    def body(self, key):
        """The get-history body, the same bytes history_body() would make, only faster."""
        curve = self.curves.get(key)
        if curve is None:
            return None
        values = curve.values(range(self.steps))
        tails = _TAILS.get(self.start_time, self.steps)
        head = '    {\n      "key": ' + json.dumps(key) + ',\n      "value": '
        items = ",\n" + head
        text = items.join([r + t for r, t in zip(map(float.__repr__, values), tails)])
        return ('{\n  "metrics": [\n' + head + text + "\n  ]\n}").encode("ascii")


# ----------------------------------------------------------------------------------------------
# Generated workspace
# ----------------------------------------------------------------------------------------------

GENERATED_EXPERIMENT_NAMES = ("cifar10-resnet", "fraud-detection-xgb", "llm-finetune",
                              "churn-prediction", "speech-asr", "recsys-two-tower",
                              "demand-forecast", "object-detection")
GENERATED_METRICS = ("loss", "val_loss", "accuracy", "val_accuracy", "learning_rate", "f1",
                     "precision", "recall", "auc", "grad_norm")
GENERATED_PARAMS = (
    ("lr", ("0.1", "0.05", "0.01", "0.005", "0.001", "0.0005")),
    ("batch_size", ("32", "64", "128", "256")),
    ("optimizer", ("adam", "sgd", "adamw")),
    ("depth", ("18", "34", "50", "101")),
    ("dropout", ("0.0", "0.1", "0.2", "0.3")),
    ("weight_decay", ("0.0", "0.0001", "0.001")),
    ("scheduler", ("cosine", "step", "linear")),
    ("warmup_steps", ("0", "100", "500")),
    ("augment", ("none", "flip", "randaugment")),
    ("precision", ("fp32", "bf16", "fp16")),
)
GENERATED_USERS = ("alice", "bob", "carol", "dave")
GENERATED_BASE_TIME = 1795000000000
DEFAULT_GENERATE = {"experiments": 3, "runs": 100, "metrics": 4, "steps": 500, "params": 5,
                    "seed": 1}


def parse_generate_spec(text):
    spec = dict(DEFAULT_GENERATE)
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in spec:
            raise ValueError(f"unknown --generate item {part!r}; expected one of "
                             f"{', '.join(sorted(spec))} as name=value")
        spec[name] = int(value)
    if spec["experiments"] < 1 or spec["runs"] < 0 or spec["metrics"] < 0 or spec["steps"] < 1 \
            or spec["params"] < 0:
        raise ValueError("--generate needs experiments>=1, runs>=0, metrics>=0, steps>=1, "
                         "params>=0")
    return spec


def generated_metric_names(count):
    names = list(GENERATED_METRICS[:count])
    names += [f"metric_{j}" for j in range(len(names), count)]
    return names


def build_generated_workspace(spec, workspace=None):
    """A deterministic workspace: spec["runs"] runs in contiguous blocks over spec["experiments"]
    experiments (plus Default), each with spec["metrics"] lazily generated histories of exactly
    spec["steps"] steps, spec["params"] params, a few tags, a small
    sweep of parent/child runs every 20 runs, dataset inputs, and a registry."""
    ws = workspace or Workspace()
    default = ws.experiments.get("0")
    if default is not None:
        default.creation_time = default.last_update_time = GENERATED_BASE_TIME - 86_400_000
    seed = spec["seed"]
    n_exp, n_runs, steps = spec["experiments"], spec["runs"], spec["steps"]
    metric_names = generated_metric_names(spec["metrics"])
    experiments = []
    for e in range(n_exp):
        name = (GENERATED_EXPERIMENT_NAMES[e] if e < len(GENERATED_EXPERIMENT_NAMES)
                else f"experiment-{e + 1}")
        created = GENERATED_BASE_TIME + e * 3_600_000
        experiment = Experiment(str(e + 1), name, f"{ws.artifact_root}/{e + 1}", created,
                                tags={"team": ("vision", "risk", "nlp", "growth")[e % 4]})
        ws.add_experiment(experiment)
        experiments.append(experiment)
    running_from = n_runs - max(1, n_runs // 100) if n_runs else 0
    parent_of_block = {}
    for i in range(n_runs):
        e = min(n_exp - 1, i * n_exp // max(1, n_runs))
        experiment = experiments[e]
        run_id = stable_hex_id("generated-run", seed, i)
        start = GENERATED_BASE_TIME + 86_400_000 + i * 60_000
        if i >= running_from:
            status = "RUNNING"
        elif i % 17 == 5:
            status = "FAILED"
        elif i % 23 == 7:
            status = "KILLED"
        else:
            status = "FINISHED"
        run_steps = steps  # every history has exactly `steps` points, whatever the status
        end = None if status == "RUNNING" else start + run_steps * 1000
        user = GENERATED_USERS[int(unit_hash(seed, i, "user") * len(GENERATED_USERS))]
        prefix = experiment.name.split("-")[0]
        run_name = f"{prefix}-{i:05d}"
        run = Run(run_id, experiment.experiment_id, run_name, user, status, start, end,
                  f"{experiment.artifact_location}/{run_id}/artifacts")
        for p in range(spec["params"]):
            if p < len(GENERATED_PARAMS):
                pname, choices = GENERATED_PARAMS[p]
                run.params[pname] = choices[int(unit_hash(seed, i, pname) * len(choices))]
            else:
                run.params[f"param_{p}"] = str(int(unit_hash(seed, i, p) * 1000))
        run.tags["mlflow.user"] = user
        run.tags["mlflow.source.name"] = "train.py"
        run.tags["mlflow.source.type"] = "LOCAL"
        run.tags["model_family"] = ("resnet", "xgboost", "llama", "gbdt")[e % 4]
        block = i // 20
        if i % 20 == 0:
            run.tags["sweep"] = "true"
            parent_of_block[block] = (run_id, experiment.experiment_id)
        elif i % 20 in (1, 2, 3):
            parent = parent_of_block.get(block)
            if parent is not None and parent[1] == experiment.experiment_id:
                run.tags["mlflow.parentRunId"] = parent[0]
        run.tags["mlflow.runName"] = run_name
        half = "v1" if (i * n_exp) % max(1, n_runs) < n_runs / 2 else "v2"
        for context, split in (("training", "train"), ("evaluation", "eval")):
            ds_name = f"{prefix}-{split}"
            run.inputs.append({
                "tags": [{"key": "mlflow.data.context", "value": context}],
                "dataset": {
                    "name": ds_name,
                    "digest": stable_hex_id("dataset", seed, ds_name, half)[:8],
                    "source_type": "local",
                    "source": json.dumps({"uri": f"file:///data/{prefix}/{split}-{half}.parquet"}),
                    "schema": json.dumps({"mlflow_colspec": [
                        {"type": "double", "name": "x", "required": True},
                        {"type": "long", "name": "label", "required": True}]}),
                    "profile": json.dumps({"num_rows": 1000 if split == "train" else 250}),
                },
            })
        curves = {}
        last = run_steps - 1
        for key in metric_names:
            curve = GeneratedCurves(seed, i, key, run_steps)
            curves[key] = curve
            run.latest[key] = (curve.value(last), start + last * 1000, last)
        run.generator = RunGenerator(curves, start, run_steps)
        ws.add_run(run)
    _generate_registry(ws, experiments, seed)
    return ws


def _generate_registry(ws, experiments, seed):
    for e, experiment in enumerate(experiments[:3]):
        runs = [r for r in ws.runs.values()
                if r.experiment_id == experiment.experiment_id and r.status == "FINISHED"]
        if not runs:
            continue
        name = f"{experiment.name.split('-')[0]}-classifier"
        created = experiment.creation_time + 7 * 86_400_000
        model = RegisteredModel(name, created, description=f"Models trained in {experiment.name}",
                                tags={"owner": experiment.tags.get("team", "ml")})
        chosen = runs[-3:]
        stages = ("Archived", "Production", "Staging")[-len(chosen):]
        for v, (run, stage) in enumerate(zip(chosen, stages), start=1):
            ts = created + v * 60_000
            mv = ModelVersion(name, v, ts, ts + 30_000, current_stage=stage,
                              description=f"version from run {run.run_name}",
                              source=f"runs:/{run.run_id}/model", run_id=run.run_id,
                              tags={"validation_status": "approved" if stage != "Staging"
                                    else "pending"})
            model.versions[v] = mv
            model.last_updated_timestamp = max(model.last_updated_timestamp,
                                               mv.last_updated_timestamp)
        if len(chosen) >= 2:
            model.aliases["champion"] = len(chosen) - 1
        if len(chosen) >= 3:
            model.aliases["challenger"] = len(chosen)
        ws.models[name] = model


# ----------------------------------------------------------------------------------------------
# Fixture workspace
# ----------------------------------------------------------------------------------------------

def parse_fixture_readme(path):
    """Entries of the fixtures' README.txt: dicts with name, method, path, body, status, ctype."""
    entries = []
    current = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith(" ") and re.fullmatch(r"[\w.\-]+\.(json|txt|html)",
                                                                 line):
                current = {"name": line}
                entries.append(current)
                continue
            if current is None:
                continue
            m = re.fullmatch(r"    (GET|POST|PUT|PATCH|DELETE) (\S+)", line)
            if m:
                current["method"], current["path"] = m.group(1), m.group(2)
                continue
            m = re.fullmatch(r"    body:   (.*)", line)
            if m:
                current["body"] = None if m.group(1) == "-" else m.group(1)
                continue
            m = re.fullmatch(r"    status: (\d+)\s+content-type: (.*)", line)
            if m:
                current["status"], current["ctype"] = int(m.group(1)), m.group(2).strip()
    return [e for e in entries if "method" in e and "status" in e]


_FIXTURE_XGB = [
    # name, run id (None: derived), start_time, end_time, max_depth, eta, n_estimators, data_version,
    # train_auc, val_auc, logloss (values at step 199), final_val_auc, logged a model
    ("xgb-00", "367088a278a74818bfd26131b9a5ac43", 1795700049301, 1795700049462, "4", "0.1", "300",
     "v1", 0.9387311251104093, 0.8807246107126422, 0.1723389140516851, 0.884, True),
    ("xgb-01", None, 1795700049479, 1795700049615, "5", "0.05", "350", "v1",
     0.9412087630290518, 0.8732214493306187, 0.1798450771862613, 0.877, False),
    ("xgb-02", "8847045a35744267acdacd928a06067b", 1795700049628, 1795700049801, "6", "0.15", "400",
     "v1", 0.9511624049823371, 0.8855601830211744, 0.1631174402856208, 0.889, True),
    ("xgb-03", None, 1795700049814, 1795700049947, "3", "0.05", "450", "v1",
     0.9198764230917754, 0.8648273319265806, 0.2114630828431069, 0.868, False),
    ("xgb-05", None, 1795700050231, 1795700050396, "4", "0.15", "350", "v2",
     0.9356018127714216, 0.8701546633192852, 0.1880726654327417, 0.873, False),
    ("xgb-06", None, 1795700050410, 1795700050622, "5", "0.1", "400", "v2",
     0.9448335102684951, 0.8674059172210486, 0.1847365210952278, 0.871, False),
    ("xgb-07", None, 1795700050637, 1795700050831, "6", "0.05", "450", "v2",
     0.9478129304761832, 0.8589441287503311, 0.1951637026185914, 0.862, False),
]
_FIXTURE_LLM = [
    # run id, name, start_time, lora_r
    ("fd4f6e4973cd4908b2833d1593ebce78", "llama-7b-lora-r8", 1795527246764, "8"),
    ("610487fce107478fafd1db09bce19d2c", "llama-7b-lora-r16", 1795534446764, "16"),
    ("4dc00dd44e184b5685496e02799f2c0a", "llama-7b-lora-r32", 1795541646764, "32"),
]
_FIXTURE_LLM_FINAL_LOSS = {"4dc00dd44e184b5685496e02799f2c0a": 1.0512663107385528}


def _query_of(path):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query, keep_blank_values=True)


def _load_json(path):
    with open(path, "rb") as fh:
        return json.loads(fh.read())


def build_fixture_workspace(fixtures_dir, workspace=None):
    """The recorded data set: everything the fixture responses show, in the state it had before
    the recorded write requests, completed with synthesized histories and the runs the responses
    only refer to, so that replaying README.txt in order gives the recorded answers."""
    entries = parse_fixture_readme(os.path.join(fixtures_dir, "README.txt"))
    ws = workspace or Workspace()
    ws.experiments.clear()
    ws.next_experiment_id = 1
    bodies = {}
    for entry in entries:
        if entry["name"].endswith(".json") and entry["status"] == 200:
            try:
                bodies[entry["name"]] = _load_json(os.path.join(fixtures_dir, entry["name"]))
            except (OSError, ValueError):
                continue
    frozen = 0

    def scan_times(obj):
        nonlocal frozen
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in ("last_updated_timestamp", "last_update_time") and isinstance(v, int):
                    frozen = max(frozen, v)
                else:
                    scan_times(v)
        elif isinstance(obj, list):
            for v in obj:
                scan_times(v)

    # Experiments
    for entry in entries:
        body = bodies.get(entry["name"])
        if not isinstance(body, dict):
            continue
        found = list(body.get("experiments", []))
        if "experiment" in body:
            found.append(body["experiment"])
        for e in found:
            if e["experiment_id"] in ws.experiments:
                continue
            ws.add_experiment(Experiment(
                e["experiment_id"], e["name"], e["artifact_location"], e["creation_time"],
                e.get("last_update_time"), e.get("lifecycle_stage", "active"),
                {t["key"]: t["value"] for t in e.get("tags", [])}))
    # Order experiments by id so that listing order is stable
    ws.experiments = dict(sorted(ws.experiments.items(), key=lambda kv: int(kv[0])
                                 if kv[0].isdigit() else 0))

    # Runs: the first appearance (in README order) is the state before any recorded write
    for entry in entries:
        body = bodies.get(entry["name"])
        if not isinstance(body, dict):
            continue
        found = list(body.get("runs", []))
        if isinstance(body.get("run"), dict):
            found.append(body["run"])
        for r in found:
            info = r["info"]
            if info["run_id"] in ws.runs:
                continue
            run = Run(info["run_id"], info["experiment_id"], info.get("run_name"),
                      info.get("user_id"), info["status"], info.get("start_time"),
                      info.get("end_time"), info["artifact_uri"], info.get("lifecycle_stage",
                                                                         "active"))
            data = r.get("data", {})
            for m in data.get("metrics", []):
                run.latest[m["key"]] = (to_metric_value(m["value"]), m["timestamp"], m["step"])
            run.params.update({p["key"]: p["value"] for p in data.get("params", [])})
            run.tags.update({t["key"]: t["value"] for t in data.get("tags", [])})
            for di in r.get("inputs", {}).get("dataset_inputs", []):
                run.inputs.append({"tags": list(di.get("tags", [])), "dataset": dict(di["dataset"])})
            ws.add_run(run)

    # Histories: whole ones from get-history, anchor points from the bulk endpoints
    full = {}
    anchors = collections.defaultdict(dict)
    for entry in entries:
        body = bodies.get(entry["name"])
        if not isinstance(body, dict) or entry["method"] != "GET":
            continue
        route = urllib.parse.urlsplit(entry["path"]).path
        query = _query_of(entry["path"])
        if route.endswith("/metrics/get-history"):
            run_id = query.get("run_id", [""])[0]
            key = query.get("metric_key", [""])[0]
            if run_id in ws.runs and body.get("metrics"):
                full[(run_id, key)] = [(to_metric_value(m["value"]), m["timestamp"], m["step"])
                                       for m in body["metrics"]]
        elif route.endswith("/metrics/get-history-bulk-interval") or route.endswith(
                "/metrics/get-history-bulk"):
            for m in body.get("metrics", []):
                anchors[(m["run_id"], m["key"])][m["step"]] = (to_metric_value(m["value"]),
                                                               m["timestamp"])

    # Registry: first appearance wins (state before the recorded writes)
    for entry in entries:
        body = bodies.get(entry["name"])
        if not isinstance(body, dict):
            continue
        rms = list(body.get("registered_models", []))
        if isinstance(body.get("registered_model"), dict):
            rms.append(body["registered_model"])
        for rm in rms:
            model = ws.models.get(rm["name"])
            if model is None:
                model = RegisteredModel(rm["name"], rm["creation_timestamp"],
                                        rm.get("last_updated_timestamp"), rm.get("description"),
                                        {t["key"]: t["value"] for t in rm.get("tags", [])})
                for a in rm.get("aliases", []):
                    model.aliases[a["alias"]] = int(a["version"])
                ws.models[rm["name"]] = model
            for mv in rm.get("latest_versions", []):
                _fixture_model_version(ws, mv)
        mvs = list(body.get("model_versions", []))
        if isinstance(body.get("model_version"), dict):
            mvs.append(body["model_version"])
        for mv in mvs:
            _fixture_model_version(ws, mv)
    scan_times([bodies[name] for name in bodies])
    ws.models = dict(sorted(ws.models.items()))

    # Artifacts of runs
    for entry in entries:
        route = urllib.parse.urlsplit(entry["path"]).path
        query = _query_of(entry["path"])
        if route.endswith("/artifacts/list") and entry["name"] in bodies:
            run = ws.runs.get(query.get("run_id", [""])[0])
            for f in bodies[entry["name"]].get("files", []):
                if run is not None and not f.get("is_dir"):
                    run.artifacts.setdefault(f["path"], _filler_artifact(f["path"],
                                                                         f.get("file_size", 0)))
    for entry in entries:
        route = urllib.parse.urlsplit(entry["path"]).path
        if route == "/get-artifact" and entry["status"] == 200:
            query = _query_of(entry["path"])
            run = ws.runs.get(query.get("run_uuid", query.get("run_id", [""]))[0])
            raw = os.path.join(fixtures_dir, "raw", entry["name"].rsplit(".", 1)[0] + ".body")
            if run is not None and os.path.exists(raw):
                with open(raw, "rb") as fh:
                    run.artifacts[query.get("path", [""])[0]] = fh.read()

    _supplement_fixture_runs(ws, anchors)

    # Whole histories for every metric of every run
    for run in ws.runs.values():
        for key, (value, ts, step) in run.latest.items():
            if (run.run_id, key) in full:
                run.series[key] = full[(run.run_id, key)]
                continue
            known = dict(anchors.get((run.run_id, key), {}))
            known[step] = (value, ts)
            if metric_kind(key) == "lr" and step > 0:
                # learning-rate schedules are exact formulas: recorded points match them
                for s in range(step + 1):
                    known.setdefault(s, (warmup_cosine_lr(s, total=step + 1), ts - (step - s) * 1000))
            run.series[key] = synth_series(key, known, step, salt=f"{run.run_id}/{key}")
    ws.clock.frozen_ms = frozen or None
    return ws


def _fixture_model_version(ws, mv):
    model = ws.models.get(mv["name"])
    if model is None:
        model = RegisteredModel(mv["name"], mv["creation_timestamp"])
        ws.models[mv["name"]] = model
    version = int(mv["version"])
    if version in model.versions:
        return
    model.versions[version] = ModelVersion(
        mv["name"], version, mv["creation_timestamp"], mv.get("last_updated_timestamp"),
        mv.get("current_stage", "None"), mv.get("description"), mv.get("source"), mv.get("run_id"),
        mv.get("status", "READY"), {t["key"]: t["value"] for t in mv.get("tags", [])},
        mv.get("run_link"), mv.get("user_id"), mv.get("status_message"))


def _filler_artifact(path, size):
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".yaml", ".yml", ".txt")):
        text = f"# {name}\n" + "".join(f"- dependency-{i}\n" for i in range(64))
        data = text.encode("ascii")
    else:
        data = hashlib.sha256(path.encode()).digest() * (size // 32 + 1)
    return data[:size].ljust(size, b"\n")


def _supplement_fixture_runs(ws, anchors):
    """Runs the recorded responses refer to (model version sources, bulk history requests) or
    imply (xgb-00..xgb-09) but never show: invented, deterministic, consistent with what is shown."""
    fraud = ws.experiment_by_name("fraud-detection-xgb")
    template = None
    if fraud is not None:
        template = next((r for r in ws.runs.values()
                         if r.experiment_id == fraud.experiment_id and r.inputs), None)
    if fraud is not None and template is not None:
        for (name, run_id, start, end, depth, eta, n_est, data_version, train_auc, val_auc,
             logloss, final_auc, has_model) in _FIXTURE_XGB:
            run_id = run_id or stable_hex_id("fixture-run", fraud.name, name)
            if run_id in ws.runs:
                continue
            run = Run(run_id, fraud.experiment_id, name, "root", "FINISHED", start, end,
                      f"{fraud.artifact_location}/{run_id}/artifacts")
            base_ts = start + 40 + 199_000
            run.latest["train_auc"] = (train_auc, base_ts, 199)
            run.latest["val_auc"] = (val_auc, base_ts, 199)
            run.latest["logloss"] = (logloss, base_ts, 199)
            run.latest["final_val_auc"] = (final_auc, end - 9, 0)
            run.params.update({"max_depth": depth, "eta": eta, "n_estimators": n_est,
                               "objective": "binary:logistic"})
            run.tags.update({"mlflow.user": "root",
                             "mlflow.source.name": "/srv/mlflow/jobs/populate.py",
                             "mlflow.source.type": "LOCAL", "mlflow.runName": name,
                             "model_family": "xgboost", "data_version": data_version})
            if has_model:
                model_uuid = stable_hex_id("model", run_id)
                created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime((end - 30) / 1000))
                created += f".{(end - 30) % 1000:03d}412"
                history = template.tags.get("mlflow.log-model.history")
                if history:
                    entry = json.loads(history)
                    for item in entry:
                        item["run_id"] = run_id
                        item["model_uuid"] = model_uuid
                        item["utc_time_created"] = created
                    run.tags["mlflow.log-model.history"] = json.dumps(entry)
                for path, content in _model_artifacts_like(ws, run_id, model_uuid, created).items():
                    run.artifacts[path] = content
            run.inputs = [{"tags": list(i["tags"]), "dataset": dict(i["dataset"])}
                          for i in template.inputs]
            ws.add_run(run)
    llm = ws.experiment_by_name("llm-finetune")
    if llm is not None:
        for run_id, name, start, rank in _FIXTURE_LLM:
            if run_id in ws.runs:
                continue
            run = Run(run_id, llm.experiment_id, name, "bob", "FINISHED", start, start + 600_000,
                      f"{llm.artifact_location}/{run_id}/artifacts")
            loss_anchors = anchors.get((run_id, "loss"), {})
            if 599 in loss_anchors:
                value, ts = loss_anchors[599]
            else:
                value, ts = _FIXTURE_LLM_FINAL_LOSS.get(run_id, 1.1), start + 599_000
            run.latest["loss"] = (value, ts, 599)
            run.latest["learning_rate"] = (warmup_cosine_lr(599), start + 599_000, 599)
            run.params.update({"base_model": "llama-2-7b", "lora_r": rank, "lr": "0.0002",
                               "max_steps": "600", "warmup_steps": "50"})
            run.tags.update({"model_family": "llama", "mlflow.user": "bob",
                             "mlflow.source.name": "finetune.py", "mlflow.source.type": "LOCAL",
                             "mlflow.runName": name})
            ws.add_run(run)
    # Keep each experiment's runs in start-time order, as a database listing would be
    ws.runs = dict(sorted(ws.runs.items(), key=lambda kv: (kv[1].start_time or 0, kv[0])))


def _model_artifacts_like(ws, run_id, model_uuid, created):
    """A model/ folder like the recorded one, for a run that logged a model too."""
    source = next((r for r in ws.runs.values() if "model/MLmodel" in r.artifacts), None)
    if source is None:
        return {}
    out = {}
    for path, content in source.artifacts.items():
        if path == "model/MLmodel":
            text = content.decode("utf-8")
            text = re.sub(r"run_id: \w+", f"run_id: {run_id}", text)
            text = re.sub(r"model_uuid: \w+", f"model_uuid: {model_uuid}", text)
            text = re.sub(r"utc_time_created: '[^']*'", f"utc_time_created: '{created}'", text)
            content = text.encode("utf-8")
        out[path] = content
    return out


# ----------------------------------------------------------------------------------------------
# MLflow handlers
# ----------------------------------------------------------------------------------------------

class Response:
    """`body` is bytes, or a list of bytes sent one after the other without joining them."""
    __slots__ = ("status", "ctype", "body", "headers")

    def __init__(self, status, ctype, body, headers=None):
        self.status = status
        self.ctype = ctype
        self.body = body
        self.headers = headers or []


def ok(obj):
    return Response(200, CT_JSON, pretty_json(obj))


def error_response(err):
    return Response(err.status, CT_JSON, compact_json({"error_code": err.code,
                                                        "message": err.message}))


def _view_type(value, default="ACTIVE_ONLY"):
    if value is None or value == "":
        return default
    text = str(value).strip().upper()
    mapping = {"1": "ACTIVE_ONLY", "2": "DELETED_ONLY", "3": "ALL"}
    text = mapping.get(text, text)
    if text not in ("ACTIVE_ONLY", "DELETED_ONLY", "ALL"):
        raise MlflowError(f"Invalid view type '{value}'")
    return text


def _stage_matches(view, lifecycle_stage):
    if view == "ALL":
        return True
    if view == "DELETED_ONLY":
        return lifecycle_stage == "deleted"
    return lifecycle_stage == "active"


def _key_values(items):
    out = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item:
            out[str(item["key"])] = "" if item.get("value") is None else str(item.get("value"))
    return out


def _positive_max_results(raw, maximum, name="max_results"):
    if raw is None or raw == "":
        raw = 0
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise MlflowError(f"Invalid value {raw} for parameter '{name}' supplied. It must be a "
                          "positive integer")
    if number < 1:
        raise MlflowError(f"Invalid value {number} for parameter '{name}' supplied. It must be a "
                          "positive integer")
    if number > maximum:
        raise MlflowError(f"Invalid value {number} for parameter '{name}' supplied. It must be at "
                          f"most {maximum}")
    return number


def _sort_runs(runs, orders):
    """MLflow's SQL ordering: per clause (missing/NaN last whatever the direction, then the
    value), then start_time DESC unless ordered by it, then run_uuid."""
    runs = sorted(runs, key=lambda r: r.run_id)
    if not any(kind == "attribute" and key in ("start_time", "created", "Created")
               for kind, key, _ in orders):
        runs.sort(key=lambda r: (r.start_time is None, -(r.start_time or 0)))
    for kind, key, ascending in reversed(orders):
        def value_of(run, kind=kind, key=key):
            if kind == "metric":
                entry = run.latest.get(key)
                if entry is None:
                    return 2, None
                return (1, None) if entry[0] != entry[0] else (0, entry[0])
            if kind == "param":
                v = run.params.get(key)
            elif kind == "tag":
                v = run.tags.get(key)
            else:
                field = RUN_NUMERIC_ATTRIBUTES.get(key, key)
                v = getattr(run, field)
            return (1, None) if v is None else (0, v)
        keyed = [(value_of(r), r) for r in runs]
        present = [(v[1], r) for v, r in keyed if v[0] == 0]
        present.sort(key=lambda x: x[0], reverse=not ascending)
        nan = [r for v, r in keyed if v[0] == 1]
        missing = [r for v, r in keyed if v[0] == 2]
        runs = [r for _, r in present] + nan + missing
    return runs


def _dataset_join_failure(kinds, dataset_clauses, experiment_ids, view, max_results, offset):
    """The 503 a real 2.17.2 server answers when dataset filters are combined with metric, param
    or tag filters (a broken SQL join)."""
    other = next(c for c in kinds if c[0] in ("tag", "param", "metric"))
    kind, key, comparator, value = other
    table = {"tag": "tags", "param": "params", "metric": "latest_metrics"}[kind]
    sql_comparator = comparator if comparator not in ("LIKE", "ILIKE") else "LIKE"
    raw_value = value[1]
    if kind == "metric":
        raw_value = float(raw_value)
    dataset_where = " AND ".join(f"datasets.{k} = ?" if k != "context" else "inputs.value = ?"
                                 for k, _, _, _ in dataset_clauses)
    stages = {"ACTIVE_ONLY": ("active",), "DELETED_ONLY": ("deleted",),
              "ALL": ("active", "deleted")}[view]
    params = ((key, raw_value) + tuple(v for _, _, _, v in dataset_clauses)
              + tuple(experiment_ids) + stages + (max_results, offset))
    return MlflowError(
        "(sqlite3.OperationalError) no such column: anon_1.destination_id\n"
        "[SQL: SELECT DISTINCT runs.run_uuid, runs.name, runs.source_type, runs.source_name, "
        "runs.entry_point_name, runs.user_id, runs.status, runs.start_time, runs.end_time, "
        "runs.deleted_time, runs.source_version, runs.lifecycle_stage, runs.artifact_uri, "
        f"runs.experiment_id \nFROM runs JOIN (SELECT {table}.\"key\" AS \"key\", {table}.value AS "
        f"value, {table}.run_uuid AS run_uuid \nFROM {table} \nWHERE {table}.\"key\" = ? AND "
        f"{table}.value {sql_comparator} ?) AS anon_1 ON runs.run_uuid = anon_1.run_uuid JOIN "
        "(SELECT datasets.dataset_uuid AS dataset_uuid, datasets.experiment_id AS experiment_id, "
        "datasets.name AS name, datasets.digest AS digest, datasets.dataset_source_type AS "
        "dataset_source_type, datasets.dataset_source AS dataset_source, datasets.dataset_schema "
        "AS dataset_schema, datasets.dataset_profile AS dataset_profile, inputs.input_uuid AS "
        "input_uuid, inputs.source_type AS source_type, inputs.source_id AS source_id, "
        "inputs.destination_type AS destination_type, inputs.destination_id AS destination_id "
        f"\nFROM datasets JOIN inputs ON inputs.source_id = datasets.dataset_uuid \nWHERE "
        f"{dataset_where}) AS anon_2 ON runs.run_uuid = anon_1.destination_id \nWHERE "
        f"runs.experiment_id IN ({', '.join('?' for _ in experiment_ids)}) AND "
        f"runs.lifecycle_stage IN ({', '.join('?' for _ in stages)}) ORDER BY runs.start_time "
        f"DESC, runs.run_uuid\n LIMIT ? OFFSET ?]\n[parameters: {params!r}]\n"
        "(Background on this error at: https://sqlalche.me/e/14/e3q8)",
        "TEMPORARILY_UNAVAILABLE")


DATASET_ORDER_FAILURE = (
    "Can't determine which FROM clause to join from, there are multiple FROMS which can join to "
    "this entity. Please use the .select_from() method to establish an explicit left side, as "
    "well as providing an explicit ON clause if not present already to help resolve the "
    "ambiguity.")


class MlflowApi:
    """The MLflow REST endpoints over a Workspace."""

    def __init__(self, workspace):
        self.ws = workspace

    # -- experiments ---------------------------------------------------------------------------

    def experiments_search(self, p):
        max_results = _positive_max_results(p.raw("max_results"), EXPERIMENTS_SEARCH_MAX)
        view = _view_type(p.text("view_type"))
        predicates = []
        for entity, key, comparator, value in parse_filter(p.text("filter") or ""):
            entity = entity or "attribute"
            kind = ENTITY_ALIASES.get(entity)
            if kind == "attribute" and key == "name":
                if comparator not in STRING_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                      f"'{STRING_COMPARATORS_TEXT}")
                test = make_string_predicate(comparator, _string_value("attribute", value))
                predicates.append(lambda e, t=test: t(e.name))
            elif kind == "attribute" and key in ("creation_time", "last_update_time"):
                if comparator not in NUMERIC_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                      f"'{METRIC_COMPARATORS_TEXT}")
                test = make_number_predicate(comparator, _number_value("attribute", key, value))
                predicates.append(lambda e, f=key, t=test: t(getattr(e, f)))
            elif kind == "tag":
                if comparator not in STRING_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comparator}' not one of "
                                      f"'{STRING_COMPARATORS_TEXT}")
                test = make_string_predicate(comparator, _string_value("tag", value))
                predicates.append(lambda e, k=key.strip("`"), t=test: t(e.tags.get(k)))
            elif kind == "attribute":
                raise MlflowError(f"Invalid attribute key '{key}' specified. Valid keys are "
                                  "'{'name', 'creation_time', 'last_update_time'}'")
            else:
                raise MlflowError(f"Invalid entity type '{entity}'. Valid values are "
                                  "['tag', 'attribute']")
        orders = []
        for clause in p.items("order_by"):
            entity, key, ascending = parse_order_by(str(clause))
            if entity not in ("", "attribute", "attributes", "attr") or key not in (
                    "name", "experiment_id", "creation_time", "last_update_time"):
                raise MlflowError(f"Invalid order by key '{clause}' specified. Valid keys are "
                                  "'['name', 'experiment_id', 'creation_time', "
                                  "'last_update_time']'")
            orders.append((key, ascending))
        offset = parse_page_token(p.text("page_token"))
        with self.ws.lock:
            found = [e for e in self.ws.experiments.values()
                     if _stage_matches(view, e.lifecycle_stage) and all(t(e) for t in predicates)]

            def sort_value(e, key):
                if key == "experiment_id":
                    return int(e.experiment_id) if e.experiment_id.isdigit() else 0
                return getattr(e, key)
            # MLflow: the order_by clauses (default creation_time DESC), then experiment_id ASC
            found.sort(key=lambda e: sort_value(e, "experiment_id"))
            for key, ascending in reversed(orders or [("creation_time", False)]):
                found.sort(key=lambda e, k=key: sort_value(e, k), reverse=not ascending)
            page = found[offset:offset + max_results]
            resp = {}
            if page:
                resp["experiments"] = [e.to_json() for e in page]
            if len(found) > offset + max_results:
                resp["next_page_token"] = create_page_token(offset + max_results)
        return ok(resp)

    def experiments_get(self, p):
        experiment_id = p.required_text("experiment_id")
        with self.ws.lock:
            return ok({"experiment": self.ws.experiment(experiment_id).to_json()})

    def experiments_get_by_name(self, p):
        name = p.required_text("experiment_name")
        with self.ws.lock:
            experiment = self.ws.experiment_by_name(name)
            if experiment is None:
                raise MlflowError(f"Could not find experiment with name '{name}'",
                                  "RESOURCE_DOES_NOT_EXIST")
            return ok({"experiment": experiment.to_json()})

    def experiments_create(self, p):
        name = p.required_text("name")
        with self.ws.lock:
            experiment = self.ws.create_experiment(name, p.text("artifact_location"),
                                                   _key_values(p.items("tags")))
            return ok({"experiment_id": experiment.experiment_id})

    def experiments_delete(self, p):
        with self.ws.lock:
            experiment = self.ws.experiment(p.required_text("experiment_id"))
            experiment.lifecycle_stage = "deleted"
            experiment.last_update_time = self.ws.clock.now_ms()
            for run in self.ws.runs.values():
                if run.experiment_id == experiment.experiment_id:
                    run.lifecycle_stage = "deleted"
        return ok({})

    def experiments_restore(self, p):
        with self.ws.lock:
            experiment = self.ws.experiment(p.required_text("experiment_id"))
            experiment.lifecycle_stage = "active"
            experiment.last_update_time = self.ws.clock.now_ms()
            for run in self.ws.runs.values():
                if run.experiment_id == experiment.experiment_id:
                    run.lifecycle_stage = "active"
        return ok({})

    def experiments_update(self, p):
        with self.ws.lock:
            experiment = self.ws.experiment(p.required_text("experiment_id"))
            new_name = p.text("new_name")
            if new_name:
                other = self.ws.experiment_by_name(new_name)
                if other is not None and other is not experiment:
                    raise MlflowError(f"Experiment '{new_name}' already exists.",
                                      "RESOURCE_ALREADY_EXISTS")
                experiment.name = new_name
                experiment.last_update_time = self.ws.clock.now_ms()
        return ok({})

    def experiments_set_tag(self, p):
        with self.ws.lock:
            experiment = self.ws.experiment(p.required_text("experiment_id"))
            experiment.tags[p.required_text("key")] = p.text("value", "")
        return ok({})

    def experiments_search_datasets(self, p):
        experiment_ids = {str(e) for e in p.items("experiment_ids")}
        with self.ws.lock:
            summaries = set()
            for run in self.ws.runs.values():
                if run.experiment_id not in experiment_ids:
                    continue
                for di in run.inputs:
                    context = _input_context(di)
                    if context is None:
                        continue
                    summaries.add((run.experiment_id, di["dataset"].get("name", ""),
                                   di["dataset"].get("digest", ""), context))
        rows = sorted(summaries)[:SEARCH_DATASETS_MAX]
        resp = {}
        if rows:
            resp["dataset_summaries"] = [
                {"experiment_id": e, "name": n, "digest": d, "context": c} for e, n, d, c in rows]
        return ok(resp)

    # -- runs ----------------------------------------------------------------------------------

    def runs_search(self, p):
        experiment_ids = [str(e) for e in p.items("experiment_ids")]
        max_results = p.int_within("max_results", RUNS_SEARCH_DEFAULT, RUNS_SEARCH_MAX)
        if max_results < 1:
            raise MlflowError(f"Invalid value {max_results} for parameter 'max_results' "
                              "supplied. It must be a positive integer")
        view = _view_type(p.text("run_view_type"))
        predicates, kinds, dataset_clauses = compile_run_filter(p.text("filter") or "")
        orders = []
        for clause in p.items("order_by"):
            entity, key, ascending = parse_order_by(str(clause))
            kind = _run_entity(entity)
            key = key.strip("`")
            if kind == "attribute" and key not in RUN_ORDER_ATTRIBUTES:
                raise MlflowError(f"Invalid attribute key '{key}' specified. Valid keys are "
                                  f"'{_valid_attr_text()}'")
            if kind == "dataset":
                raise MlflowError(f"Invalid order_by entity `{entity}` with key `{key}`")
            if any(o[0] == kind and o[1] == key for o in orders):
                raise MlflowError(f"`order_by` contains duplicate fields: {p.items('order_by')}")
            orders.append((kind, key, ascending))
        offset = parse_page_token(p.text("page_token"))
        if dataset_clauses:
            if any(k[0] in ("tag", "param", "metric") for k in kinds):
                raise _dataset_join_failure(kinds, dataset_clauses, experiment_ids, view,
                                            max_results, offset)
            if any(kind != "attribute" for kind, _, _ in orders):
                raise MlflowError(DATASET_ORDER_FAILURE, "BAD_REQUEST")
        wanted = set(experiment_ids)
        with self.ws.lock:
            found = [r for r in self.ws.runs.values()
                     if r.experiment_id in wanted and _stage_matches(view, r.lifecycle_stage)
                     and all(t(r) for t in predicates)]
            found = _sort_runs(found, orders)
            page = found[offset:offset + max_results]
            texts = [self._run_text(r) for r in page]
        token = create_page_token(offset + max_results) if len(page) == max_results else None
        return Response(200, CT_JSON, runs_page_json(texts, token))

    def _run_text(self, run):
        """The run as pretty_json prints it inside {"runs": [...]}, cached until the next write:
        Python's indenting encoder is pure Python, and listing 500 runs with it took 0.1 s."""
        text = self.ws.run_text.get(run.run_id)
        if text is None:
            text = pretty_json(run.to_json()).replace(b"\n", b"\n    ")
            self.ws.run_text[run.run_id] = text
        return text

    def runs_get(self, p):
        run_id = p.text("run_id") or p.text("run_uuid")
        if not run_id:
            raise MlflowError(f"Missing value for required parameter 'run_id'.{API_DOCS_HINT}")
        with self.ws.lock:
            return ok({"run": self.ws.run(run_id).to_json()})

    def runs_create(self, p):
        experiment_id = p.text("experiment_id") or "0"
        start_time = p.raw("start_time")
        with self.ws.lock:
            run = self.ws.create_run(experiment_id, p.text("user_id"),
                                     int(start_time) if start_time not in (None, "") else None,
                                     _key_values(p.items("tags")), p.text("run_name"))
            return ok({"run": run.to_json()})

    def _run_for_write(self, p):
        run_id = p.text("run_id") or p.text("run_uuid")
        if not run_id:
            raise MlflowError(f"Missing value for required parameter 'run_id'.{API_DOCS_HINT}")
        run = self.ws.run(run_id)
        if run.lifecycle_stage != "active":
            raise MlflowError(f"The run {run_id} must be in the 'active' state. Current state is "
                              f"{run.lifecycle_stage}.")
        return run

    def runs_update(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            status = p.text("status")
            if status:
                if status not in RUN_STATUSES:
                    raise MlflowError(f"Invalid value \"{status}\" for parameter 'status' "
                                      f"supplied.{API_DOCS_HINT}")
                run.status = status
            end_time = p.raw("end_time")
            if end_time not in (None, ""):
                run.end_time = int(end_time)
            run_name = p.text("run_name")
            if run_name:
                run.run_name = run_name
                run.tags["mlflow.runName"] = run_name
            return ok({"run_info": run.info_json()})

    def runs_delete(self, p):
        with self.ws.lock:
            run = self.ws.run(p.required_text("run_id"))
            run.lifecycle_stage = "deleted"
            run.deleted_time = self.ws.clock.now_ms()
        return ok({})

    def runs_restore(self, p):
        with self.ws.lock:
            run = self.ws.run(p.required_text("run_id"))
            run.lifecycle_stage = "active"
            run.deleted_time = None
        return ok({})

    def runs_log_batch(self, p):
        metrics = p.items("metrics")
        params = p.items("params")
        tags = p.items("tags")
        if len(metrics) > 1000 or len(params) > 100 or len(tags) > 100:
            raise MlflowError("A batch logging request can contain at most 1000 metrics, 100 "
                              "params and 100 tags.")
        with self.ws.lock:
            run = self._run_for_write(p)
            for item in params:
                self.ws.log_param(run, str(item.get("key")), item.get("value"))
            for item in metrics:
                self._log_metric_item(run, item)
            for item in tags:
                run.tags[str(item.get("key"))] = "" if item.get("value") is None else str(
                    item.get("value"))
        return ok({})

    def _log_metric_item(self, run, item):
        key = item.get("key")
        if not key:
            raise MlflowError(f"Missing value for required parameter 'key'.{API_DOCS_HINT}")
        if "value" not in item:
            raise MlflowError(f"Missing value for required parameter 'value'.{API_DOCS_HINT}")
        timestamp = item.get("timestamp")
        if timestamp in (None, ""):
            timestamp = self.ws.clock.now_ms()
        self.ws.log_metric(run, str(key), item.get("value"), timestamp, item.get("step") or 0)

    def runs_log_metric(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            self._log_metric_item(run, {"key": p.text("key"), "value": p.raw("value"),
                                        "timestamp": p.raw("timestamp"), "step": p.raw("step")})
        return ok({})

    def runs_log_param(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            self.ws.log_param(run, p.required_text("key"), p.text("value", ""))
        return ok({})

    def runs_set_tag(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            key = p.required_text("key")
            run.tags[key] = p.text("value", "")
            if key == "mlflow.runName":
                run.run_name = run.tags[key]
        return ok({})

    def runs_delete_tag(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            key = p.required_text("key")
            if key not in run.tags:
                raise MlflowError(f"No tag with name: {key} in run with id {run.run_id}",
                                  "RESOURCE_DOES_NOT_EXIST")
            del run.tags[key]
        return ok({})

    def runs_log_inputs(self, p):
        with self.ws.lock:
            run = self._run_for_write(p)
            for item in p.items("datasets"):
                dataset = dict(item.get("dataset") or {})
                tags = [{"key": str(t.get("key")), "value": str(t.get("value", ""))}
                        for t in item.get("tags") or []]
                same = next((i for i in run.inputs
                             if i["dataset"].get("name") == dataset.get("name")
                             and i["dataset"].get("digest") == dataset.get("digest")), None)
                if same is not None:
                    same["tags"] = tags or same["tags"]
                    continue
                run.inputs.append({"tags": tags, "dataset": dataset})
        return ok({})

    # -- metrics -------------------------------------------------------------------------------

    def metrics_get_history(self, p):
        run_id = p.text("run_id") or p.text("run_uuid")
        if not run_id:
            raise MlflowError(f"Missing value for required parameter 'run_id'.{API_DOCS_HINT}")
        key = p.text("metric_key")
        if not key:
            raise MlflowError(f"Missing value for required parameter 'metric_key'.{API_DOCS_HINT}")
        return Response(200, CT_JSON, self.ws.history_body(run_id, key))

    def metrics_bulk_interval(self, p):
        run_ids = [str(r) for r in p.items("run_ids")]
        if not run_ids:
            raise MlflowError(f"Missing value for required parameter 'run_ids'.{API_DOCS_HINT}")
        if len(run_ids) > BULK_MAX_RUNS:
            raise MlflowError(f"GetMetricHistoryBulkInterval request must specify at most "
                              f"{BULK_MAX_RUNS} run_ids. Received {len(run_ids)} run_ids."
                              f"{API_DOCS_HINT}")
        key = p.text("metric_key")
        if not key:
            raise MlflowError(f"Missing value for required parameter 'metric_key'.{API_DOCS_HINT}")
        raw_max = p.text("max_results")
        max_results = BULK_INTERVAL_MAX_PER_RUN
        if raw_max not in (None, ""):
            try:
                max_results = int(raw_max)
            except ValueError:
                raise MlflowError(Params._hint_message("max_results", raw_max))
            if not 1 <= max_results <= BULK_INTERVAL_MAX_PER_RUN:
                raise MlflowError(f"max_results must be between 1 and "
                                  f"{BULK_INTERVAL_MAX_PER_RUN}.{API_DOCS_HINT}")
        start_step, end_step = p.text("start_step"), p.text("end_step")
        if start_step not in (None, "") and end_step not in (None, ""):
            start_step, end_step = int(start_step), int(end_step)
            if start_step > end_step:
                raise MlflowError("end_step must be greater than start_step. Found "
                                  f"start_step={start_step} and end_step={end_step}.")
        elif start_step not in (None, "") or end_step not in (None, ""):
            raise MlflowError("If either start step or end step are specified, both must be "
                              "specified.")
        else:
            start_step = end_step = None
        with self.ws.lock:
            histories = {}
            for run_id in run_ids:
                run = self.ws.runs.get(run_id)
                histories[run_id] = (self.ws.history(run, key) if run is not None else None) or []
        all_runs = [[s for _, _, s in histories[r]] for r in run_ids]
        mins_and_maxes = {step for steps in all_runs if steps
                          for step in (min(steps), max(steps))}
        all_steps = sorted({step for steps in all_runs for step in steps})
        if start_step is None:
            start_step = 0
            end_step = all_steps[-1] if all_steps else 0
        mins_and_maxes = {s for s in mins_and_maxes if start_step <= s <= end_step}
        sampled = _sampled_steps(start_step, end_step, max_results, all_steps)
        wanted = set(sampled) | mins_and_maxes
        metrics = []
        for run_id in run_ids:
            chosen = sorted(((s, i, v, ts) for i, (v, ts, s) in enumerate(histories[run_id])
                             if s in wanted), key=lambda x: (x[0], x[1]))
            metrics.extend({"key": key, "value": json_value(v), "timestamp": ts, "step": s,
                            "run_id": run_id} for s, _, v, ts in chosen)
        return ok({"metrics": metrics} if metrics else {})

    @staticmethod
    def _bulk_point(key, run_id, point):
        v, ts, s = point
        return json.dumps({"key": key, "value": v, "timestamp": ts, "step": s, "run_id": run_id},
                          separators=(",", ":"), sort_keys=True, ensure_ascii=True)

    def _bulk_fragment(self, run, key, points):
        """The points of one history as get-history-bulk writes them (joined by ","), cached
        beside the get-history bodies; b"" when there are none."""
        ordered = sorted(points, key=lambda m: (m[1], m[2], m[0] if m[0] == m[0] else -math.inf))
        fragment = ",".join(self._bulk_point(key, run.run_id, m) for m in ordered).encode("ascii")
        if fragment:
            self.ws.cache.put(("bulk", run.run_id, key), fragment)
            self.ws.bulk_counts[(run.run_id, key)] = len(ordered)
        return fragment

    def metrics_bulk(self, p):
        run_ids = [str(r) for r in p.items("run_id")]
        if not run_ids:
            raise MlflowError("GetMetricHistoryBulk request must specify at least one run_id.")
        if len(run_ids) > BULK_MAX_RUNS:
            raise MlflowError(f"GetMetricHistoryBulk request cannot specify more than "
                              f"{BULK_MAX_RUNS} run_ids. Received {len(run_ids)} run_ids.")
        key = p.text("metric_key")
        if not key:
            raise MlflowError("GetMetricHistoryBulk request must specify a metric_key.")
        raw_max = p.text("max_results")
        max_results = BULK_HISTORY_MAX if raw_max in (None, "") else int(raw_max)
        max_results = min(max_results, BULK_HISTORY_MAX)
        # Flask's jsonify of {"metrics": [...]}, built from per-history fragments that are sent
        # as they are (no join); the history where the cut falls is written point by point.
        parts = []
        count = 0
        with self.ws.lock:
            for run_id in sorted(set(run_ids)):
                if count >= max_results:
                    break
                run = self.ws.runs.get(run_id)
                if run is None:
                    continue
                fragment = self.ws.cache.get(("bulk", run_id, key))
                if fragment is not None:
                    n = self.ws.bulk_counts.get((run_id, key))
                    if n is None:
                        n = self.ws.bulk_counts[(run_id, key)] = fragment.count(b'{"key"')
                else:
                    points = self.ws.history(run, key) or []
                    n = len(points)
                if count + n <= max_results:
                    if fragment is None:
                        fragment = self._bulk_fragment(run, key, points)
                    if fragment:
                        parts.append(fragment)
                    count += n
                    continue
                points = self.ws.history(run, key) or []
                ordered = sorted(points, key=lambda m: (m[1], m[2], m[0] if m[0] == m[0]
                                                        else -math.inf))
                for m in ordered[:max_results - count]:
                    parts.append(self._bulk_point(key, run_id, m).encode("ascii"))
                count = max_results
        body = [b'{"metrics":[']
        for i, part in enumerate(parts):
            if i:
                body.append(b",")
            body.append(part)
        body.append(b"]}\n")
        return Response(200, CT_JSON, body)

    # -- artifacts -----------------------------------------------------------------------------

    def artifacts_list(self, p):
        run_id = p.text("run_id") or p.text("run_uuid")
        if not run_id:
            raise MlflowError(f"Missing value for required parameter 'run_id'.{API_DOCS_HINT}")
        prefix = (p.text("path") or "").strip("/")
        with self.ws.lock:
            run = self.ws.run(run_id)
            entries = {}
            for path, content in run.artifacts.items():
                if prefix and not path.startswith(prefix + "/"):
                    continue
                rest = path[len(prefix) + 1:] if prefix else path
                head, sep, _ = rest.partition("/")
                full = f"{prefix}/{head}" if prefix else head
                if sep:
                    entries[full] = {"path": full, "is_dir": True}
                else:
                    entries[full] = {"path": full, "is_dir": False, "file_size": len(content)}
            resp = {"root_uri": run.artifact_uri}
            if entries:
                resp["files"] = [entries[k] for k in sorted(entries)]
        return ok(resp)

    def artifact_content(self, run_id, path):
        with self.ws.lock:
            run = self.ws.runs.get(run_id)
            content = run.artifacts.get(path.strip("/")) if run is not None else None
        if content is None:
            return Response(404, CT_HTML, HTML_404)
        name = path.rsplit("/", 1)[-1]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else name.lower()
        ctype = CT_TEXT if ext in TEXT_ARTIFACT_EXTENSIONS else "application/octet-stream"
        return Response(200, ctype, content,
                        [("Content-Disposition", f"attachment; filename={name}"),
                         ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")])

    def get_artifact(self, p):
        return self.artifact_content(p.text("run_uuid") or p.text("run_id") or "",
                                     p.text("path") or "")

    def model_version_artifact(self, p):
        with self.ws.lock:
            try:
                _, mv = self.ws.model_version(p.text("name") or "", p.text("version") or "")
            except MlflowError as err:
                return error_response(err)
        m = re.fullmatch(r"runs:/([0-9a-fA-F]+)/?(.*)", mv.source or "")
        if not m:
            return Response(404, CT_HTML, HTML_404)
        base = m.group(2).strip("/")
        path = (p.text("path") or "").strip("/")
        return self.artifact_content(m.group(1), f"{base}/{path}" if base else path)

    # -- registry ------------------------------------------------------------------------------

    def registered_models_search(self, p):
        max_results = p.int_within("max_results", REGISTERED_MODELS_DEFAULT, REGISTERED_MODELS_MAX)
        if max_results < 1:
            raise MlflowError(Params._hint_message("max_results", p.raw("max_results")))
        predicates = []
        for entity, key, comparator, value in parse_filter(p.text("filter") or ""):
            kind = ENTITY_ALIASES.get(entity or "attribute")
            if kind == "attribute":
                if key != "name":
                    raise MlflowError(f"Invalid attribute name: {key}")
                if comparator not in STRING_COMPARATORS:
                    raise MlflowError(f"Invalid comparator for attribute: {comparator}")
                test = make_string_predicate(comparator, _string_value("attribute", value))
                predicates.append(lambda m, t=test: t(m.name))
            elif kind == "tag":
                if comparator not in STRING_COMPARATORS:
                    raise MlflowError(f"Invalid comparator for tag: {comparator}")
                test = make_string_predicate(comparator, _string_value("tag", value))
                predicates.append(lambda m, k=key.strip("`"), t=test: t(m.tags.get(k)))
            else:
                raise MlflowError(f"Invalid token type: {entity}")
        orders = []
        for clause in p.items("order_by"):
            entity, key, ascending = parse_order_by(str(clause))
            if key == "name":
                orders.append(("name", ascending))
            elif key in ("timestamp", "last_updated_timestamp"):
                orders.append(("last_updated_timestamp", ascending))
            else:
                raise MlflowError(f"Invalid order by key '{key}' specified.Valid keys are "
                                  "'['name', 'last_updated_timestamp']'")
        offset = parse_page_token(p.text("page_token"))
        with self.ws.lock:
            found = sorted((m for m in self.ws.models.values() if all(t(m) for t in predicates)),
                           key=lambda m: m.name)
            for field, ascending in reversed(orders):
                found.sort(key=lambda m, f=field: getattr(m, f), reverse=not ascending)
            page = found[offset:offset + max_results]
            resp = {}
            if page:
                resp["registered_models"] = [m.to_json() for m in page]
            if len(found) > offset + max_results:
                resp["next_page_token"] = create_page_token(offset + max_results)
        return ok(resp)

    def registered_models_get(self, p):
        name = p.required_text("name")
        with self.ws.lock:
            return ok({"registered_model": self.ws.model(name).to_json()})

    def registered_models_create(self, p):
        name = p.required_text("name")
        with self.ws.lock:
            now = self.ws.clock.now_ms()
            description = p.text("description")
            if name in self.ws.models:
                raise MlflowError(
                    f"Registered Model (name={name}) already exists. Error: "
                    "(sqlite3.IntegrityError) UNIQUE constraint failed: registered_models.name\n"
                    "[SQL: INSERT INTO registered_models (name, creation_time, last_updated_time, "
                    "description) VALUES (?, ?, ?, ?)]\n"
                    f"[parameters: {(name, now, now, description or '')!r}]\n"
                    "(Background on this error at: https://sqlalche.me/e/14/gkpj)",
                    "RESOURCE_ALREADY_EXISTS")
            model = RegisteredModel(name, now, description=description,
                                    tags=_key_values(p.items("tags")))
            self.ws.models[name] = model
            self.ws.models = dict(sorted(self.ws.models.items()))
            return ok({"registered_model": model.to_json()})

    def registered_models_rename(self, p):
        name, new_name = p.required_text("name"), p.required_text("new_name")
        with self.ws.lock:
            model = self.ws.model(name)
            if new_name in self.ws.models and new_name != name:
                raise MlflowError(f"Registered Model (name={new_name}) already exists.",
                                  "RESOURCE_ALREADY_EXISTS")
            now = self.ws.clock.now_ms()
            del self.ws.models[name]
            model.name = new_name
            model.last_updated_timestamp = now
            for mv in model.versions.values():
                mv.name = new_name
                mv.last_updated_timestamp = now
            self.ws.models[new_name] = model
            self.ws.models = dict(sorted(self.ws.models.items()))
            return ok({"registered_model": model.to_json()})

    def registered_models_update(self, p):
        with self.ws.lock:
            model = self.ws.model(p.required_text("name"))
            model.description = p.text("description")
            model.last_updated_timestamp = self.ws.clock.now_ms()
            return ok({"registered_model": model.to_json()})

    def registered_models_delete(self, p):
        with self.ws.lock:
            model = self.ws.model(p.required_text("name"))
            del self.ws.models[model.name]
        return ok({})

    def registered_models_latest_versions(self, p):
        name = p.required_text("name")
        stages = {_canonical_stage(s) for s in p.items("stages")}
        with self.ws.lock:
            model = self.ws.model(name)
            versions = [mv for mv in model.latest_versions()
                        if not stages or mv.current_stage in stages]
            resp = {}
            if versions:
                resp["model_versions"] = [mv.to_json() for mv in versions]
        return ok(resp)

    def registered_models_set_tag(self, p):
        key, value = p.required_text("key"), p.text("value", "")
        _validate_registry_tag(key, value)
        with self.ws.lock:
            model = self.ws.model(p.required_text("name"))
            model.tags[key] = value
        return ok({})

    def registered_models_delete_tag(self, p):
        with self.ws.lock:
            model = self.ws.model(p.required_text("name"))
            model.tags.pop(p.required_text("key"), None)
        return ok({})

    def alias_get(self, p):
        name, alias = p.required_text("name"), p.required_text("alias")
        with self.ws.lock:
            model = self.ws.models.get(name)
            version = model.aliases.get(alias) if model is not None else None
            if version is None:
                raise MlflowError(f"Registered model alias {alias} not found.")
            model, mv = self.ws.model_version(name, version)
            return ok({"model_version": mv.to_json(model.aliases_of(mv.version))})

    def alias_set(self, p):
        name, alias = p.required_text("name"), p.required_text("alias")
        version = p.required_text("version")
        if alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias):
            raise MlflowError(f"'{alias}' alias name (case insensitive) is reserved.")
        with self.ws.lock:
            model, mv = self.ws.model_version(name, version)
            model.aliases[alias] = mv.version
        return ok({})

    def alias_delete(self, p):
        name, alias = p.required_text("name"), p.required_text("alias")
        with self.ws.lock:
            model = self.ws.model(name)
            model.aliases.pop(alias, None)
        return ok({})

    def model_versions_create(self, p):
        name = p.required_text("name")
        source = p.required_text("source")
        with self.ws.lock:
            model = self.ws.model(name)
            now = self.ws.clock.now_ms()
            version = max(model.versions) + 1 if model.versions else 1
            mv = ModelVersion(name, version, now, now, "None", p.text("description", ""), source,
                              p.text("run_id", ""), "READY", _key_values(p.items("tags")),
                              p.text("run_link", ""))
            model.versions[version] = mv
            model.last_updated_timestamp = now
            return ok({"model_version": mv.to_json()})

    def model_versions_get(self, p):
        name, version = p.required_text("name"), p.required_text("version")
        with self.ws.lock:
            model, mv = self.ws.model_version(name, version)
            return ok({"model_version": mv.to_json(model.aliases_of(mv.version))})

    def model_versions_update(self, p):
        with self.ws.lock:
            _, mv = self.ws.model_version(p.required_text("name"), p.required_text("version"))
            mv.description = p.text("description", "")
            mv.last_updated_timestamp = self.ws.clock.now_ms()
            return ok({"model_version": mv.to_json()})

    def model_versions_delete(self, p):
        with self.ws.lock:
            model, mv = self.ws.model_version(p.required_text("name"), p.required_text("version"))
            mv.deleted = True
            now = self.ws.clock.now_ms()
            mv.last_updated_timestamp = now
            model.last_updated_timestamp = now
            for alias in [a for a, v in model.aliases.items() if v == mv.version]:
                del model.aliases[alias]
        return ok({})

    def model_versions_download_uri(self, p):
        with self.ws.lock:
            _, mv = self.ws.model_version(p.required_text("name"), p.required_text("version"))
            return ok({"artifact_uri": mv.source})

    def model_versions_search(self, p):
        max_results = p.int_within("max_results", MODEL_VERSIONS_DEFAULT, MODEL_VERSIONS_MAX)
        if max_results < 1:
            raise MlflowError("Invalid value for max_results. It must be a positive integer, but "
                              f"got {max_results}")
        predicates = []
        for entity, key, comparator, value in parse_filter(p.text("filter") or ""):
            kind = ENTITY_ALIASES.get(entity or "attribute")
            if kind == "attribute":
                if key not in ("name", "source_path", "run_id", "version_number"):
                    raise MlflowError(f"Invalid attribute name: {key}")
                if key == "version_number":
                    if comparator not in NUMERIC_COMPARATORS:
                        raise MlflowError(f"Invalid comparator for attribute: {comparator}")
                    test = make_number_predicate(comparator, _number_value("attribute", key, value))
                    predicates.append(lambda mv, t=test: t(mv.version))
                    continue
                if comparator not in ("=", "!=", "LIKE", "ILIKE", "IN") or (
                        comparator == "IN" and key != "run_id"):
                    raise MlflowError(f"Invalid comparator for attribute: {comparator}")
                test = make_string_predicate(comparator,
                                             _list_or_string(comparator, value, "attribute"))
                field = "source" if key == "source_path" else key
                predicates.append(lambda mv, f=field, t=test: t(getattr(mv, f)))
            elif kind == "tag":
                if comparator not in STRING_COMPARATORS:
                    raise MlflowError(f"Invalid comparator for tag: {comparator}")
                test = make_string_predicate(comparator, _string_value("tag", value))
                predicates.append(lambda mv, k=key.strip("`"), t=test: t(mv.tags.get(k)))
            else:
                raise MlflowError(f"Invalid token type: {entity}")
        order_by = p.items("order_by") or ["last_updated_timestamp DESC", "name ASC",
                                           "version_number DESC"]
        orders = []
        for clause in order_by:
            entity, key, ascending = parse_order_by(str(clause))
            field = {"version_number": "version", "creation_timestamp": "creation_timestamp",
                     "last_updated_timestamp": "last_updated_timestamp", "name": "name",
                     "run_id": "run_id", "source_path": "source",
                     "current_stage": "current_stage"}.get(key)
            if field is None:
                raise MlflowError(f"Invalid order by key '{key}' specified. Valid keys are "
                                  "{'name', 'version_number', 'creation_timestamp', "
                                  "'last_updated_timestamp', 'run_id', 'source_path'}")
            orders.append((field, ascending))
        if not any(f == "name" for f, _ in orders):
            orders.append(("name", True))
        if not any(f == "version" for f, _ in orders):
            orders.append(("version", False))
        offset = parse_page_token(p.text("page_token"))
        with self.ws.lock:
            found = [mv for model in self.ws.models.values() for mv in model.live_versions()
                     if all(t(mv) for t in predicates)]
            for field, ascending in reversed(orders):
                found.sort(key=lambda mv, f=field: getattr(mv, f), reverse=not ascending)
            page = found[offset:offset + max_results]
            resp = {}
            if page:
                resp["model_versions"] = [mv.to_json() for mv in page]
            if len(found) > offset + max_results:
                resp["next_page_token"] = create_page_token(offset + max_results)
        return ok(resp)

    def model_versions_transition(self, p):
        name, version = p.required_text("name"), p.required_text("version")
        stage_text = p.required_text("stage")
        stage = _canonical_stage(stage_text)
        archive = p.boolean("archive_existing_versions")
        if archive and stage not in ACTIVE_STAGES:
            raise MlflowError("Model version transition cannot archive existing model versions "
                              f"because '{stage_text}' is not an Active stage. Valid stages are "
                              f"{list(ACTIVE_STAGES)}")
        with self.ws.lock:
            model, mv = self.ws.model_version(name, version)
            now = self.ws.clock.now_ms()
            if archive:
                for other in model.live_versions():
                    if other.version != mv.version and other.current_stage == stage:
                        other.current_stage = "Archived"
                        other.last_updated_timestamp = now
            mv.current_stage = stage
            mv.last_updated_timestamp = now
            model.last_updated_timestamp = now
            return ok({"model_version": mv.to_json()})

    def model_versions_set_tag(self, p):
        key, value = p.required_text("key"), p.text("value", "")
        _validate_registry_tag(key, value)
        with self.ws.lock:
            _, mv = self.ws.model_version(p.required_text("name"), p.required_text("version"))
            mv.tags[key] = value
        return ok({})

    def model_versions_delete_tag(self, p):
        with self.ws.lock:
            _, mv = self.ws.model_version(p.required_text("name"), p.required_text("version"))
            mv.tags.pop(p.required_text("key"), None)
        return ok({})


def _validate_registry_tag(key, value):
    """MLflow 2.17 caps registry tag keys at 250 and values at 5,000 characters."""
    for name, limit, text in (("key", REGISTRY_TAG_KEY_MAX, key),
                              ("value", REGISTRY_TAG_VALUE_MAX, value)):
        if len(text) > limit:
            raise MlflowError(f"{name} '{text[:250]}' had length {len(text)}, which exceeded "
                              f"length limit of {limit}")


def _canonical_stage(text):
    for stage in STAGES:
        if str(text).lower() == stage.lower():
            return stage
    raise MlflowError(f"Invalid Model Version stage: {text}. Value must be one of "
                      f"{', '.join(STAGES)}.")


def _sampled_steps(start_step, end_step, max_results, all_steps):
    """MLflow's _get_sampled_steps_from_steps, including its `idx < num_steps` comparison."""
    start_idx = bisect.bisect_left(all_steps, start_step)
    end_idx = bisect.bisect_right(all_steps, end_step)
    if end_idx - start_idx <= max_results:
        return set(all_steps[start_idx:end_idx])
    num_steps = end_idx - start_idx
    interval = num_steps / max_results
    sampled = []
    for i in range(max_results):
        idx = start_idx + int(i * interval)
        if idx < num_steps:
            sampled.append(all_steps[idx])
    sampled.append(all_steps[end_idx - 1])
    return set(sampled)


# ----------------------------------------------------------------------------------------------
# Routing, faults, statistics, control endpoints
# ----------------------------------------------------------------------------------------------

API_PREFIXES = ("/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/")

# suffix -> {method: handler name}; "ajax" marks routes served only under /ajax-api/
ROUTES = [
    ("experiments/search", {"GET": "experiments_search", "POST": "experiments_search"}, False),
    ("experiments/get", {"GET": "experiments_get"}, False),
    ("experiments/get-by-name", {"GET": "experiments_get_by_name"}, False),
    ("experiments/create", {"POST": "experiments_create"}, False),
    ("experiments/delete", {"POST": "experiments_delete"}, False),
    ("experiments/restore", {"POST": "experiments_restore"}, False),
    ("experiments/update", {"POST": "experiments_update"}, False),
    ("experiments/set-experiment-tag", {"POST": "experiments_set_tag"}, False),
    ("experiments/search-datasets", {"POST": "experiments_search_datasets"}, True),
    ("runs/search", {"POST": "runs_search"}, False),
    ("runs/get", {"GET": "runs_get"}, False),
    ("runs/create", {"POST": "runs_create"}, False),
    ("runs/update", {"POST": "runs_update"}, False),
    ("runs/delete", {"POST": "runs_delete"}, False),
    ("runs/restore", {"POST": "runs_restore"}, False),
    ("runs/log-batch", {"POST": "runs_log_batch"}, False),
    ("runs/log-metric", {"POST": "runs_log_metric"}, False),
    ("runs/log-parameter", {"POST": "runs_log_param"}, False),
    ("runs/set-tag", {"POST": "runs_set_tag"}, False),
    ("runs/delete-tag", {"POST": "runs_delete_tag"}, False),
    ("runs/log-inputs", {"POST": "runs_log_inputs"}, False),
    ("metrics/get-history", {"GET": "metrics_get_history"}, False),
    ("metrics/get-history-bulk-interval", {"GET": "metrics_bulk_interval"}, False),
    ("metrics/get-history-bulk", {"GET": "metrics_bulk"}, True),
    ("artifacts/list", {"GET": "artifacts_list"}, False),
    ("registered-models/search", {"GET": "registered_models_search"}, False),
    ("registered-models/get", {"GET": "registered_models_get"}, False),
    ("registered-models/create", {"POST": "registered_models_create"}, False),
    ("registered-models/rename", {"POST": "registered_models_rename"}, False),
    ("registered-models/update", {"PATCH": "registered_models_update"}, False),
    ("registered-models/delete", {"DELETE": "registered_models_delete"}, False),
    ("registered-models/get-latest-versions",
     {"GET": "registered_models_latest_versions", "POST": "registered_models_latest_versions"},
     False),
    ("registered-models/set-tag", {"POST": "registered_models_set_tag"}, False),
    ("registered-models/delete-tag", {"DELETE": "registered_models_delete_tag"}, False),
    ("registered-models/alias", {"GET": "alias_get", "POST": "alias_set",
                                 "DELETE": "alias_delete"}, False),
    ("model-versions/create", {"POST": "model_versions_create"}, False),
    ("model-versions/get", {"GET": "model_versions_get"}, False),
    ("model-versions/update", {"PATCH": "model_versions_update"}, False),
    ("model-versions/delete", {"DELETE": "model_versions_delete"}, False),
    ("model-versions/get-download-uri", {"GET": "model_versions_download_uri"}, False),
    ("model-versions/search", {"GET": "model_versions_search"}, False),
    ("model-versions/transition-stage", {"POST": "model_versions_transition"}, False),
    ("model-versions/set-tag", {"POST": "model_versions_set_tag"}, False),
    ("model-versions/delete-tag", {"DELETE": "model_versions_delete_tag"}, False),
]

FAULT_KINDS = ("503", "500", "429", "slow", "drop", "truncate", "invalid_json", "html")


class Fault:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("each fault must be an object")
        self.path_contains = str(spec.get("path_contains", ""))
        self.kind = str(spec.get("kind", ""))
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        count = spec.get("count", 1)
        self.remaining = None if count is None or int(count) < 0 else int(count)
        self.retry_after = spec.get("retry_after", 1)
        self.delay_ms = int(spec.get("delay_ms", 500))
        self.method = spec.get("method")
        self.skip = max(0, int(spec.get("skip", 0)))
        self.hits = 0

    def to_json(self):
        return {"path_contains": self.path_contains, "kind": self.kind,
                "count": -1 if self.remaining is None else self.remaining,
                "retry_after": self.retry_after, "delay_ms": self.delay_ms,
                "method": self.method, "skip": self.skip, "hits": self.hits}


class App:
    """Dispatch of one request to MLflow routes, control endpoints and injected faults."""

    def __init__(self, workspace):
        self.ws = workspace
        self.api = MlflowApi(workspace)
        self.routes = {}
        for suffix, methods, ajax_only in ROUTES:
            handlers = {m: getattr(self.api, name) for m, name in methods.items()}
            for prefix in API_PREFIXES:
                if ajax_only and not prefix.startswith("/ajax-api/"):
                    continue
                self.routes[prefix + suffix] = handlers
        for prefix in ("/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/"
                                                                "artifacts"):
            self.routes[prefix] = {"GET": lambda p: ok({})}
        self.routes["/health"] = {"GET": lambda p: Response(200, CT_HTML, b"OK")}
        self.routes["/version"] = {"GET": lambda p: Response(200, CT_HTML,
                                                             MLFLOW_VERSION.encode())}
        self.routes["/"] = {"GET": lambda p: Response(200, CT_HTML, HTML_INDEX)}
        self.routes["/get-artifact"] = {"GET": self.api.get_artifact}
        self.routes["/model-versions/get-artifact"] = {"GET": self.api.model_version_artifact}
        # Debian's graphene 2 breaks MLflow's GraphQL endpoint: every call crashes
        crash = lambda p: Response(500, CT_HTML, HTML_500)  # noqa: E731
        self.routes["/graphql"] = {"GET": crash, "POST": crash}
        # MLflow 2.17.2 registers a mistyped route that answers an empty 404
        unrouted = lambda p: Response(404, CT_HTML, b"")  # noqa: E731
        for typo in ("/api/2.0mlflow/experiments/search-datasets",
                     "/ajax-api/2.0mlflow/experiments/search-datasets"):
            self.routes[typo] = {"POST": unrouted}
        self.faults = []
        self.faults_lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.requests = 0
        self.by_path = collections.Counter()
        self.faults_injected = 0
        self.in_flight = 0
        self.max_in_flight = 0  # most API requests being answered at once
        self.started = time.time()
        self.shutdown_hook = None

    # -- statistics and faults -----------------------------------------------------------------

    def request_began(self):
        with self.stats_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def request_ended(self):
        with self.stats_lock:
            self.in_flight -= 1

    def count(self, path):
        with self.stats_lock:
            self.requests += 1
            self.by_path[path] += 1

    def take_fault(self, method, target):
        if not self.faults:
            return None
        with self.faults_lock:
            for fault in self.faults:
                if fault.path_contains in target and (
                        not fault.method or fault.method.upper() == method):
                    if fault.skip:
                        fault.skip -= 1  # this one goes through; later ones are faulted
                        continue
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self.faults.remove(fault)
                    fault.hits += 1
                    self.faults_injected += 1
                    return fault
        return None

    # -- dispatch ------------------------------------------------------------------------------

    def dispatch(self, method, target, body):
        """Returns (Response, fault or None)."""
        path, _, query_string = target.partition("?")
        if path.startswith("/__control/"):
            return self.control(method, path, query_string, body), None
        self.count(path)
        fault = self.take_fault(method, target)
        if fault is not None and fault.kind not in ("slow", "truncate", "drop"):
            return self.fault_response(fault), fault
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000.0)
        if method in ("GET", "HEAD") or path.endswith("/search"):
            return self.handle(method, path, query_string, body), fault
        # Anything else may write: runs printed before are printed again.
        with self.ws.lock:
            response = self.handle(method, path, query_string, body)
            self.ws.run_text.clear()
        return response, fault

    def handle(self, method, path, query_string, body):
        handlers = self.routes.get(path)
        if handlers is None:
            return Response(404, CT_HTML, HTML_404)
        lookup = "GET" if method == "HEAD" else method
        handler = handlers.get(lookup)
        if handler is None:
            allowed = (["HEAD"] if "GET" in handlers else []) + ["OPTIONS"] + [
                m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in handlers]
            if method == "OPTIONS":
                return Response(200, CT_HTML, b"", [("Allow", ", ".join(allowed))])
            return Response(405, CT_HTML, HTML_405, [("Allow", ", ".join(allowed))])
        query = urllib.parse.parse_qs(query_string, keep_blank_values=True) if query_string else {}
        parsed = {}
        if body:
            try:
                parsed = json.loads(body)
                if isinstance(parsed, str):  # old clients double-encode
                    parsed = json.loads(parsed)
            except (ValueError, UnicodeDecodeError):
                parsed = {}
            if not isinstance(parsed, dict):
                parsed = {}
        try:
            return handler(Params(method, query, parsed))
        except MlflowError as err:
            return error_response(err)
        except (ValueError, TypeError, AttributeError, KeyError) as err:
            # values of the wrong type or shape, as protobuf parsing would reject them
            return error_response(MlflowError(f"Invalid request: {err!r}"))
        except Exception:  # a crash answers like Flask: an HTML 500 page
            traceback.print_exc(file=sys.stderr)
            return Response(500, CT_HTML, HTML_500)

    def fault_response(self, fault):
        retry = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
        if fault.kind == "503":
            return Response(503, CT_JSON, compact_json({
                "error_code": "TEMPORARILY_UNAVAILABLE",
                "message": "Injected fault: the server is temporarily unavailable"}), retry)
        if fault.kind == "429":
            return Response(429, CT_JSON, compact_json({
                "error_code": "RESOURCE_EXHAUSTED",
                "message": "Injected fault: too many requests"}), retry)
        if fault.kind == "500":
            return Response(500, CT_HTML, HTML_500)
        if fault.kind == "invalid_json":
            return Response(200, CT_JSON, INVALID_JSON_BODY)
        return Response(200, CT_HTML, HTML_GATEWAY_PAGE)  # "html"

    # -- control endpoints ---------------------------------------------------------------------

    def control(self, method, path, query_string, body):
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            return Response(400, CT_JSON, compact_json({"error": "request body is not JSON"}))
        if not isinstance(parsed, dict):
            parsed = {}
        try:
            if method == "GET":
                return self._control(method, path, parsed)
            with self.ws.lock:  # mutate, clock...: runs printed before are printed again
                try:
                    return self._control(method, path, parsed)
                finally:
                    self.ws.run_text.clear()
        except (ValueError, TypeError, KeyError, MlflowError) as err:
            message = err.message if isinstance(err, MlflowError) else str(err)
            return Response(400, CT_JSON, compact_json({"error": message}))

    def _control(self, method, path, body):
        name = path[len("/__control/"):].strip("/")
        if name == "faults":
            if method == "GET":
                with self.faults_lock:
                    return ok({"faults": [f.to_json() for f in self.faults]})
            if method == "POST":
                new = [Fault(spec) for spec in body.get("faults", [])]
                with self.faults_lock:
                    if body.get("replace"):
                        self.faults = []
                    self.faults.extend(new)
                    return ok({"faults": [f.to_json() for f in self.faults]})
        elif name == "reset" and method == "POST":
            with self.faults_lock:
                self.faults = []
            return ok({})
        elif name == "stats" and method == "GET":
            with self.stats_lock:
                resp = {"requests": self.requests, "by_path": dict(sorted(self.by_path.items())),
                        "faults_injected": self.faults_injected,
                        "max_in_flight": self.max_in_flight}
            resp["history_cache"] = self.ws.cache.stats()
            resp["prewarm"] = dict(self.ws.prewarm)
            resp["uptime_s"] = round(time.time() - self.started, 3)
            return ok(resp)
        elif name == "stats/reset" and method == "POST":
            with self.stats_lock:
                self.requests = 0
                self.by_path.clear()
                self.faults_injected = 0
                self.max_in_flight = self.in_flight
            return ok({})
        elif name == "clock":
            if method == "POST":
                if body.get("real"):
                    self.ws.clock.frozen_ms = None
                elif "now_ms" in body:
                    self.ws.clock.frozen_ms = int(body["now_ms"])
            return ok({"now_ms": self.ws.clock.now_ms(),
                       "frozen": self.ws.clock.frozen_ms is not None})
        elif name == "prewarm" and method == "POST":
            start_prewarm(self.ws)
            return ok(dict(self.ws.prewarm))
        elif name == "mutate" and method == "POST":
            return ok(self.mutate(body))
        elif name == "shutdown" and method == "POST":
            if self.shutdown_hook is not None:
                threading.Thread(target=self.shutdown_hook, daemon=True).start()
            return ok({})
        return Response(404, CT_JSON, compact_json({"error": f"unknown control endpoint {path}"}))

    def mutate(self, body):
        """Direct changes for tests: log_metric, log_param, set_tag, set_status, delete_run,
        restore_run, purge_run (remove for good), extend (append steps continuing a series)."""
        op = body.get("op")
        ws = self.ws
        with ws.lock:
            run = ws.run(str(body.get("run_id", "")))
            if op == "log_metric":
                ws.log_metric(run, str(body["key"]), body["value"],
                              body.get("timestamp", ws.clock.now_ms()), body.get("step", 0))
            elif op == "log_param":
                ws.log_param(run, str(body["key"]), body.get("value", ""))
            elif op == "set_tag":
                run.tags[str(body["key"])] = str(body.get("value", ""))
            elif op == "set_status":
                run.status = str(body["status"])
                if "end_time" in body:
                    run.end_time = body["end_time"]
                elif run.status != "RUNNING" and run.end_time is None:
                    run.end_time = ws.clock.now_ms()
            elif op == "delete_run":
                run.lifecycle_stage = "deleted"
            elif op == "restore_run":
                run.lifecycle_stage = "active"
            elif op == "purge_run":  # gone for good, as after `mlflow gc`
                del ws.runs[run.run_id]
                for key in set(run.latest) | set(run.series):
                    ws.cache.invalidate((run.run_id, key))
                    ws.bulk_counts.pop((run.run_id, key), None)
            elif op == "extend":
                key = str(body["key"])
                count = int(body.get("steps", 1))
                points = ws._materialize(run, key)
                if not points:
                    raise MlflowError(f"run {run.run_id} has no metric {key!r} to extend")
                v, ts, s = points[-1]
                salt = int(unit_hash(run.run_id, key) * 4294967295)
                for k in range(1, count + 1):
                    trend = 0.999 if metric_kind(key) in ("loss", "logloss", "grad") else 1.0005
                    v = v * trend * (1 + 0.01 * step_noise(salt, s + k)) if v == v else v
                    if metric_kind(key) in ("accuracy", "auc"):
                        v = min(v, 1.0)
                    ws.log_metric(run, key, v, ts + k * 1000, s + k)
            else:
                raise ValueError(f"unknown mutate op {op!r}")
            return {"run": run.to_json()}


# ----------------------------------------------------------------------------------------------
# HTTP server
# ----------------------------------------------------------------------------------------------

_date_cache = [0, ""]


def _http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[1] = email.utils.formatdate(now, usegmt=True)
        _date_cache[0] = now
    return _date_cache[1]


_REASONS = {s.value: s.phrase for s in http.HTTPStatus}


class RequestHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive. The request line and headers are parsed here directly (no
    email.parser) to keep the per-request cost small; every response carries Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "mlflow-test-server"
    disable_nagle_algorithm = True
    timeout = 300

    def log_message(self, format, *args):  # noqa: A002 - no per-request logging
        pass

    def handle_one_request(self):
        try:
            line = self.rfile.readline(65537)
        except (OSError, ValueError):
            self.close_connection = True
            return
        if not line:
            self.close_connection = True
            return
        if line in (b"\r\n", b"\n"):
            return
        parts = line.split()
        if len(parts) != 3 or len(line) > 65536:
            self._write(Response(400, CT_HTML, HTML_400), close=True)
            self.close_connection = True
            return
        method = parts[0].decode("latin-1")
        target = parts[1].decode("latin-1")
        version = parts[2].decode("latin-1")
        headers = {}
        try:
            while True:
                h = self.rfile.readline(65537)
                if not h or h in (b"\r\n", b"\n"):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
        except (OSError, ValueError):
            self.close_connection = True
            return
        connection = headers.get("connection", "").lower()
        close = ("keep-alive" not in connection) if version == "HTTP/1.0" else (
            "close" in connection)
        self.close_connection = close  # BaseHTTPRequestHandler.handle() starts with True
        try:
            body = self._read_body(headers)
        except (OSError, ValueError):
            self.close_connection = True
            return
        if target.startswith("http://") or target.startswith("https://"):
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        app = self.server.app
        api = not target.startswith("/__control/")
        if api:
            app.request_began()
        try:
            response, fault = app.dispatch(method, target, body)
            if fault is not None and fault.kind == "drop":
                self._drop()
                return
            truncate = fault is not None and fault.kind == "truncate"
            self._write(response, close=close or truncate, head=(method == "HEAD"),
                        truncate=truncate)
        finally:
            if api:
                app.request_ended()
        if close or truncate:
            self.close_connection = True

    def _read_body(self, headers):
        if headers.get("expect", "").lower() == "100-continue":
            self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = headers.get("content-length")
        if length:
            n = int(length)
            if n < 0:
                raise ValueError("negative Content-Length")
            return self.rfile.read(n)
        return b""

    def _write(self, response, close=False, head=False, truncate=False):
        body = response.body
        parts = None
        if isinstance(body, list):
            parts, body = body, None
            if truncate:
                body, parts = b"".join(parts), None
        length = sum(map(len, parts)) if parts is not None else len(body)
        head_lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}\r\n"
                      f"Server: {self.server_version}\r\nDate: {_http_date()}\r\n"
                      f"Content-Type: {response.ctype}\r\nContent-Length: {length}\r\n"]
        for name, value in response.headers:
            head_lines.append(f"{name}: {value}\r\n")
        if close:
            head_lines.append("Connection: close\r\n")
        head_lines.append("\r\n")
        head_bytes = "".join(head_lines).encode("latin-1")
        try:
            if head:
                self.connection.sendall(head_bytes)
            elif parts is not None:
                self._send_parts([head_bytes] + parts)
            elif truncate:
                self.connection.sendall(head_bytes + body[:len(body) // 2])
                self._drop()
            elif len(body) < 262144:
                self.connection.sendall(head_bytes + body)
            else:
                self.connection.sendall(head_bytes)
                self.connection.sendall(body)
        except OSError:
            self.close_connection = True

    def _send_parts(self, parts):
        """Writes the buffers in order with sendmsg (no copy in Python), resuming partial writes."""
        views = [memoryview(p) for p in parts if p]
        i = 0
        while i < len(views):
            sent = self.connection.sendmsg(views[i:i + 512])
            while sent and i < len(views):
                n = len(views[i])
                if sent >= n:
                    sent -= n
                    i += 1
                else:
                    views[i] = views[i][sent:]
                    sent = 0

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass


SEND_BUFFER_BYTES = 4 << 20


class MlflowTestHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not delay stop()
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, app):
        self.app = app
        super().__init__(address, RequestHandler)

    def get_request(self):
        conn, addr = super().get_request()
        # Room for a whole answer (a full get-history-bulk page is under 3 MB) in the socket's
        # send buffer, so a handler hands it to the kernel in one call and goes on to the next
        # request instead of waking each time the client has read 16-64 KB more. The kernel
        # caps it at net.core.wmem_max. Every client of this server gets the same.
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        except OSError:
            pass
        return conn, addr

    def server_bind(self):
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall without DNS
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


# ----------------------------------------------------------------------------------------------
# Module API
# ----------------------------------------------------------------------------------------------

def build_workspace(fixtures=None, generate=None, cache_mb=1536, clock=None):
    if fixtures and generate:
        raise ValueError("--fixtures and --generate cannot be combined")
    ws = Workspace(clock=clock or Clock(), cache_bytes=int(cache_mb) << 20)
    if fixtures:
        build_fixture_workspace(fixtures, ws)
    elif generate is not None:
        spec = parse_generate_spec(generate) if isinstance(generate, str) else dict(
            DEFAULT_GENERATE, **generate)
        build_generated_workspace(spec, ws)
    return ws


class TestServer:
    """An in-process server on a background thread."""

    __test__ = False  # not a unittest/pytest test class

    def __init__(self, workspace, host="127.0.0.1", port=0):
        self.workspace = workspace
        self.app = App(workspace)
        self.httpd = MlflowTestHTTPServer((host, port), self.app)
        self.app.shutdown_hook = self.httpd.shutdown
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.1,),
                                       name="mlflow-test-server", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_server(fixtures=None, generate=None, host="127.0.0.1", port=0, cache_mb=1536,
                 frozen_clock_ms=None):
    """Build a workspace and serve it in this process; returns a started TestServer."""
    ws = build_workspace(fixtures, generate, cache_mb)
    if frozen_clock_ms is not None:
        ws.clock.frozen_ms = frozen_clock_ms
    return TestServer(ws, host, port).start()


def _write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="MLflow 2.17.2-compatible REST test server (standard library only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--fixtures", metavar="DIR", help="serve the recorded fixture data set")
    parser.add_argument("--generate", metavar="SPEC",
                        help='generated workspace, e.g. "experiments=4,runs=2000,metrics=5,'
                             'steps=1000,params=5,seed=1"')
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="exit by itself after this many seconds (0 = never)")
    parser.add_argument("--cache-mb", type=int, default=1536,
                        help="memory budget for cached get-history bodies (2,000 runs x 5 metrics "
                             "x 1,000 steps need about 1,200)")
    parser.add_argument("--clock", default=None,
                        help="'real', or a frozen time in ms since the epoch (fixtures default to "
                             "the capture's write time)")
    parser.add_argument("--prewarm", action="store_true",
                        help="serialize every history into the cache on a background thread")
    parser.add_argument("--bulk-max-points", type=int, default=None, metavar="N",
                        help="cut get-history-bulk answers at N points instead of 25,000, as a "
                             "server with a lower limit would")
    args = parser.parse_args(argv)
    if args.bulk_max_points is not None:
        global BULK_HISTORY_MAX
        BULK_HISTORY_MAX = max(1, args.bulk_max_points)
    if args.fixtures and args.generate:
        parser.error("--fixtures and --generate cannot be combined")
    try:
        ws = build_workspace(args.fixtures, args.generate, args.cache_mb)
    except (OSError, ValueError) as err:
        parser.error(str(err))
    if args.clock == "real":
        ws.clock.frozen_ms = None
    elif args.clock:
        ws.clock.frozen_ms = int(args.clock)
    app = App(ws)
    httpd = MlflowTestHTTPServer((args.host, args.port), app)
    app.shutdown_hook = httpd.shutdown
    port = httpd.server_address[1]
    if args.max_seconds and args.max_seconds > 0:
        timer = threading.Timer(args.max_seconds, httpd.shutdown)
        timer.daemon = True
        timer.start()
    if args.prewarm:
        start_prewarm(ws)
    if args.port_file:
        _write_port_file(args.port_file, port)
    print(f"mlflow test server listening on http://{args.host}:{port} "
          f"({len(ws.experiments)} experiments, {len(ws.runs)} runs, {len(ws.models)} models)",
          flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


def start_prewarm(ws):
    """Serialize every history into the cache on a background thread, in the order a syncing
    client asks for them (newest runs first); progress shows in /__control/stats."""
    with ws.lock:
        if ws.prewarm["state"] == "running":
            return
        runs = sorted(ws.runs.values(), key=lambda r: (-(r.start_time or 0), r.run_id))
        keys = [(run.run_id, key) for run in runs for key in run.latest]
        ws.prewarm = {"state": "running", "done": 0, "total": len(keys)}

    def work():
        for run_id, key in keys:
            ws.history_body(run_id, key)
            ws.prewarm["done"] += 1
            if ws.cache.size >= ws.cache.budget * 0.95:
                ws.prewarm["state"] = "cache full"
                return
        ws.prewarm["state"] = "done"

    threading.Thread(target=work, name="prewarm", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
