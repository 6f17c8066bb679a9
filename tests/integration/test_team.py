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
    nothing doubled);
  * the rollups (kept by the merge's own transaction): after all of that they hold exactly the
    sums of the raw rows per bucket and group (no group left at zero); team_totals() from the
    rollups equals it from the rows for many ranges (edges off the hour and the quarter hour)
    and bucket sizes; every `hookctl stats --team VIEW --json` (whole history, a range in UTC,
    the same in Asia/Kathmandu, +05:45) equals the same report with the store reading its raw
    rows instead; a member cannot read the rollups themselves;
  * the merge rule on the rollups: a sidechain copy of a response replicated, then its
    main-chain line with more tokens (another day, project and tier), on both of alice's
    machines: the report moves by exactly the difference, the response counts once, the old
    group is gone;
  * the rollup migration on an existing store: the store taken back to schema 1 by hand (rollups
    dropped) and `ccmeterd team init` run again builds the same rollups.
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

    def team(self, view, *extra):
        r = self.hookctl("stats", "--team", view, *extra, "--json")
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


VIEWS = ("summary", "daily", "members", "machines", "projects", "models")
ROLLUP_COLUMNS = ("responses", "input_tokens", "output_tokens", "cache_creation_input_tokens",
                  "cache_read_input_tokens", "cache_5m", "cache_1h", "web_search_requests", "web_fetch_requests")
# The rollups recomputed from the raw rows (what ccmeter_team.rollups must hold, exactly).
RECOMPUTED_ROLLUPS = (
    "SELECT w.width_ms, floor(r.timestamp_ms::numeric / w.width_ms)::bigint * w.width_ms, r.member, r.machine, "
    "r.project, r.model, r.speed, r.input_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens > 200000, "
    "count(*), sum(r.input_tokens), sum(r.output_tokens), sum(r.cache_creation_input_tokens), "
    "sum(r.cache_read_input_tokens), sum(r.cache_5m), sum(r.cache_1h), sum(r.web_search_requests), "
    "sum(r.web_fetch_requests) FROM ccmeter_team.responses r CROSS JOIN "
    "(VALUES (900000::bigint), (3600000), (86400000)) w(width_ms) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")


def rollups_differ(pg):
    """Rows in which ccmeter_team.rollups and the raw rows' sums differ (0: exact)."""
    return int(pg.psql("admin", f"SELECT count(*) FROM ((SELECT * FROM ccmeter_team.rollups EXCEPT ALL "
                                f"{RECOMPUTED_ROLLUPS}) UNION ALL ({RECOMPUTED_ROLLUPS} EXCEPT ALL "
                                "SELECT * FROM ccmeter_team.rollups)) d").stdout)


def check_rollups(pg, what):
    if rollups_differ(pg):
        fail(f"{what}: the rollups are not the sums of the raw rows ({rollups_differ(pg)} rows differ)")
    zero = int(pg.psql("admin", "SELECT count(*) FROM ccmeter_team.rollups WHERE responses = 0").stdout)
    if zero:
        fail(f"{what}: {zero} rollup rows of no response")
    first, last = map(int, pg.psql("admin", "SELECT min(timestamp_ms), max(timestamp_ms) "
                                            "FROM ccmeter_team.responses").stdout.split("|"))
    ranges = [(-9223372036854775808, 9223372036854775807), (first, last + 1), (first + 12345, last - 6789),
              (first + (last - first) // 3 + 1, first + 2 * (last - first) // 3 - 1),
              (first // 900000 * 900000 + 2700000, last // 3600000 * 3600000 - 900000), (last, first)]
    checked = 0
    for since, until in ranges:
        for bucket in (86400000, 7 * 86400000, 3600000, 900000, 60000, 1):
            differ = int(pg.psql("admin", f"SELECT count(*) FROM ((SELECT * FROM ccmeter_team.team_totals({since}, "
                                          f"{until}, {bucket}) EXCEPT ALL SELECT * FROM ccmeter_team.response_totals("
                                          f"{since}, {until}, {bucket})) UNION ALL (SELECT * FROM "
                                          f"ccmeter_team.response_totals({since}, {until}, {bucket}) EXCEPT ALL "
                                          f"SELECT * FROM ccmeter_team.team_totals({since}, {until}, {bucket}))) d"
                                 ).stdout)
            if differ:
                fail(f"{what}: team_totals({since}, {until}, {bucket}) from the rollups differs from the raw rows' "
                     f"in {differ} rows")
            checked += 1
    return checked


def swap_source(pg, source):
    """Points team_view_totals (what every report reads) at rollup_source (as shipped) or
    response_source (the raw rows), keeping its grants."""
    other = "response_source" if source == "rollup_source" else "rollup_source"
    pg.psql("admin", "DO $$ BEGIN EXECUTE replace(pg_get_functiondef('ccmeter_team.team_view_totals(bigint, bigint, "
                     f"bigint, text)'::regprocedure), 'ccmeter_team.{other}(', 'ccmeter_team.{source}('); END $$")


def check_reports(daemon, pg, what):
    """Every team report from the rollups equals the same report read from the raw rows."""
    first, last = map(int, pg.psql("admin", "SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY timestamp_ms), "
                                            "percentile_disc(0.75) WITHIN GROUP (ORDER BY timestamp_ms) "
                                            "FROM ccmeter_team.responses").stdout.split("|"))
    day = lambda ms: time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
    span = ["--since", day(first), "--until", day(last)]
    ranges = [[], span, span + ["--tz", "Asia/Kathmandu"]]
    from_rollups = {(view, i): daemon.team(view, *extra) for view in VIEWS for i, extra in enumerate(ranges)}
    swap_source(pg, "response_source")
    try:
        for (view, i), want in from_rollups.items():
            got = daemon.team(view, *ranges[i])
            if got != want:
                fail(f"{what}: hookctl stats --team {view} {' '.join(ranges[i])}: from the rollups\n{want}\n"
                     f"from the raw rows\n{got}")
    finally:
        swap_source(pg, "rollup_source")
    if not from_rollups[("summary", 1)]["totals"]["unique_responses"]:
        fail(f"{what}: the range {span} holds no response: the check is empty")
    return len(from_rollups)


def assistant_line(message_id, request_id, session_id, cwd, sidechain, timestamp, usage):
    return json.dumps({"type": "assistant", "isSidechain": sidechain, "cwd": cwd, "sessionId": session_id,
                       "version": "2.0.76", "gitBranch": "main", "requestId": request_id, "uuid": message_id + "-u",
                       "timestamp": timestamp, "message": {
                           "id": message_id, "type": "message", "role": "assistant",
                           "model": "claude-sonnet-4-5-20250929", "content": [],
                           "usage": dict(usage, service_tier="standard", speed="standard")}}) + "\n"


def check_totals(got, want, what):
    if got["unique_responses"] != want["unique_responses"]:
        fail(f"{what}: {got['unique_responses']} responses, reference {want['unique_responses']}")
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

        # The rollups after outages, batches sent twice and a SIGKILL: exact, and every report
        # read from them is the report read from the raw rows.
        ranges = check_rollups(pg, "after the outage and the SIGKILL")
        reports = check_reports(laptop, pg, "after the outage and the SIGKILL")
        denied = pg.psql("alice", "SELECT count(*) FROM ccmeter_team.rollups", check=False)
        if denied.returncode == 0 or "permission denied" not in denied.stderr:
            fail(f"alice reads the rollups themselves: {denied.stdout}{denied.stderr}")
        print(f"ok: the rollups are the raw rows' sums; {ranges} team_totals() ranges and {reports} reports "
              "from them equal the raw rows'")

        # The merge rule: a sidechain copy first, then the main-chain line with more tokens on
        # another day, in another project and over the long-context threshold, on both of
        # alice's machines.
        for daemon in (laptop, desktop):
            wait_for(daemon.replicated, 60, f"{daemon.name} to be caught up")
        before = laptop.team("summary")["totals"]
        session = "7f1c0000-0000-4000-8000-00000000beef"
        side_usage = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 100,
                      "cache_read_input_tokens": 1000}
        main_usage = {"input_tokens": 20, "output_tokens": 700, "cache_creation_input_tokens": 100,
                      "cache_read_input_tokens": 250000}
        side = assistant_line("msg_rollup_merge", "req_rollup_merge", session, "/merge/side", True,
                              "2026-01-10T10:07:00.000Z", side_usage)
        main_line = assistant_line("msg_rollup_merge", "req_rollup_merge", session, "/merge/main", False,
                                   "2026-01-12T23:59:00.000Z", main_usage)

        def stored():
            return pg.psql("alice", "SELECT project, output_tokens, machine FROM ccmeter_team.responses "
                                    "WHERE message_id = 'msg_rollup_merge'").stdout.strip()

        def write(daemon, folder, line):
            os.makedirs(os.path.join(daemon.claude, "projects", folder), exist_ok=True)
            with open(os.path.join(daemon.claude, "projects", folder, session + ".jsonl"), "a") as f:
                f.write(line)

        write(laptop, "-merge-side", side)
        wait_for(lambda: stored() == "/merge/side|5|laptop", 60, "the sidechain copy in the store")
        wait_for(laptop.replicated, 60, "the laptop to be caught up")
        check_rollups(pg, "after the sidechain copy")
        middle = laptop.team("summary")["totals"]
        write(desktop, "-merge-main", main_line)
        write(laptop, "-merge-main", main_line)
        wait_for(lambda: stored() == "/merge/main|700|laptop", 60, "the main-chain line in the store")
        for daemon in (laptop, desktop):
            wait_for(daemon.replicated, 60, f"{daemon.name} to be caught up")
        after = laptop.team("summary")["totals"]
        for got, base, usage, what in ((middle, before, side_usage, "the sidechain copy"),
                                       (after, before, main_usage, "the main-chain line")):
            if got["unique_responses"] - base["unique_responses"] != 1:
                fail(f"{what}: the summary counts {got['unique_responses'] - base['unique_responses']} more "
                     "responses, not 1")
            for field in FIELDS:
                if got[field] - base[field] != usage[field]:
                    fail(f"{what}: {field} moved by {got[field] - base[field]}, not {usage[field]}")
        projects = {row["key"]: row for row in laptop.team("projects")["rows"]}
        if "/merge/side" in projects or projects.get("/merge/main", {}).get("unique_responses") != 1:
            fail(f"the merged response's groups: {sorted(projects)}")
        check_rollups(pg, "after the main-chain line")
        check_reports(laptop, pg, "after the main-chain line")
        print("ok: a response's later copy moved the rollups by exactly the difference (another day, project "
              "and tier), counted once from two machines")

        # The migration that builds the rollups, on an existing store: back to schema 1 by hand.
        snapshot = pg.psql("admin", "SELECT * FROM ccmeter_team.rollups ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").stdout
        pg.psql("admin", "BEGIN; DROP TABLE ccmeter_team.rollups; "
                         "DROP FUNCTION ccmeter_team.team_view_totals(bigint, bigint, bigint, text); "
                         "DROP FUNCTION ccmeter_team.team_totals(bigint, bigint, bigint); "
                         "DROP FUNCTION ccmeter_team.rollup_totals(bigint, bigint, bigint); "
                         "DROP FUNCTION ccmeter_team.rollup_source(bigint, bigint, bigint); "
                         "DROP FUNCTION ccmeter_team.response_source(bigint, bigint, bigint); "
                         "DROP FUNCTION ccmeter_team.bucket_of(text, bigint); "
                         "DROP FUNCTION ccmeter_team.apply_to_rollups() CASCADE; "
                         "DROP FUNCTION ccmeter_team.rollups_truncated() CASCADE; "
                         "DROP FUNCTION ccmeter_team.rollup_widths(); "
                         "ALTER FUNCTION ccmeter_team.response_totals(bigint, bigint, bigint) RENAME TO team_totals; "
                         "GRANT EXECUTE ON FUNCTION ccmeter_team.team_totals(bigint, bigint, bigint) TO ccmeter_member; "
                         "UPDATE ccmeter_team.meta SET value = '1' WHERE key = 'schema_version'; COMMIT")
        migrated = subprocess.run([args.ccmeterd, "team", "init", pg.dsn("admin")], capture_output=True, text=True)
        if migrated.returncode != 0 or "(was 1)" not in migrated.stdout:
            fail(f"team init on a schema 1 store: {migrated.stdout}{migrated.stderr}")
        rebuilt = pg.psql("admin", "SELECT * FROM ccmeter_team.rollups ORDER BY 1, 2, 3, 4, 5, 6, 7, 8").stdout
        if rebuilt != snapshot:
            fail("the migration built other rollups than replication kept")
        check_rollups(pg, "after the migration")
        check_team(desktop, truth(), "after the migration")
        print(f"ok: the migration from schema 1 built the same {len(snapshot.splitlines())} rollup rows")
    finally:
        for daemon in daemons:
            daemon.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
