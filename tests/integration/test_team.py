#!/usr/bin/env python3
"""Replication to a PostgreSQL team store (README, "Team store (PostgreSQL)"), against a real
PostgreSQL 15 this test starts itself.

    test_team.py --hookctl BIN --ccmeterd BIN

PostgreSQL: initdb into a temp dir and pg_ctl (as `nobody` through runuser when run as root:
postgres refuses root), listening only on a Unix socket in that dir, stopped afterwards.
`ccmeterd team init` makes the schema, `team add-member` the roles alice and bob.

Three daemons with their own HOMEs and machine names replicate to the store:
  alice@laptop   the fixture history and a generated one;
  alice@desktop  the same fixture history (a synced ~/.claude: the same responses) and another;
  bob@build      a third generated history.
Checks:
  * once every daemon says its replication is "ok", `hookctl stats --team members|machines|
    summary --json` give per member and in total exactly the reference count
    (tests/tools/reference_count.py) over the union of each member's histories: a response
    present on both of alice's machines counts once;
  * row-level security: alice's role reads none of bob's responses (and bob none of alice's),
    cannot write a row as bob, yet team_totals() shows both members;
  * /api/team (the web view's Team tab) answers what `hookctl stats --team --json` does;
  * the store stopped: `hookctl stats --team` and /api/team say it is unreachable, the local stats
    still answer, Health and /metrics show responses pending and a growing lag; new usage
    arrives meanwhile;
  * the store started again with small batches, the laptop daemon SIGKILLed while it is half
    way through, and started again: after catch-up the totals are exact again (nothing lost,
    nothing doubled).
Without PostgreSQL installed the test skips (77) except under CI=true, where it fails
(scripts/install-deps installs postgresql with CI=true or CCMETER_TEST_SERVERS=1).
"""
import argparse
import glob
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
FIXTURES = os.path.join(HERE, "..", "fixtures")
FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    fail(f"timed out after {seconds} s waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference(config_dir):
    return json.loads(subprocess.run([sys.executable, os.path.join(TOOLS, "reference_count.py"), config_dir],
                                     check=True, capture_output=True, text=True).stdout)


def generate(out, seed, size):
    subprocess.run([sys.executable, os.path.join(TOOLS, "gen_history.py"), "--out", out, "--seed", str(seed),
                    "--size", size], check=True, capture_output=True)


def union(out, *config_dirs):
    """A config dir holding every transcript of `config_dirs` (the same path twice: the same file)."""
    for config_dir in config_dirs:
        shutil.copytree(os.path.join(config_dir, "projects"), os.path.join(out, "projects"), dirs_exist_ok=True)
    return out


def find_postgres():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    if os.environ.get("CI") == "true":
        fail("PostgreSQL is not installed (scripts/install-deps installs postgresql under CI=true)")
    print("SKIP: PostgreSQL is not installed (CCMETER_TEST_SERVERS=1 scripts/install-deps installs it)")
    sys.exit(77)


class Postgres:
    """A throwaway cluster on a Unix socket in `root`; trust authentication (local socket only)."""

    def __init__(self, bindir, root):
        self.bindir, self.root = bindir, root
        self.data = os.path.join(root, "data")
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(root, nobody.pw_uid, nobody.pw_gid)
            self.as_user = ["runuser", "-u", "nobody", "--"]

    def run(self, *command):
        return subprocess.run(self.as_user + list(command), cwd=self.root, capture_output=True, text=True)

    def init(self):
        r = self.run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "admin",
                     "--no-sync")
        if r.returncode != 0:
            fail("initdb: " + r.stderr)

    def start(self):
        r = self.run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.root, "log"),
                     "-o", f"-k {self.root} -c listen_addresses='' -p {self.port} -c fsync=off", "-w", "start")
        if r.returncode != 0:
            fail("pg_ctl start: " + r.stdout + r.stderr + open(os.path.join(self.root, "log")).read())

    def stop(self):
        self.run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")

    def dsn(self, user, dbname="ccmeter"):
        return f"host={self.root} port={self.port} dbname={dbname} user={user}"

    def psql(self, user, sql, check=True):
        r = subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1",
                            self.dsn(user), "-c", sql], capture_output=True, text=True)
        if check and r.returncode != 0:
            fail(f"psql as {user}: {sql}: {r.stderr}")
        return r


class Daemon:
    def __init__(self, args, work, name, machine, member, pg, config_dirs, batch_rows=5000, web=False):
        self.args, self.name = args, name
        self.home = os.path.join(work, name)
        self.claude = os.path.join(self.home, ".claude")
        os.makedirs(self.claude)
        union(self.claude, *config_dirs)
        config = os.path.join(self.home, ".config")
        os.makedirs(os.path.join(config, "ccmeter"))
        self.team_json = os.path.join(config, "ccmeter", "team.json")
        self.write_config(pg, member, machine, batch_rows)
        self.port = free_port() if web else 0
        self.env = dict(os.environ, HOME=self.home, CLAUDE_CONFIG_DIR=self.claude,
                        CCMETER_DB=os.path.join(self.home, "usage.db"),
                        CCMETER_RUNTIME_DIR=os.path.join(self.home, "run"), NO_COLOR="1",
                        CCMETER_NO_SPAWN="1", CCMETER_WEB_PORT=str(self.port), TZ="UTC",
                        CCMETER_PRICES=os.path.join(FIXTURES, "no-such-prices.json"), XDG_CONFIG_HOME=config)
        for variable in ("CCMETER_TEAM_DSN", "CCMETER_TEAM_CONFIG", "CCMETER_MACHINE", "PGHOST", "PGUSER"):
            self.env.pop(variable, None)
        self.process = None

    def write_config(self, pg, member, machine, batch_rows):
        with open(self.team_json, "w") as f:
            json.dump({"dsn": pg.dsn(member), "machine": machine, "interval_seconds": 1,
                       "batch_rows": batch_rows}, f)

    def start(self):
        self.process = subprocess.Popen([self.args.ccmeterd, "serve"], env=self.env,
                                        stderr=open(os.path.join(self.home, "d.log"), "a"))
        wait_for(lambda: self.health(), 20, f"{self.name}'s daemon to answer")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def health(self):
        r = subprocess.run([self.args.hookctl, "doctor", "--json"], env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def replicated(self):
        h = self.health()
        return h and h["caught_up"] and h["replication"] == "ok" and h["replication_pending"] == 0

    def hookctl(self, *arguments):
        return subprocess.run([self.args.hookctl, *arguments], env=self.env, capture_output=True, text=True)

    def team(self, view):
        r = self.hookctl("stats", "--team", view, "--json")
        if r.returncode != 0:
            fail(f"hookctl stats --team {view} on {self.name}: {r.stderr}")
        return json.loads(r.stdout)

    def get(self, path):
        token = open(os.path.join(self.home, "run", "web.token")).read().strip()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}",
                                                  "Authorization": "Bearer " + token})
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response.status, body

    def metrics(self):
        _, body = self.get("/metrics")
        values = {}
        for line in body.splitlines():
            if line.startswith("ccmeter_replication"):
                name, value = line.split("{")[0], line.rsplit(" ", 1)[1]
                values[name] = float(value)
        return values


def check_totals(got, want, what):
    if got["unique_responses"] != want["unique_responses"]:
        fail(f"{what}: {got['responses']} responses, reference {want['unique_responses']}")
    for field in FIELDS:
        if got[field] != want["totals"][field]:
            fail(f"{what}: {field} {got[field]}, reference {want['totals'][field]}")


def check_team(daemon, truth, what):
    members = {row["key"]: row for row in daemon.team("members")["rows"]}
    if set(members) != set(truth["members"]):
        fail(f"{what}: members {sorted(members)}, expected {sorted(truth['members'])}")
    for member, want in truth["members"].items():
        check_totals(members[member], want, f"{what}: member {member}")
    summary = daemon.team("summary")
    check_totals(summary["totals"], truth["all"], f"{what}: the team's summary")
    machines = {row["key"]: row["unique_responses"] for row in daemon.team("machines")["rows"]}
    if set(machines) != {"laptop", "desktop", "build"}:
        fail(f"{what}: machines {sorted(machines)}")
    if sum(machines.values()) != truth["all"]["unique_responses"]:
        fail(f"{what}: the machines' responses add up to {sum(machines.values())}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    args = parser.parse_args()
    bindir = find_postgres()
    work = tempfile.mkdtemp(prefix="ccmeter-team-")
    os.chmod(work, 0o755)
    os.makedirs(os.path.join(work, "pg"))
    pg = Postgres(bindir, os.path.join(work, "pg"))
    daemons = []
    try:
        pg.init()
        pg.start()
        subprocess.run([os.path.join(bindir, "psql"), "-X", pg.dsn("admin", "postgres"), "-c",
                        "CREATE DATABASE ccmeter"], check=True, capture_output=True)
        for command in (["init", pg.dsn("admin")], ["add-member", "alice", "--dsn", pg.dsn("admin")],
                        ["add-member", "bob", "--dsn", pg.dsn("admin")]):
            r = subprocess.run([args.ccmeterd, "team", *command], capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"ccmeterd team {command[0]}: {r.stderr}")
        again = subprocess.run([args.ccmeterd, "team", "init", pg.dsn("admin")], capture_output=True, text=True)
        if again.returncode != 0 or "already current" not in again.stdout:
            fail(f"a second team init: {again.stdout}{again.stderr}")

        histories = os.path.join(work, "histories")
        fixture = os.path.join(FIXTURES, "history")
        for seed, size in ((11, "1M"), (12, "1M"), (13, "1M"), (14, "2M")):
            generate(os.path.join(histories, f"g{seed}"), seed, size)
        g = lambda seed: os.path.join(histories, f"g{seed}")
        laptop = Daemon(args, work, "laptop", "laptop", "alice", pg, [fixture, g(11)], web=True)
        desktop = Daemon(args, work, "desktop", "desktop", "alice", pg, [fixture, g(12)])
        build = Daemon(args, work, "build", "build", "bob", pg, [g(13)])
        daemons = [laptop, desktop, build]

        def truth():
            alice = reference(union(tempfile.mkdtemp(dir=work), laptop.claude, desktop.claude))
            bob = reference(build.claude)
            everything = reference(union(tempfile.mkdtemp(dir=work), laptop.claude, desktop.claude, build.claude))
            return {"members": {"alice": alice, "bob": bob}, "all": everything}

        want = truth()
        shared = reference(fixture)["unique_responses"]
        if want["all"]["unique_responses"] != want["members"]["alice"]["unique_responses"] + \
                want["members"]["bob"]["unique_responses"]:
            fail("the members' histories overlap: the test needs them apart")
        if shared == 0:
            fail("the fixture history holds no responses")

        for daemon in daemons:
            daemon.start()
        for daemon in daemons:
            wait_for(daemon.replicated, 60, f"{daemon.name} to replicate")
        check_team(laptop, want, "after the first replication")
        alice_machines = {row["key"]: row["unique_responses"] for row in laptop.team("machines")["rows"]}
        local_alice = laptop.health()["responses"] + desktop.health()["responses"]
        if local_alice - want["members"]["alice"]["unique_responses"] != shared:
            fail(f"alice's two machines hold {local_alice} responses, the store "
                 f"{want['members']['alice']['unique_responses']}: the {shared} shared ones should count once")
        if alice_machines["laptop"] + alice_machines["desktop"] != want["members"]["alice"]["unique_responses"]:
            fail(f"alice's machines in the store: {alice_machines}")
        for view in ("members", "machines", "daily"):
            status, body = laptop.get(f"/api/team?view={view}")
            if status != 200 or json.loads(body) != laptop.team(view):
                fail(f"/api/team?view={view} ({status}) is not hookctl stats --team {view} --json")
        print(f"ok: 3 daemons replicated {want['all']['unique_responses']} responses, the {shared} "
              "shared by alice's two machines once")

        # Row-level security: each member reads only their own rows, writes only as themselves,
        # and sees the team's totals.
        for member, other in (("alice", "bob"), ("bob", "alice")):
            own = int(pg.psql(member, "SELECT count(*) FROM ccmeter_team.responses").stdout)
            if own != want["members"][member]["unique_responses"]:
                fail(f"{member} reads {own} rows, owns {want['members'][member]['unique_responses']}")
            foreign = int(pg.psql(member, f"SELECT count(*) FROM ccmeter_team.responses WHERE member = '{other}'").stdout)
            if foreign != 0:
                fail(f"{member} reads {foreign} of {other}'s responses")
            updated = pg.psql(member, f"UPDATE ccmeter_team.responses SET output_tokens = 0 WHERE member = '{other}'")
            if updated.stdout.strip() != "UPDATE 0":
                fail(f"{member} changed {other}'s rows: {updated.stdout}")
            forged = pg.psql(member, "INSERT INTO ccmeter_team.responses (member, message_id, request_id, machine, "
                             "timestamp_ms, model, session_id, project, git_branch, is_sidechain, speed, "
                             "service_tier, input_tokens, output_tokens, cache_creation_input_tokens, "
                             f"cache_read_input_tokens, cache_5m, cache_1h, web_search_requests, web_fetch_requests) "
                             f"VALUES ('{other}', 'm', 'r', 'x', 0, 'm', 's', 'p', 'g', false, '', '', "
                             "0, 1, 0, 0, 0, 0, 0, 0)", check=False)
            if forged.returncode == 0 or "row-level security" not in forged.stderr:
                fail(f"{member} could write a row as {other}: {forged.stdout}{forged.stderr}")
            seen = pg.psql(member, "SELECT member, sum(responses) FROM ccmeter_team.team_totals(0, "
                           "9223372036854775807, 86400000) GROUP BY 1 ORDER BY 1").stdout.split()
            expected = [f"{m}|{want['members'][m]['unique_responses']}" for m in ("alice", "bob")]
            if seen != expected:
                fail(f"{member}'s team_totals: {seen}, expected {expected}")
        print("ok: row-level security: own rows only, team totals for all")

        # The store down: local work goes on, the team view says so, the lag shows.
        pg.stop()
        down = laptop.hookctl("stats", "--team")
        if down.returncode != 1 or "unreachable" not in down.stderr:
            fail(f"hookctl stats --team with the store down: {down.returncode} {down.stdout}{down.stderr}")
        generate(os.path.join(histories, "g15"), 15, "8M")
        union(laptop.claude, g(15))
        status, body = laptop.get("/api/team?view=members")
        if status != 503 or "unreachable" not in json.loads(body)["error"]:
            fail(f"/api/team with the store down: {status} {body}")
        local = laptop.hookctl("stats", "--json")
        if local.returncode != 0:
            fail(f"local stats with the store down: {local.stderr}")
        want = truth()
        wait_for(lambda: laptop.health()["responses"] == reference(laptop.claude)["unique_responses"], 30,
                 "the laptop to ingest while the store is down")
        pending = wait_for(lambda: (h := laptop.health()) and h["replication_pending"] > 0 and
                           h["replication"] not in ("ok", "catching up") and h, 30, "Health to show the outage")
        time.sleep(2.5)
        metrics = laptop.metrics()
        if metrics.get("ccmeter_replication_pending_responses", 0) <= 0 or \
                metrics.get("ccmeter_replication_lag_seconds", 0) < 2:
            fail(f"/metrics during the outage: {metrics}")
        print(f"ok: store down: {pending['replication_pending']} pending ({pending['replication']!r}), "
              f"lag {metrics['ccmeter_replication_lag_seconds']} s on /metrics")

        # Back, in small batches; SIGKILL half way; started again: exact.
        laptop.stop()
        laptop.write_config(pg, "alice", "laptop", 5)
        pg.start()
        laptop.start()
        before = int(pg.psql("alice", "SELECT count(*) FROM ccmeter_team.responses WHERE machine = 'laptop'").stdout)
        deadline = time.monotonic() + 60
        while int(pg.psql("alice", "SELECT count(*) FROM ccmeter_team.responses WHERE machine = "
                          "'laptop'").stdout) < before + 20:
            if time.monotonic() > deadline:
                fail("replication did not resume")
        left = laptop.health()["replication_pending"]
        laptop.kill()
        if left == 0:
            fail("the laptop caught up before it could be killed half way (make the history larger)")
        print(f"ok: SIGKILLed the laptop daemon with {left} responses still to send")
        laptop.start()
        wait_for(laptop.replicated, 120, "the laptop to catch up after the kill")
        check_team(desktop, want, "after the outage and the SIGKILL")
        metrics = laptop.metrics()
        if metrics.get("ccmeter_replication_pending_responses") != 0 or \
                metrics.get("ccmeter_replication_lag_seconds") != 0:
            fail(f"/metrics once caught up: {metrics}")
        print(f"ok: after catch-up the store holds exactly {want['all']['unique_responses']} responses")
    finally:
        for daemon in daemons:
            daemon.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
