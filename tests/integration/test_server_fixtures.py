#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the MLflow test server (tests/support/mlflow_test_server.py) against the recorded
MLflow 2.17.2 fixtures, then its fault injection and its generated workspace.

Every request listed in the fixtures' README.txt is replayed in order against a server started with
--fixtures; JSON answers must match the recording exactly (status, content type, parsed body with
key order and exact numbers, and the raw bytes), text answers byte for byte, HTML error pages by
status and content type.

    python3 tests/integration/test_server_fixtures.py [--fixtures DIR] [unittest options]

The fixtures folder comes from --fixtures, else $SIGHTLINE_FIXTURES, else
<repo>/../shared/fixtures/mlflow-2.17.2. Standard library only.
"""

import base64
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
from pathlib import Path

sys.dont_write_bytecode = True  # importing the server module must not leave __pycache__ behind

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = REPO_ROOT / "tests" / "support" / "mlflow_test_server.py"
FIXTURES = None  # set in __main__ / by fixtures_dir()

GENERATE_SPEC = "experiments=4,runs=2000,metrics=5,steps=1000,params=5,seed=7"

# Write requests whose recorded error message embeds the server's wall-clock time at capture.
MESSAGES_WITH_CAPTURE_TIME = {
    "error.experiments-create-duplicate.json",
    "error.registered-models-create-duplicate.json",
}


def fixtures_dir():
    global FIXTURES
    if FIXTURES is None:
        FIXTURES = Path(os.environ.get("SIGHTLINE_FIXTURES")
                        or REPO_ROOT.parent / "shared" / "fixtures" / "mlflow-2.17.2")
    return Path(FIXTURES)


def parse_readme(path):
    """Entries of README.txt: name, method, path, body (None for '-'), status, content type."""
    entries, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"[\w.\-]+\.(json|txt|html)", line):
            current = {"name": line}
            entries.append(current)
        elif current is not None:
            m = re.fullmatch(r"    (GET|POST|PUT|PATCH|DELETE) (\S+)", line)
            if m:
                current["method"], current["path"] = m.groups()
            m = re.fullmatch(r"    body:   (.*)", line)
            if m:
                current["body"] = None if m.group(1) == "-" else m.group(1)
            m = re.fullmatch(r"    status: (\d+)\s+content-type: (.*)", line)
            if m:
                current["status"], current["ctype"] = int(m.group(1)), m.group(2).strip()
    return [e for e in entries if "method" in e and "status" in e]


class ServerProcess:
    """The test server as a subprocess on a free port."""

    def __init__(self, *args, max_seconds=120):
        self.tmp = tempfile.TemporaryDirectory(prefix="mlflow-test-server-")
        port_file = Path(self.tmp.name) / "port"
        self.log_path = Path(self.tmp.name) / "server.log"
        self.log = open(self.log_path, "wb")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--port", "0", "--port-file", str(port_file),
             "--max-seconds", str(max_seconds), *args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = started + 30
        while not port_file.exists():
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError("test server exited: " + self.log_path.read_text())
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("test server did not start within 30 s")
            time.sleep(0.02)
        self.startup_seconds = time.monotonic() - started
        self.port = int(port_file.read_text().strip())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        output = self.log_path.read_text(errors="replace")
        if "Traceback" in output:  # a crash inside the server: show it with the test results
            sys.stderr.write("test server output:\n" + output)
        self.tmp.cleanup()

    def connection(self, timeout=20):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, conn=None, headers=None):
        """(status, headers dict lower-cased, body bytes); a fresh connection unless given."""
        own = conn is None
        conn = conn or self.connection()
        try:
            hdrs = dict(headers or {})
            if body is not None:
                if not isinstance(body, (bytes, str)):
                    body = json.dumps(body)
                if isinstance(body, str):
                    body = body.encode("utf-8")
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            if own:
                conn.close()

    def json(self, method, path, body=None, conn=None):
        status, headers, data = self.request(method, path, body, conn)
        return status, json.loads(data)

    def control(self, method, name, body=None):
        status, headers, data = self.request(method, "/__control/" + name, body)
        if status != 200:
            raise AssertionError(f"control {name}: {status} {data!r}")
        return json.loads(data)


def assert_same_json(test, got, want, where="$"):
    """Equality of parsed JSON including key order and number types (1.0 is not 1)."""
    test.assertIs(type(got), type(want), f"{where}: type {type(got).__name__} != "
                                         f"{type(want).__name__} ({got!r} vs {want!r})")
    if isinstance(want, dict):
        test.assertEqual(list(got.keys()), list(want.keys()), f"{where}: keys or key order")
        for key in want:
            assert_same_json(test, got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        test.assertEqual(len(got), len(want), f"{where}: list length")
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same_json(test, g, w, f"{where}[{i}]")
    else:
        test.assertEqual(got, want, f"{where}: value")


def without_capture_time(obj):
    obj = dict(obj)
    obj["message"] = re.sub(r"\b\d{13}\b", "<now>", obj["message"])
    return obj


class FixtureReplayTest(unittest.TestCase):
    """Every recorded request, in README order (some are writes the later ones depend on)."""

    @classmethod
    def setUpClass(cls):
        cls.entries = parse_readme(fixtures_dir() / "README.txt")
        cls.server = ServerProcess("--fixtures", str(fixtures_dir()))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_readme_lists_requests(self):
        self.assertGreaterEqual(len(self.entries), 80)

    def test_replay_every_recorded_request(self):
        raw_dir = fixtures_dir() / "raw"
        conn = self.server.connection()
        checked = 0
        try:
            for entry in self.entries:
                name = entry["name"]
                with self.subTest(fixture=name):
                    body = entry.get("body")
                    status, headers, data = self.server.request(
                        entry["method"], entry["path"], body, conn=conn)
                    self.assertEqual(status, entry["status"], f"{name}: status ({data[:200]!r})")
                    self.assertEqual(headers.get("content-type"), entry["ctype"],
                                     f"{name}: content type")
                    self.assertEqual(int(headers.get("content-length", -1)), len(data))
                    raw_path = raw_dir / (name.rsplit(".", 1)[0] + ".body")
                    raw = raw_path.read_bytes() if raw_path.exists() else None
                    if name.endswith(".json"):
                        want = json.loads((fixtures_dir() / name).read_bytes())
                        got = json.loads(data)
                        if name in MESSAGES_WITH_CAPTURE_TIME:
                            got, want = without_capture_time(got), without_capture_time(want)
                            assert_same_json(self, got, want)
                        else:
                            assert_same_json(self, got, want)
                            if raw is not None:
                                self.assertEqual(data, raw, f"{name}: body bytes")
                    elif name.endswith(".txt"):
                        self.assertEqual(data, raw if raw is not None else
                                         (fixtures_dir() / name).read_bytes(), f"{name}: body")
                    checked += 1
        finally:
            conn.close()
        self.assertEqual(checked, len(self.entries))


class FixtureBehaviourTest(unittest.TestCase):
    """Quirks and write paths on the fixture data set, beyond the recorded requests."""

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess("--fixtures", str(fixtures_dir()))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_ajax_prefix_serves_the_same(self):
        a = self.server.request("GET", "/api/2.0/mlflow/experiments/get?experiment_id=2")
        b = self.server.request("GET", "/ajax-api/2.0/mlflow/experiments/get?experiment_id=2")
        self.assertEqual(a[0], 200)
        self.assertEqual(a[2], b[2])
        status, _, _ = self.server.request("GET", "/api/2.0/mlflow/metrics/get-history-bulk"
                                                  "?run_id=x&metric_key=loss")
        self.assertEqual(status, 404, "get-history-bulk exists only under /ajax-api")

    def test_keep_alive_on_one_connection(self):
        conn = self.server.connection()
        try:
            for _ in range(20):
                status, headers, _ = self.server.request("GET", "/health", conn=conn)
                self.assertEqual(status, 200)
                self.assertNotEqual(headers.get("connection", "").lower(), "close")
            sock_before = conn.sock
            self.server.request("GET", "/version", conn=conn)
            self.assertIs(conn.sock, sock_before, "the connection was reopened")
        finally:
            conn.close()

    def test_paging_exact_multiple_ends_with_empty_page(self):
        ids, token, pages = [], None, 0
        while True:
            body = {"experiment_ids": ["1"], "max_results": 7}
            if token:
                body["page_token"] = token
            status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", body)
            self.assertEqual(status, 200)
            pages += 1
            ids += [r["info"]["run_id"] for r in page.get("runs", [])]
            token = page.get("next_page_token")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(page, {})
        self.assertEqual(len(ids), 14)
        self.assertEqual(len(set(ids)), 14)
        self.assertEqual(json.loads(base64.b64decode("eyJvZmZzZXQiOiAxNH0=")), {"offset": 14})

    def test_children_found_by_parent_tag(self):
        parent = "9430b94582494e97986929aa530e9fe0"
        status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["1"], "filter": f"tags.mlflow.parentRunId = '{parent}'"})
        self.assertEqual(status, 200)
        self.assertEqual(sorted(r["info"]["run_name"] for r in page["runs"]),
                         ["lr-sweep-child-0", "lr-sweep-child-1"])

    def test_filters_and_order(self):
        status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["1"], "filter": "metrics.val_loss < 0.5 AND tags.framework = "
                                               "'pytorch'", "order_by": ["metrics.val_loss ASC"]})
        self.assertEqual(status, 200)
        losses = [next(m["value"] for m in r["data"]["metrics"] if m["key"] == "val_loss")
                  for r in page["runs"]]
        self.assertTrue(losses and all(v < 0.5 for v in losses))
        self.assertEqual(losses, sorted(losses))
        for bad in ("metrics.val_loss < 'x' OR", "params.lr > 1", "unknown.x = 'y'",
                    "metrics.x = ", "status = RUNNING"):
            status, err = self.server.json("POST", "/api/2.0/mlflow/runs/search",
                                           {"experiment_ids": ["1"], "filter": bad})
            self.assertEqual(status, 400, bad)
            self.assertEqual(err["error_code"], "INVALID_PARAMETER_VALUE", bad)

    def test_histories_are_whole_and_end_at_latest_metric(self):
        status, run = self.server.json(
            "GET", "/api/2.0/mlflow/runs/get?run_id=fd4f6e4973cd4908b2833d1593ebce78")
        self.assertEqual(status, 200)
        for metric in run["run"]["data"]["metrics"]:
            q = urllib.parse.urlencode({"run_id": run["run"]["info"]["run_id"],
                                        "metric_key": metric["key"]})
            status, hist = self.server.json("GET", "/api/2.0/mlflow/metrics/get-history?" + q)
            points = hist["metrics"]
            self.assertEqual([p["step"] for p in points], list(range(metric["step"] + 1)))
            self.assertEqual(points[-1], metric)

    def test_write_endpoints_round_trip(self):
        s = self.server
        status, created = s.json("POST", "/api/2.0/mlflow/runs/create", {
            "experiment_id": "3", "run_name": "live-tail", "start_time": 1795800000000,
            "tags": [{"key": "mlflow.parentRunId", "value": "23c02252071c486a86a368570735abf8"}]})
        self.assertEqual(status, 200)
        run_id = created["run"]["info"]["run_id"]
        self.assertEqual(created["run"]["info"]["status"], "RUNNING")
        self.assertEqual(created["run"]["inputs"], {})
        metrics = [{"key": "loss", "value": v, "timestamp": 1795800000000 + i, "step": i}
                   for i, v in enumerate([2.0, "NaN", float("inf"), 1.5])]
        status, body = s.json("POST", "/api/2.0/mlflow/runs/log-batch", {
            "run_id": run_id, "metrics": metrics, "params": [{"key": "lr", "value": "0.1"}],
            "tags": [{"key": "stage", "value": "tail"}]})
        self.assertEqual((status, body), (200, {}))
        status, _, raw = s.request("GET", "/api/2.0/mlflow/metrics/get-history?run_id="
                                   + run_id + "&metric_key=loss")
        hist = json.loads(raw)
        self.assertEqual([m["value"] for m in hist["metrics"]],
                         [2.0, "NaN", 1.7976931348623157e+308, 1.5])
        self.assertIn(b'"value": 1.7976931348623157e+308', raw)
        s.json("POST", "/api/2.0/mlflow/runs/log-batch", {
            "run_id": run_id, "metrics": [{"key": "loss", "value": 1.25, "timestamp": 1, "step": 4}]})
        status, hist = s.json("GET", "/api/2.0/mlflow/metrics/get-history?run_id=" + run_id
                              + "&metric_key=loss")
        self.assertEqual(len(hist["metrics"]), 5, "the cached history was not refreshed")
        status, upd = s.json("POST", "/api/2.0/mlflow/runs/update", {
            "run_id": run_id, "status": "FINISHED", "end_time": 1795800009999})
        self.assertEqual(upd["run_info"]["status"], "FINISHED")
        self.assertEqual(upd["run_info"]["end_time"], 1795800009999)
        status, err = s.json("POST", "/api/2.0/mlflow/runs/log-batch", {
            "run_id": run_id, "params": [{"key": "lr", "value": "0.2"}]})
        self.assertEqual((status, err["error_code"]), (400, "INVALID_PARAMETER_VALUE"))
        self.assertEqual(s.json("POST", "/api/2.0/mlflow/runs/delete", {"run_id": run_id}),
                         (200, {}))
        status, page = s.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["3"], "run_view_type": "DELETED_ONLY"})
        self.assertEqual([r["info"]["run_id"] for r in page["runs"]], [run_id])
        s.json("POST", "/api/2.0/mlflow/runs/restore", {"run_id": run_id})
        status, exp = s.json("POST", "/api/2.0/mlflow/experiments/create", {"name": "new-exp"})
        self.assertEqual((status, exp), (200, {"experiment_id": "4"}))

    def test_registry_writes(self):
        s = self.server
        status, rm = s.json("POST", "/api/2.0/mlflow/registered-models/create",
                            {"name": "sightline-model", "tags": [{"key": "team", "value": "a"}]})
        self.assertEqual(status, 200)
        for run_id in ("c3b1acfb0ba844518ac8a56edf86f9bd", "cfef4243809e4ed6b71f16ee4c8e8c11"):
            status, mv = s.json("POST", "/api/2.0/mlflow/model-versions/create", {
                "name": "sightline-model", "source": f"runs:/{run_id}/model", "run_id": run_id})
            self.assertEqual(status, 200)
        self.assertEqual(mv["model_version"]["version"], "2")
        s.json("POST", "/api/2.0/mlflow/model-versions/transition-stage", {
            "name": "sightline-model", "version": "1", "stage": "production",
            "archive_existing_versions": False})
        status, mv = s.json("POST", "/api/2.0/mlflow/model-versions/transition-stage", {
            "name": "sightline-model", "version": "2", "stage": "Production",
            "archive_existing_versions": True})
        self.assertEqual(mv["model_version"]["current_stage"], "Production")
        status, got = s.json("GET", "/api/2.0/mlflow/registered-models/get?name=sightline-model")
        self.assertEqual([(v["version"], v["current_stage"])
                          for v in got["registered_model"]["latest_versions"]],
                         [("1", "Archived"), ("2", "Production")])
        s.json("POST", "/api/2.0/mlflow/registered-models/alias",
               {"name": "sightline-model", "alias": "champion", "version": "2"})
        status, mv = s.json("GET", "/api/2.0/mlflow/registered-models/alias?name=sightline-model"
                                   "&alias=champion")
        self.assertEqual((status, mv["model_version"]["aliases"]), (200, ["champion"]))
        status, _, _ = s.request("DELETE", "/api/2.0/mlflow/registered-models/alias",
                                 {"name": "sightline-model", "alias": "champion"})
        self.assertEqual(status, 200)
        status, err = s.json("GET", "/api/2.0/mlflow/registered-models/alias?name=sightline-model"
                                    "&alias=champion")
        self.assertEqual((status, err["error_code"]), (400, "INVALID_PARAMETER_VALUE"))
        s.json("POST", "/api/2.0/mlflow/model-versions/set-tag", {
            "name": "sightline-model", "version": "2", "key": "gate", "value": "passed"})
        status, _, _ = s.request("DELETE", "/api/2.0/mlflow/model-versions/delete-tag", {
            "name": "sightline-model", "version": "2", "key": "gate"})
        self.assertEqual(status, 200)
        status, mv = s.json("GET", "/api/2.0/mlflow/model-versions/get?name=sightline-model"
                                   "&version=2")
        self.assertNotIn("tags", mv["model_version"])
        status, err = s.json("POST", "/api/2.0/mlflow/model-versions/transition-stage", {
            "name": "sightline-model", "version": "9", "stage": "Staging"})
        self.assertEqual((status, err["error_code"]), (404, "RESOURCE_DOES_NOT_EXIST"))


class ControlAndModuleTest(unittest.TestCase):
    """The /__control/ clock and mutations, and the in-process module API."""

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess("--fixtures", str(fixtures_dir()))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_clock_and_mutations(self):
        s = self.server
        self.assertEqual(s.control("GET", "clock"), {"now_ms": 1795700063116, "frozen": True})
        s.control("POST", "clock", {"now_ms": 1800000000000})
        status, exp = s.json("POST", "/api/2.0/mlflow/experiments/create", {"name": "clocked"})
        status, got = s.json("GET", "/api/2.0/mlflow/experiments/get?experiment_id="
                             + exp["experiment_id"])
        self.assertEqual(got["experiment"]["creation_time"], 1800000000000)
        self.assertFalse(s.control("POST", "clock", {"real": True})["frozen"])
        run_id = "23c02252071c486a86a368570735abf8"
        out = s.control("POST", "mutate", {"op": "extend", "run_id": run_id, "key": "loss",
                                           "steps": 30})
        latest = {m["key"]: m for m in out["run"]["data"]["metrics"]}
        self.assertEqual(latest["loss"]["step"], 149)
        status, hist = s.json("GET", f"/api/2.0/mlflow/metrics/get-history?run_id={run_id}"
                                     "&metric_key=loss")
        self.assertEqual([m["step"] for m in hist["metrics"]], list(range(150)))
        s.control("POST", "mutate", {"op": "set_status", "run_id": run_id, "status": "FINISHED"})
        status, got = s.json("GET", f"/api/2.0/mlflow/runs/get?run_id={run_id}")
        self.assertEqual(got["run"]["info"]["status"], "FINISHED")
        self.assertIn("end_time", got["run"]["info"])
        status, _, _ = s.request("POST", "/__control/mutate", {"op": "explode", "run_id": run_id})
        self.assertEqual(status, 400)

    def test_in_process_server(self):
        sys.path.insert(0, str(SERVER_SCRIPT.parent))
        try:
            import mlflow_test_server as mts
        finally:
            sys.path.pop(0)
        server = mts.start_server(generate="experiments=2,runs=30,metrics=2,steps=50,seed=3")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("POST", "/api/2.0/mlflow/runs/search",
                         body=json.dumps({"experiment_ids": ["1", "2"]}))
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(len(json.loads(resp.read())["runs"]), 30)
            conn.request("POST", "/__control/prewarm")
            conn.getresponse().read()
            deadline = time.monotonic() + 20
            while True:
                conn.request("GET", "/__control/stats")
                stats = json.loads(conn.getresponse().read())
                if stats["prewarm"]["state"] == "done" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(stats["prewarm"], {"state": "done", "done": 60, "total": 60})
            self.assertEqual(stats["history_cache"]["entries"], 60)
            conn.close()
        finally:
            server.stop()


class FaultInjectionTest(unittest.TestCase):
    PATH = "/api/2.0/mlflow/experiments/get?experiment_id=1"

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess("--fixtures", str(fixtures_dir()))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.control("POST", "reset")

    def inject(self, kind, count=1, **extra):
        spec = {"path_contains": "experiments/get", "kind": kind, "count": count, **extra}
        return self.server.control("POST", "faults", {"faults": [spec]})

    def test_503_and_429_carry_retry_after(self):
        for kind, code in (("503", "TEMPORARILY_UNAVAILABLE"), ("429", "RESOURCE_EXHAUSTED")):
            self.inject(kind, count=2, retry_after=3)
            for _ in range(2):
                status, headers, data = self.server.request("GET", self.PATH)
                self.assertEqual(status, int(kind))
                self.assertEqual(headers.get("retry-after"), "3")
                self.assertEqual(headers.get("content-type"), "application/json")
                self.assertEqual(json.loads(data)["error_code"], code)
            status, _, _ = self.server.request("GET", self.PATH)
            self.assertEqual(status, 200, "the fault outlived its count")

    def test_500_is_an_html_page(self):
        self.inject("500")
        status, headers, data = self.server.request("GET", self.PATH)
        self.assertEqual(status, 500)
        self.assertEqual(headers.get("content-type"), "text/html; charset=utf-8")
        self.assertIn(b"Internal Server Error", data)

    def test_slow_answers_after_the_delay(self):
        self.inject("slow", delay_ms=300)
        started = time.monotonic()
        status, _, _ = self.server.request("GET", self.PATH)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.29)

    def test_drop_closes_without_answer(self):
        self.inject("drop")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError,
                                http.client.BadStatusLine)):
            self.server.request("GET", self.PATH)
        self.assertEqual(self.server.request("GET", self.PATH)[0], 200)

    def test_truncate_sends_half_the_announced_body(self):
        self.inject("truncate")
        conn = self.server.connection()
        try:
            conn.request("GET", self.PATH)
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            announced = int(resp.getheader("Content-Length"))
            with self.assertRaises(http.client.IncompleteRead) as ctx:
                resp.read()
            self.assertEqual(len(ctx.exception.partial), announced // 2)
        finally:
            conn.close()

    def test_invalid_json_and_html_200s(self):
        self.inject("invalid_json")
        status, headers, data = self.server.request("GET", self.PATH)
        self.assertEqual((status, headers.get("content-type")), (200, "application/json"))
        self.assertEqual(data, b'{"runs": [ {"info": ')
        with self.assertRaises(ValueError):
            json.loads(data)
        self.inject("html")
        status, headers, data = self.server.request("GET", self.PATH)
        self.assertEqual((status, headers.get("content-type")), (200, "text/html; charset=utf-8"))
        self.assertTrue(data.lstrip().lower().startswith(b"<!doctype html"))

    def test_faults_match_paths_and_reset_clears_them(self):
        self.server.control("POST", "faults", {"faults": [
            {"path_contains": "runs/search", "kind": "503", "count": 5}]})
        self.assertEqual(self.server.request("GET", self.PATH)[0], 200)
        self.server.control("POST", "reset")
        status, _ = self.server.json("POST", "/api/2.0/mlflow/runs/search",
                                     {"experiment_ids": ["1"], "max_results": 1})
        self.assertEqual(status, 200)
        self.assertEqual(self.server.control("GET", "faults"), {"faults": []})

    def test_stats_count_requests_per_path(self):
        self.server.control("POST", "stats/reset")
        for _ in range(3):
            self.server.request("GET", self.PATH)
        self.server.request("GET", "/health")
        stats = self.server.control("GET", "stats")
        self.assertEqual(stats["requests"], 4)
        self.assertEqual(stats["by_path"], {"/api/2.0/mlflow/experiments/get": 3, "/health": 1})

    def test_unknown_fault_kind_is_rejected(self):
        status, _, _ = self.server.request("POST", "/__control/faults", {
            "faults": [{"path_contains": "x", "kind": "explode"}]})
        self.assertEqual(status, 400)


class GeneratedWorkspaceTest(unittest.TestCase):
    """--generate with 2,000 runs x 5 metrics x 1,000 steps (10M points, histories lazy)."""

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess("--generate", GENERATE_SPEC)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def search_all(self, max_results, experiment_ids=("1", "2", "3", "4"), **extra):
        runs, pages, token, last = [], 0, None, None
        conn = self.server.connection()
        try:
            while True:
                body = {"experiment_ids": list(experiment_ids), "max_results": max_results,
                        **extra}
                if token:
                    body["page_token"] = token
                status, last = self.server.json("POST", "/api/2.0/mlflow/runs/search", body, conn)
                self.assertEqual(status, 200)
                pages += 1
                runs += last.get("runs", [])
                token = last.get("next_page_token")
                if not token:
                    return runs, pages, last
        finally:
            conn.close()

    def test_starts_fast(self):
        self.assertLess(self.server.startup_seconds, 15)

    def test_paging_over_2000_runs_exact_multiple(self):
        runs, pages, last = self.search_all(500)
        self.assertEqual(pages, 5)
        self.assertEqual(last, {})
        ids = [r["info"]["run_id"] for r in runs]
        self.assertEqual(len(ids), 2000)
        self.assertEqual(len(set(ids)), 2000)
        starts = [r["info"]["start_time"] for r in runs]
        self.assertEqual(starts, sorted(starts, reverse=True))
        runs, pages, last = self.search_all(1000)
        self.assertEqual((len(runs), pages, last), (2000, 3, {}))
        runs, pages, last = self.search_all(300)
        self.assertEqual((len(runs), pages), (2000, 7))
        self.assertNotIn("next_page_token", last)

    def test_experiments_and_running_filter(self):
        status, exps = self.server.json("GET", "/api/2.0/mlflow/experiments/search?max_results=10")
        self.assertEqual(len(exps["experiments"]), 5)
        running, _, _ = self.search_all(1000, filter="attributes.status = 'RUNNING'")
        self.assertEqual(len(running), 20)

    def test_history_lengths_and_latest(self):
        status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["1", "4"], "max_results": 1000})
        chosen = page["runs"][:2] + page["runs"][-2:]
        conn = self.server.connection()
        try:
            self.assertIn("RUNNING", {r["info"]["status"] for r in chosen})
            for run in chosen:
                expected = 1000  # every generated history has `steps` points, whatever the status
                self.assertEqual(len(run["data"]["metrics"]), 5)
                self.assertEqual(len(run["data"]["params"]), 5)
                for metric in run["data"]["metrics"]:
                    path = "/api/2.0/mlflow/metrics/get-history?" + urllib.parse.urlencode({
                        "run_id": run["info"]["run_id"], "metric_key": metric["key"],
                        "max_results": 10})
                    status, _, first = self.server.request("GET", path, conn=conn)
                    status, _, again = self.server.request("GET", path, conn=conn)
                    self.assertEqual(first, again)
                    points = json.loads(first)["metrics"]
                    self.assertEqual(len(points), expected)
                    self.assertEqual([p["step"] for p in points], list(range(expected)))
                    self.assertEqual(points[-1], metric)
        finally:
            conn.close()

    def test_bulk_interval_and_bulk_cut(self):
        status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["2"], "max_results": 30, "filter": "attributes.status = "
                                                                  "'FINISHED'"})
        ids = [r["info"]["run_id"] for r in page["runs"]]
        q = urllib.parse.urlencode([("run_ids", ids[0]), ("run_ids", ids[1]),
                                    ("metric_key", "loss"), ("max_results", 100)])
        status, body = self.server.json("GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval?"
                                        + q)
        self.assertEqual(status, 200)
        steps = [m["step"] for m in body["metrics"] if m["run_id"] == ids[0]]
        self.assertEqual(steps[0], 0)
        self.assertEqual(steps[-1], 999)
        self.assertEqual(len(steps), 101)
        q = urllib.parse.urlencode([("run_id", i) for i in ids] + [("metric_key", "loss")])
        status, headers, raw = self.server.request(
            "GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk?" + q)
        self.assertEqual(status, 200)
        self.assertTrue(raw.startswith(b'{"metrics":[{"key":"loss","run_id":'))
        points = json.loads(raw)["metrics"]
        self.assertEqual(len(points), 25000, "the answer must be cut silently at 25,000 points")
        self.assertEqual([p["run_id"] for p in points[::1000]],
                         [i for i in sorted(ids)[:25]])

    def test_log_batch_extends_a_generated_history(self):
        status, page = self.server.json("POST", "/api/2.0/mlflow/runs/search", {
            "experiment_ids": ["1", "2", "3", "4"], "max_results": 1,
            "filter": "attributes.status = 'RUNNING'"})
        run = page["runs"][0]
        run_id = run["info"]["run_id"]
        path = f"/api/2.0/mlflow/metrics/get-history?run_id={run_id}&metric_key=loss"
        status, hist = self.server.json("GET", path)
        self.assertEqual(len(hist["metrics"]), 1000)
        self.server.json("POST", "/api/2.0/mlflow/runs/log-batch", {"run_id": run_id, "metrics": [
            {"key": "loss", "value": 0.5, "timestamp": hist["metrics"][-1]["timestamp"] + 1000,
             "step": 1000}]})
        status, hist = self.server.json("GET", path)
        self.assertEqual(len(hist["metrics"]), 1001)
        status, got = self.server.json("GET", f"/api/2.0/mlflow/runs/get?run_id={run_id}")
        latest = {m["key"]: m for m in got["run"]["data"]["metrics"]}
        self.assertEqual((latest["loss"]["step"], latest["loss"]["value"]), (1000, 0.5))

    def test_generation_is_deterministic(self):
        sys.path.insert(0, str(SERVER_SCRIPT.parent))
        try:
            import mlflow_test_server as mts
        finally:
            sys.path.pop(0)
        spec = mts.parse_generate_spec(GENERATE_SPEC)
        ws = mts.build_generated_workspace(spec)
        local = list(ws.runs.values())
        for run in (local[0], local[999], local[-1]):
            status, got = self.server.json("GET", f"/api/2.0/mlflow/runs/get?run_id={run.run_id}")
            self.assertEqual(status, 200)
            assert_same_json(self, got["run"], json.loads(json.dumps(run.to_json())))

    def test_registry_exists(self):
        status, models = self.server.json("GET", "/api/2.0/mlflow/registered-models/search")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(models["registered_models"]), 3)
        for model in models["registered_models"]:
            self.assertEqual({a["alias"] for a in model["aliases"]}, {"champion", "challenger"})


def main():
    global FIXTURES
    argv = list(sys.argv)
    if "--fixtures" in argv:
        i = argv.index("--fixtures")
        FIXTURES = argv[i + 1]
        del argv[i:i + 2]
    if not (fixtures_dir() / "README.txt").exists():
        print(f"fixtures not found at {fixtures_dir()} (use --fixtures DIR or SIGHTLINE_FIXTURES)",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    program = unittest.main(argv=argv, exit=False, verbosity=1)
    print(f"finished in {time.monotonic() - started:.1f} s")
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
