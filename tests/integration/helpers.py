"""What the integration tests share: failing, waiting, the reference count, transcript lines made
from a fixture's own, a free loopback port, GET on the web port, and a World: `ccmeterd serve`
and hookctl on a copy of tests/fixtures/history in a temporary HOME, with nothing of the
developer's environment (no spawning, no real prices, UTC, no colours).

Imported by the test scripts beside it (`import helpers`); the scripts stay runnable by hand.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
FIXTURES = os.path.join(HERE, "..", "fixtures")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def wait_for(predicate, seconds, what, interval=0.02):
    """predicate()'s first true value, polled every `interval` s; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    fail(f"timed out after {seconds} s waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference(config_dir):
    """tests/tools/reference_count.py over a config dir: the totals every report must equal."""
    return json.loads(subprocess.run([sys.executable, os.path.join(TOOLS, "reference_count.py"), config_dir],
                                     check=True, capture_output=True, text=True).stdout)


def assistant_template(path):
    """The first priced assistant line of a transcript, parsed."""
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if record.get("type") == "assistant" and "usage" in (record.get("message") or {}) \
                    and record["message"].get("model") != "<synthetic>":
                return record
    fail(f"no assistant line in {path}")


def response_line(template, message_id, output_tokens, session_id=None, cwd=None, stamp_now=False):
    """A new response's line (its own message and request id), made from `template`; stamped
    with the current time when `stamp_now`, else with the template's."""
    record = json.loads(json.dumps(template))
    record["message"]["id"] = message_id
    record["requestId"] = "req_" + message_id
    record["uuid"] = message_id + "-uuid"
    record["message"]["usage"]["output_tokens"] = output_tokens
    if session_id:
        record["sessionId"] = session_id
    if cwd is not None:
        record["cwd"] = cwd
    if stamp_now:
        record["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return json.dumps(record, separators=(",", ":")) + "\n"


def web_get(port, path, token=None, host=None):
    """GET on 127.0.0.1:port: (status, Content-Type, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = "Bearer " + token
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, response.getheader("Content-Type", ""), body


class World:
    """ccmeterd serve + hookctl in the temporary HOME `work` (removed by the caller), on a copy of
    tests/fixtures/history: config dir work/claude, database work/data/usage.db, runtime dir
    work/run/ccmeter, the daemon's stderr in work/ccmeterd.log. `web_port` 0 lets the daemon
    pick one; `env` adds variables and `drop_env` removes inherited ones."""

    def __init__(self, hookctl, ccmeterd, work, web_port=0, env=None, drop_env=()):
        self.hookctl, self.ccmeterd = hookctl, ccmeterd
        self.work = work
        self.config = os.path.join(work, "claude")
        shutil.copytree(os.path.join(FIXTURES, "history", "projects"), os.path.join(self.config, "projects"))
        self.db = os.path.join(work, "data", "usage.db")
        self.runtime = os.path.join(work, "run", "ccmeter")
        self.web_port = web_port
        self.env = dict(os.environ, HOME=work, CLAUDE_CONFIG_DIR=self.config, CCMETER_DB=self.db,
                        CCMETER_RUNTIME_DIR=self.runtime, NO_COLOR="1", CCMETER_NO_SPAWN="1",
                        CCMETER_WEB_PORT=str(web_port),
                        CCMETER_PRICES=os.path.join(FIXTURES, "no-such-prices.json"),
                        XDG_CONFIG_HOME=os.path.join(work, "config"), TZ="UTC", **(env or {}))
        for name in drop_env:
            self.env.pop(name, None)
        self.daemon = None
        self.log = os.path.join(work, "ccmeterd.log")

    def start(self, **extra_env):
        """Starts the daemon and waits until it answers and has read the history."""
        self.daemon = subprocess.Popen([self.ccmeterd, "serve"], env=dict(self.env, **extra_env),
                                       stderr=open(self.log, "a"))
        wait_for(self.health_ok, 20, "the daemon to answer")

    def health(self):
        """`hookctl doctor --json`, or None while the daemon does not answer."""
        result = subprocess.run([self.hookctl, "doctor", "--json"], env=self.env, capture_output=True, text=True)
        try:
            return json.loads(result.stdout)
        except ValueError:
            return None

    def health_ok(self):
        result = subprocess.run([self.hookctl, "doctor"], env=self.env, capture_output=True, text=True)
        return "daemon:    ccmeterd" in result.stdout and "catching up" not in result.stdout

    def kill(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGKILL)
            self.daemon.wait(timeout=15)
        self.daemon = None

    def stop(self):
        """SIGTERM and wait: the daemon's exit code, None when none was running."""
        code = None
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            code = self.daemon.wait(timeout=15)
        self.daemon = None
        return code

    def web_token(self):
        token_file = os.path.join(self.runtime, "web.token")
        return wait_for(lambda: os.path.exists(token_file) and open(token_file).read().strip(), 10, "web.token")

    def run(self, *args, binary=None, env=None, check=True):
        """hookctl (or `binary`) with the world's environment; fails on a non-zero exit when `check`."""
        result = subprocess.run([binary or self.hookctl, *args], env=env or self.env, capture_output=True,
                                timeout=120)
        if check and result.returncode != 0:
            fail(f"{os.path.basename(binary or self.hookctl)} {' '.join(args)}: exit {result.returncode}, "
                 f"{result.stderr.decode(errors='replace')}")
        return result

    def out(self, *args, env=None):
        """hookctl's standard output as text (it must exit 0)."""
        return self.run(*args, env=env).stdout.decode()

    def stats(self, *args):
        return json.loads(self.out("stats", *args, "--json"))

    def tail_log(self, chars=3000):
        """The end of the daemon's log, for a failure's context."""
        return open(self.log).read()[-chars:] if os.path.exists(self.log) else ""
