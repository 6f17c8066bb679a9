#!/usr/bin/env python3
"""/metrics as Prometheus sees it: ccmeterd serve on a copy of tests/fixtures/history.

    test_metrics.py --hookctl BIN --ccmeterd BIN

Checks, in order:
  * without the web token /metrics is refused (401), with a Host other than ours 403;
  * with it (Authorization: Bearer, as a scrape config's credentials_file sends it) the page is
    text/plain version 0.0.4 and `promtool check metrics` finds no problem;
  * every model's ccmeter_tokens_total{type=input|output|cacheRead|cacheCreation} equals the
    reference count (tests/tools/reference_count.py), its ccmeter_responses_total the number of
    unique responses, its ccmeter_cost_usd_total `hookctl stats models --json`'s cost exactly;
    every series has the machine (CCMETER_MACHINE) and user labels;
  * a scrape changes nothing: two scrapes in a row are equal but for the clock-driven gauges;
  * a response appended to a transcript raises the counters by exactly its tokens;
  * Debian's prometheus, started here on loopback with a bearer credentials_file, scrapes the
    daemon and answers `sum(ccmeter_tokens_total{type="output"})` with the reference total.
Under CI=true a missing promtool or prometheus fails the test; elsewhere those parts are skipped
with a message (scripts/install-deps installs the prometheus package).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.parse
import urllib.request

from helpers import World, assistant_template, fail, free_port, reference, response_line, wait_for
from helpers import web_get as get

MACHINE = 'box-1 "lab"'
TYPES = {"input": "input_tokens", "output": "output_tokens", "cacheRead": "cache_read_input_tokens",
         "cacheCreation": "cache_creation_input_tokens"}
CLOCK_DRIVEN = ("ccmeter_ingest_lag_seconds",)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value-text} of every sample line."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if not match:
            fail(f"not a sample line: {line!r}")
        labels = {k: v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                  for k, v in LABEL.findall(match.group(2))}
        samples[(match.group(1), frozenset(labels.items()))] = match.group(3)
    return samples


def by_model(samples, name, **extra):
    out = {}
    for (metric, labels), value in samples.items():
        labels = dict(labels)
        if metric == name and all(labels.get(k) == v for k, v in extra.items()):
            out[labels["model"]] = value
    return out


def need(tool):
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("CI") == "true":
        fail(f"{tool} is not installed (scripts/install-deps installs prometheus)")
    print(f"SKIP part: {tool} is not installed")
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ccmeter-metrics-")
    port = free_port()
    world = World(args.hookctl, args.ccmeterd, work, web_port=port, env={"CCMETER_MACHINE": MACHINE})
    config, env = world.config, world.env
    prometheus = None
    try:
        world.start()
        token = world.web_token()

        status, _, _ = get(port, "/metrics")
        if status != 401:
            fail(f"/metrics without the token answered {status}, not 401")
        status, _, _ = get(port, "/metrics", token, host=f"evil.example:{port}")
        if status != 403:
            fail(f"/metrics with a foreign Host answered {status}, not 403")
        status, content_type, text = get(port, "/metrics", token)
        if status != 200 or "version=0.0.4" not in content_type:
            fail(f"/metrics answered {status} {content_type!r}")

        promtool = need("promtool")
        if promtool:
            check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
            if check.returncode != 0 or check.stdout.strip() or check.stderr.strip():
                fail(f"promtool check metrics: rc={check.returncode} {check.stdout}{check.stderr}")
            print("promtool check metrics: clean")

        truth = reference(config)
        samples = parse(text)
        for (metric, labels), _ in samples.items():
            labels = dict(labels)
            if labels.get("machine") != MACHINE or not labels.get("user"):
                fail(f"{metric} lacks the machine/user labels: {labels}")
        for prom_type, key in TYPES.items():
            got = {m: int(v) for m, v in by_model(samples, "ccmeter_tokens_total", type=prom_type).items()}
            want = {m: t[key] for m, t in truth["by_model"].items()}
            if got != want:
                fail(f"ccmeter_tokens_total{{type={prom_type}}} {got} != reference {want}")
        responses = sum(int(v) for v in by_model(samples, "ccmeter_responses_total").values())
        if responses != truth["unique_responses"]:
            fail(f"ccmeter_responses_total sums to {responses}, reference {truth['unique_responses']}")
        models = json.loads(subprocess.run([args.hookctl, "stats", "models", "--json"], env=env,
                                           capture_output=True, text=True, check=True).stdout)
        stats_cost = {m["model"]: round(m["cost_usd"] * 1_000_000) for m in models["models"]}
        metric_cost = {m: round(float(v) * 1_000_000) for m, v in
                       by_model(samples, "ccmeter_cost_usd_total").items()}
        if stats_cost != metric_cost:
            fail(f"ccmeter_cost_usd_total {metric_cost} != stats models {stats_cost}")
        print(f"/metrics: {len(samples)} series; {responses} responses over {len(metric_cost)} models "
              f"equal the reference count; costs equal stats models to the micro-dollar")

        _, _, again = get(port, "/metrics", token)
        strip = lambda s: {k: v for k, v in parse(s).items() if k[0] not in CLOCK_DRIVEN}
        if strip(again) != strip(text):
            fail("a second scrape differs from the first though nothing was written")

        # One new response: the counters rise by exactly its tokens.
        transcript = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(config, "projects"))
                          for f in sorted(fs) if f.endswith(".jsonl"))
        record = assistant_template(transcript)
        model = record["message"]["model"]
        with open(transcript, "a") as f:
            f.write(response_line(record, "msg_metrics_1", 4321))
        subprocess.run([args.hookctl, "hook"], env=env, input=json.dumps(
            {"hook_event_name": "Stop", "session_id": record.get("sessionId", ""), "transcript_path": transcript}),
            text=True, capture_output=True, timeout=10)
        before = int(by_model(samples, "ccmeter_tokens_total", type="output")[model])

        def raised():
            _, _, now = get(port, "/metrics", token)
            value = int(by_model(parse(now), "ccmeter_tokens_total", type="output").get(model, 0))
            return value if value != before else None
        after = wait_for(raised, 15, "the appended response in /metrics")
        if after != before + 4321:
            fail(f"output tokens of {model} went {before} -> {after}, not +4321")
        print(f"appended response: {model} output {before} -> {after}")
        want_output = sum(t["output_tokens"] for t in truth["by_model"].values()) + 4321

        prometheus_bin = need("prometheus")
        if prometheus_bin:
            prom_port = free_port()
            credentials = os.path.join(work, "scrape.token")
            with open(credentials, "w") as f:
                f.write(token)
            with open(os.path.join(work, "prometheus.yml"), "w") as f:
                f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: ccmeter
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: {credentials}
    static_configs:
      - targets: ['127.0.0.1:{port}']
""")
            prometheus = subprocess.Popen(
                [prometheus_bin, f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/tsdb",
                 f"--web.listen-address=127.0.0.1:{prom_port}"],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
            query = urllib.parse.quote('sum(ccmeter_tokens_total{type="output"})')

            def answer():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/api/v1/query?query={query}",
                                                timeout=2) as r:
                        result = json.loads(r.read())["data"]["result"]
                    return result and int(float(result[0]["value"][1]))
                except OSError:
                    return None
            value = wait_for(answer, 60, "prometheus to scrape ccmeterd and answer")
            if value != want_output:
                fail(f'prometheus says sum(ccmeter_tokens_total{{type="output"}}) = {value}, want {want_output}')
            print(f"prometheus scraped the daemon: output tokens {value} = reference + appended")
        print("PASS")
    finally:
        if prometheus and prometheus.poll() is None:
            prometheus.send_signal(signal.SIGTERM)
            try:
                prometheus.wait(timeout=15)
            except subprocess.TimeoutExpired:
                prometheus.kill()
        world.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
