#!/usr/bin/env python3
"""Export, backup and restore as a user runs them: ccmeterd serve + hookctl on a copy of
tests/fixtures/history, plus a session whose cwd holds a comma, a quote and a newline.

    test_export_backup.py --hookctl BIN --ccmeterd BIN

Checks, in order:
  * --version: both binaries name their version and the database schema, and hookctl the running
    daemon's, which equals the database's PRAGMA user_version;
  * export round trip, for responses, sessions and daily: the CSV, parsed back by the documented
    rules (README, "Export"), equals the JSON row for row; the responses' token sums, count and
    exact costs equal `hookctl stats --json`; sessions and daily rows are stats --json's items;
    the same with --since/--until/--project; --output writes the same bytes;
  * a backup taken while a writer appends responses (and the daemon ingests them) is one
    consistent snapshot: its rows are exactly what its stored file offsets cover (the reference
    count of the transcripts cut at those offsets), restoring it and starting the daemon gives
    the exact totals of the whole history;
  * restore refuses a truncated backup, a damaged one, a text file, a database of another
    schema and one without our tables (exit 3) and leaves the database byte for byte as it was;
    refuses while a daemon runs (exit 4); --stop-daemon stops it and restores; the old database
    is kept as .before-restore-*;
  * periodic backups (CCMETER_BACKUP_DIR, _INTERVAL=1s, _KEEP=2) keep exactly two valid copies.
"""
import argparse
import csv
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

from helpers import World as DaemonWorld, assistant_template, fail, reference, response_line, wait_for

KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "cache_5m", "cache_1h")
TOKEN_FIELDS = KEYS + ("web_search_requests", "web_fetch_requests")
WEIRD_CWD = '/home/dev/a,b "quoted"\nnext line'


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class World(DaemonWorld):
    """The shared World, without the backup settings of the environment it runs in."""

    def __init__(self, args, work):
        super().__init__(args.hookctl, args.ccmeterd, work,
                         drop_env=("CCMETER_BACKUP_DIR", "CCMETER_BACKUP_INTERVAL", "CCMETER_BACKUP_KEEP"))

    def export(self, *args):
        return self.run("export", *args).stdout


# ---- the documented CSV rules, parsed back ----

INT_COLUMNS = set(TOKEN_FIELDS) | {"timestamp_ms", "start_ms", "end_ms", "first_ms", "last_ms", "unique_responses",
                                   "unpriced_responses", "client_priced_responses", "cost_micro_usd"}
BOOL_COLUMNS = {"long_context", "client_priced"}
LIST_COLUMNS = {"models", "unpriced_models", "client_priced_models"}
NULLABLE_COLUMNS = {"cost_micro_usd", "cost_usd"}


def typed(column, cell, what):
    if column in NULLABLE_COLUMNS and what == "responses" and cell == "":
        return None
    if column in INT_COLUMNS:
        return int(cell)
    if column in BOOL_COLUMNS:
        if cell not in ("true", "false"):
            fail(f"column {column}: {cell!r} is not true/false")
        return cell == "true"
    if column in LIST_COLUMNS:
        return cell.split(";") if cell else []
    if column in ("cost_usd", "client_priced_usd") and what != "responses":
        return float(cell)
    return cell


def csv_rows(data, what):
    text = data.decode("utf-8")
    if "\r\n" not in text:
        fail("CSV records must end with CRLF")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [{column: typed(column, cell, what) for column, cell in zip(header, row)} for row in reader]


def check_round_trip(world, what, *filters):
    rows = json.loads(world.export("--what", what, "--format", "json", *filters))
    header, parsed = csv_rows(world.export("--what", what, "--format", "csv", *filters), what)
    if not isinstance(rows, list):
        fail(f"{what}: the JSON export is not one array")
    if rows and header != list(rows[0].keys()):
        fail(f"{what}: CSV header {header} != JSON keys {list(rows[0].keys())}")
    if parsed != rows:
        for i, (a, b) in enumerate(zip(parsed, rows)):
            if a != b:
                fail(f"{what}: CSV row {i} {a} != JSON row {b}")
        fail(f"{what}: {len(parsed)} CSV rows, {len(rows)} JSON rows")
    return rows


def micro_of_pico(pico):
    return (pico + 500_000) // 1_000_000 if pico >= 0 else -((-pico + 500_000) // 1_000_000)


def exact_pico(text):
    whole, fraction = text.split(".")
    if len(fraction) != 12:
        fail(f"cost_usd {text!r} has not 12 fraction digits")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 10**12 + int(fraction))


def check_response_totals(rows, totals, what):
    for key in TOKEN_FIELDS:
        if sum(r[key] for r in rows) != totals[key]:
            fail(f"{what}: exported {key} {sum(r[key] for r in rows)} != stats {totals[key]}")
    if len(rows) != totals["unique_responses"]:
        fail(f"{what}: {len(rows)} exported responses != stats {totals['unique_responses']}")
    priced = [r for r in rows if r["cost_usd"] is not None]
    if len(rows) - len(priced) != totals["unpriced_responses"]:
        fail(f"{what}: unpriced {len(rows) - len(priced)} != {totals['unpriced_responses']}")
    pico = sum(exact_pico(r["cost_usd"]) for r in priced)
    if micro_of_pico(pico) != round(totals["cost_usd"] * 1e6):
        fail(f"{what}: exported cost {pico} pico-dollars != stats {totals['cost_usd']} USD")
    for r in priced:
        if r["cost_micro_usd"] != micro_of_pico(exact_pico(r["cost_usd"])):
            fail(f"cost_micro_usd {r['cost_micro_usd']} is not {r['cost_usd']} rounded")


def check_versions(world):
    schema = sqlite3.connect(f"file:{world.db}?mode=ro", uri=True).execute("PRAGMA user_version").fetchone()[0]
    lines = world.run("--version").stdout.decode().splitlines()
    first = re.fullmatch(r"hookctl (\S+) \(database schema (\d+)\)", lines[0])
    second = re.fullmatch(r"ccmeterd (\S+) \(pid (\d+)\), database (.+) \(schema (\d+)\)", lines[1] if len(lines) > 1 else "")
    if not first or not second or int(first.group(2)) != schema or int(second.group(4)) != schema \
            or second.group(3) != world.db or int(second.group(2)) != world.daemon.pid:
        fail(f"hookctl --version: {lines} (database schema {schema}, daemon pid {world.daemon.pid})")
    daemon_lines = world.run("--version", binary=world.ccmeterd).stdout.decode().splitlines()
    if len(daemon_lines) != 2 or daemon_lines[0] != f"ccmeterd {first.group(1)} (database schema {schema})" \
            or daemon_lines[1] != f"database {world.db}: schema {schema}":
        fail(f"ccmeterd --version: {daemon_lines}")
    print(f"ok: --version: {lines[0]!r}, {lines[1]!r}; {daemon_lines!r}")


def check_exports(world):
    responses = check_round_trip(world, "responses")
    check_response_totals(responses, world.stats()["totals"], "all responses")
    weird = [r for r in responses if r["project"] == WEIRD_CWD]
    if len(weird) != 1:
        fail(f"the response with cwd {WEIRD_CWD!r} came back {len(weird)} times")
    sessions = check_round_trip(world, "sessions")
    if sessions != world.stats("sessions")["sessions"]:
        fail("exported sessions != hookctl stats sessions --json's")
    daily = check_round_trip(world, "daily")
    if daily != world.stats("daily")["periods"]:
        fail("exported days != hookctl stats daily --json's")
    print(f"ok: export round trip: {len(responses)} responses, {len(sessions)} sessions, {len(daily)} days; "
          "CSV == JSON, totals == hookctl stats --json")

    days = sorted({r["time"][:10] for r in responses})
    project = next(r["project"] for r in responses if r["project"].startswith("/home/dev/code/"))
    filters = ("--since", days[1], "--until", days[-2], "--project", project)
    filtered = check_round_trip(world, "responses", *filters)
    if not filtered or len(filtered) >= len(responses):
        fail(f"the filters {filters} kept {len(filtered)} of {len(responses)} responses")
    if any(r["project"] != project or not days[1] <= r["time"][:10] <= days[-2] for r in filtered):
        fail(f"a response outside {filters} was exported")
    # Per model: the models report rounds each model's exact sum (its "totals" adds those up).
    by_model = world.stats("models", *filters)["models"]
    if sorted(m["model"] for m in by_model) != sorted({r["model"] for r in filtered}):
        fail(f"models {filters}: {[m['model'] for m in by_model]}")
    for model in by_model:
        check_response_totals([r for r in filtered if r["model"] == model["model"]], model,
                              f"responses of {model['model']} {filters}")
    if check_round_trip(world, "sessions", *filters) != world.stats("sessions", *filters)["sessions"]:
        fail(f"exported sessions {filters} != hookctl stats sessions")
    if check_round_trip(world, "daily", *filters) != world.stats("daily", *filters)["periods"]:
        fail(f"exported days {filters} != hookctl stats daily")
    print(f"ok: export with {' '.join(filters[:4])} --project ...: {len(filtered)} responses, totals equal")

    out = os.path.join(world.work, "export.csv")
    world.run("export", "--format", "csv", "--output", out)
    with open(out, "rb") as f:
        if f.read() != world.export("--format", "csv") or os.path.exists(out + ".partial"):
            fail("--output wrote other bytes than stdout (or left a .partial)")
    if world.run("export", "--format", "xml", check=False).returncode != 2:
        fail("--format xml was not refused with exit 2")
    print("ok: --output writes the same bytes; a bad --format exits 2")


def backed_up_reference(world, backup):
    """The reference count of the transcripts cut at the offsets the backup stored."""
    cut = os.path.join(world.work, "cut")
    shutil.rmtree(cut, ignore_errors=True)
    files = sqlite3.connect(f"file:{backup}?mode=ro", uri=True).execute("SELECT path, offset FROM files").fetchall()
    for path, offset in files:
        target = os.path.join(cut, os.path.relpath(path, world.config))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(path, "rb") as f:
            data = f.read(offset)
        with open(target, "wb") as f:
            f.write(data)
    return reference(cut)


def ingest_totals(world, db, config_dir):
    result = world.run("ingest", "--json", "--quiet", "--db", db, "--config-dir", config_dir,
                       binary=world.ccmeterd)
    return json.loads(result.stdout)["totals"]


def check_live_backup(world):
    live = os.path.join(world.config, "projects", "-home-dev-live")
    os.makedirs(live)
    transcript = os.path.join(live, "11111111-2222-4333-8444-555555555555.jsonl")
    template = assistant_template(sorted(glob.glob(os.path.join(world.config, "projects", "*", "*.jsonl")))[0])
    count = 300
    done = threading.Event()

    def writer():
        for i in range(count):
            with open(transcript, "a") as f:
                f.write(response_line(template, f"msg_live_{i:05d}", 1000 + i,
                                      session_id="11111111-2222-4333-8444-555555555555", cwd="/home/dev/live"))
            if i % 10 == 0:
                subprocess.run([world.hookctl, "hook"], env=world.env, capture_output=True, timeout=10,
                               input=json.dumps({"session_id": "11111111-2222-4333-8444-555555555555",
                                                 "transcript_path": transcript, "cwd": "/home/dev/live",
                                                 "hook_event_name": "Stop"}).encode())
            time.sleep(0.01)
        done.set()

    base = world.stats("models")["totals"]["unique_responses"]
    thread = threading.Thread(target=writer)
    thread.start()
    wait_for(lambda: world.stats("models")["totals"]["unique_responses"] >= base + 20, 20,
             "the daemon to ingest the writer's first responses")
    backup = os.path.join(world.work, "live.db")
    printed = world.run("backup", backup).stdout.decode().splitlines()
    writing = not done.is_set()
    thread.join()
    size = os.path.getsize(backup)
    if printed[0] != backup or f"({size} bytes)" not in printed[1] or \
            f"schema {sqlite3.connect(f'file:{backup}?mode=ro', uri=True).execute('PRAGMA user_version').fetchone()[0]}" \
            not in printed[1]:
        fail(f"hookctl backup printed {printed}, the file has {size} bytes")
    if stat_mode(backup) != 0o600 or os.path.exists(backup + "-wal"):
        fail(f"the backup is mode {oct(stat_mode(backup))} (or has a -wal beside it)")
    if not writing:
        fail("the writer finished before the backup: make it write longer")
    in_backup = sqlite3.connect(f"file:{backup}?mode=ro", uri=True).execute(
        "SELECT count(*) FROM responses WHERE message_id LIKE 'msg_live_%'").fetchone()[0]
    if not 0 < in_backup < count:
        fail(f"the backup holds {in_backup} of the writer's {count} responses: not taken during the ingest")
    wait_for(lambda: world.stats("models")["totals"]["unique_responses"] == reference(world.config)["unique_responses"],
             20, "the daemon to ingest every appended response")

    # The backup is one snapshot: rows and file offsets agree exactly.
    expected = backed_up_reference(world, backup)
    restored = os.path.join(world.work, "restored", "usage.db")
    other_env = dict(world.env, CCMETER_RUNTIME_DIR=os.path.join(world.work, "run2"))
    world.run("restore", backup, "--db", restored, binary=world.ccmeterd, env=other_env)
    empty = os.path.join(world.work, "empty-config")
    os.makedirs(empty, exist_ok=True)
    got = ingest_totals(world, restored, empty)
    if any(got[k] != expected["totals"][k] for k in KEYS) or got["unique_responses"] != expected["unique_responses"]:
        fail(f"the backup's totals {got} != the reference count at its offsets {expected['totals']}")
    whole = reference(world.config)
    caught_up = ingest_totals(world, restored, world.config)
    if any(caught_up[k] != whole["totals"][k] for k in KEYS) or caught_up["unique_responses"] != whole["unique_responses"]:
        fail(f"the restored backup caught up to {caught_up}, not the reference {whole['totals']}")
    print(f"ok: backup during a live ingest ({in_backup} of {count} appended responses in it, {size} bytes): "
          f"its {expected['unique_responses']} responses are exactly its offsets' reference count; "
          "caught up it equals the whole history's")
    return backup


def stat_mode(path):
    return os.stat(path).st_mode & 0o777


def check_restore(world, backup):
    # Refused while the daemon runs.
    before = sha256(world.db)
    result = world.run("restore", backup, binary=world.ccmeterd, check=False)
    if result.returncode != 4 or b"is running" not in result.stderr:
        fail(f"restore with the daemon running: exit {result.returncode}, {result.stderr!r}")
    print("ok: restore refuses while the daemon runs (exit 4)")
    world.stop()

    # Bad backups: refused, the database unchanged.
    data = open(backup, "rb").read()
    bad = {}
    bad["truncated"] = data[:len(data) // 2]
    damaged = bytearray(data)
    damaged[4096:4096 + 200] = b"\xa5" * 200  # page 2's header and cell pointers
    bad["damaged"] = bytes(damaged)
    bad["text"] = b"not a database at all\n"
    for name, content in bad.items():
        with open(os.path.join(world.work, f"{name}.db"), "wb") as f:
            f.write(content)
    newer = os.path.join(world.work, "newer.db")
    shutil.copy(backup, newer)
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version=99")
    connection.commit()
    connection.close()
    foreign = os.path.join(world.work, "foreign.db")
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE files(path TEXT)")
    connection.execute("PRAGMA user_version=5")
    connection.commit()
    connection.close()
    reasons = {"truncated": "not a usable ccmeter database", "damaged": "not a usable ccmeter database",
               "text": "file is not a database", "newer": "newer than this ccmeter", "foreign": "missing: "}
    before = sha256(world.db)
    listing = sorted(os.listdir(os.path.dirname(world.db)))
    for name, reason in reasons.items():
        path = os.path.join(world.work, f"{name}.db")
        result = world.run("restore", path, binary=world.ccmeterd, check=False)
        stderr = result.stderr.decode()
        if result.returncode != 3 or reason not in stderr or path not in stderr or "was not changed" not in stderr:
            fail(f"restore of a {name} backup: exit {result.returncode}, {stderr!r}")
        if sha256(world.db) != before or sorted(os.listdir(os.path.dirname(world.db))) != listing:
            fail(f"restore of a {name} backup changed {os.path.dirname(world.db)}")
    print(f"ok: restore refuses {', '.join(reasons)} backups (exit 3) and leaves the database byte for byte")

    # A good one: the old database kept, the restored one catches up to the exact totals.
    result = world.run("restore", backup, binary=world.ccmeterd)
    kept = glob.glob(world.db + ".before-restore-*")
    if len(kept) != 1 or sha256(kept[0]) != before or b"the previous database is kept as " + kept[0].encode() not in result.stdout:
        fail(f"restore: {result.stdout!r}, kept {kept}")
    world.start()
    whole = reference(world.config)
    totals = world.stats("models")["totals"]
    if any(totals[k] != whole["totals"][k] for k in KEYS) or totals["unique_responses"] != whole["unique_responses"]:
        fail(f"after restore the daemon reports {totals}, not the reference {whole['totals']}")
    print(f"ok: restore kept the old database as {os.path.basename(kept[0])}; the daemon caught up to the exact "
          f"totals ({whole['unique_responses']} responses)")

    # --stop-daemon: stops the running daemon cleanly, then restores.
    result = world.run("restore", "--stop-daemon", backup, binary=world.ccmeterd, check=False)
    if result.returncode != 0 or world.daemon.wait(timeout=5) != 0:
        fail(f"restore --stop-daemon: exit {result.returncode}, {result.stderr!r}")
    world.daemon = None
    print("ok: restore --stop-daemon stopped the daemon (exit 0) and restored")


def check_periodic_backups(world):
    backups = os.path.join(world.work, "periodic")
    world.start(CCMETER_BACKUP_DIR=backups, CCMETER_BACKUP_INTERVAL="1s", CCMETER_BACKUP_KEEP="2")
    wait_for(lambda: open(world.log).read().count("backup " + backups) >= 4, 20, "four periodic backups")
    world.stop()
    names = sorted(os.listdir(backups))
    if len(names) != 2 or not all(re.fullmatch(r"usage-\d{8}T\d{6}\.\d{3}Z\.db", n) for n in names):
        fail(f"periodic backups kept {names}, expected two")
    for name in names:
        check = sqlite3.connect(os.path.join(backups, name)).execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            fail(f"{name}: integrity_check {check}")
    print(f"ok: periodic backups every 1 s, two kept: {names}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-export-test.")
    world = World(args, work)
    try:
        # A session whose cwd needs every kind of CSV quoting.
        first = sorted(glob.glob(os.path.join(world.config, "projects", "*", "*.jsonl")))[0]
        weird = os.path.join(world.config, "projects", "-home-dev-weird")
        os.makedirs(weird)
        with open(os.path.join(weird, "99999999-2222-4333-8444-555555555555.jsonl"), "w") as f:
            f.write(response_line(assistant_template(first), "msg_weird_0001", 77,
                                  session_id="99999999-2222-4333-8444-555555555555", cwd=WEIRD_CWD))
        world.start()
        check_versions(world)
        check_exports(world)
        backup = check_live_backup(world)
        check_restore(world, backup)
        check_periodic_backups(world)
    finally:
        world.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
