#!/usr/bin/env python3
"""`hookctl install` points Claude Code's OpenTelemetry export at ccmeterd through settings.json's
"env", and `hookctl uninstall` takes exactly that out again (issue 8). In a temporary HOME,
CLAUDE_CONFIG_DIR and XDG_CONFIG_HOME, with no daemon:

- a user's settings.json with an env of their own keys: install adds our eight entries after
  theirs, the header's token is the token file's (0600, in a 0700 directory), re-installing
  changes no byte, doctor --json says "ours", and uninstall gives back the original bytes;
- a user's own OpenTelemetry settings (in settings.json, or OTEL_* in install's environment):
  env is left alone and install says what ccmeter will not see; uninstall gives back the bytes;
- --no-telemetry adds nothing and creates no token file.

    test_install_telemetry.py --hookctl PATH
"""
import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

from helpers import fail

OUR_KEYS = ["CLAUDE_CODE_ENABLE_TELEMETRY", "OTEL_LOGS_EXPORTER", "OTEL_METRICS_EXPORTER",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_LOGS_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_INTERVAL"]

# As Claude Code writes it (JSON.stringify(x, null, 2) + "\n"), with a number as hand-written.
USERS_ENV = """{
  "model": "opus",
  "env": {
    "DISABLE_AUTOUPDATER": "1",
    "MAX_THINKING_TOKENS": "8000"
  },
  "hooks": {
    "Stop": [
      {
        "matcher": "",
        "hooks": [
          {
            "type": "command",
            "command": "notify-send done"
          }
        ]
      }
    ]
  },
  "cleanupPeriodDays": 30.0
}
"""

USERS_OTEL = """{
  "env": {
    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
    "OTEL_METRICS_EXPORTER": "otlp",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"
  }
}
"""


class Home:
    def __init__(self, hookctl, work):
        self.hookctl = hookctl
        self.config = os.path.join(work, "claude")
        self.settings = os.path.join(self.config, "settings.json")
        self.token_file = os.path.join(work, "config", "ccmeter", "otel.token")
        os.makedirs(self.config)
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith("OTEL_") and name != "CLAUDE_CODE_ENABLE_TELEMETRY"
                    and not name.startswith("CCMETER_")}
        self.env.update(HOME=work, CLAUDE_CONFIG_DIR=self.config,
                        XDG_CONFIG_HOME=os.path.join(work, "config"),
                        CCMETER_RUNTIME_DIR=os.path.join(work, "run"), CCMETER_NO_SPAWN="1",
                        NO_COLOR="1")

    def run(self, *args, extra_env=None):
        env = dict(self.env, **(extra_env or {}))
        result = subprocess.run([self.hookctl, *args], env=env, capture_output=True, text=True,
                                timeout=30)
        if args[0] != "doctor" and result.returncode != 0:
            fail(f"hookctl {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def write(self, text):
        with open(self.settings, "w") as out:
            out.write(text)

    def read(self):
        with open(self.settings) as settings:
            return settings.read()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def case_users_env(home):
    home.write(USERS_ENV)
    home.run("install")
    text = home.read()
    settings = json.loads(text)
    env = settings["env"]
    if list(env) != ["DISABLE_AUTOUPDATER", "MAX_THINKING_TOKENS"] + OUR_KEYS:
        fail(f"env after install: {list(env)}")
    if '"cleanupPeriodDays": 30.0' not in text:
        fail("install rewrote a number of the user's")
    if env["OTEL_EXPORTER_OTLP_ENDPOINT"] != "http://127.0.0.1:7681":
        fail(f"endpoint {env['OTEL_EXPORTER_OTLP_ENDPOINT']}")
    if not all(isinstance(env[key], str) for key in OUR_KEYS):
        fail("env values must be strings")
    with open(home.token_file) as token_file:
        token = token_file.read().strip()
    if env["OTEL_EXPORTER_OTLP_HEADERS"] != "Authorization=Bearer " + token:
        fail("the header's token is not the token file's")
    if mode(home.token_file) != 0o600 or mode(os.path.dirname(home.token_file)) != 0o700:
        fail(f"token file {oct(mode(home.token_file))}, "
             f"directory {oct(mode(os.path.dirname(home.token_file)))}")

    again = home.run("install")
    if home.read() != text or "telemetry: already sent to ccmeterd" not in again.stdout:
        fail("re-installing changed the file: " + again.stdout)

    doctor = json.loads(home.run("doctor", "--json").stdout)
    if doctor["telemetry"]["configured"] != "ours":
        fail(f"doctor --json: {doctor['telemetry']}")
    human = home.run("doctor").stdout
    if "telemetry: ours, to http://127.0.0.1:7681" not in human:
        fail("doctor: " + human)

    removed = home.run("uninstall")
    if "telemetry removed from env" not in removed.stdout:
        fail("uninstall said: " + removed.stdout)
    if home.read() != USERS_ENV:
        fail("install then uninstall did not give back the original bytes:\n" + home.read())
    print("ok: install added our env entries (token = token file, 0600) and uninstall gave back "
          "the original bytes")


def case_users_otel(home):
    home.write(USERS_OTEL)
    installed = home.run("install")
    if json.loads(home.read())["env"] != json.loads(USERS_OTEL)["env"]:
        fail("install changed the user's own OpenTelemetry settings")
    for words in ("OpenTelemetry settings of your own", "OTEL_EXPORTER_OTLP_ENDPOINT",
                  "will not see", "session titles", "tool durations"):
        if words not in installed.stdout:
            fail(f"install did not say {words!r}: {installed.stdout}")
    doctor = json.loads(home.run("doctor", "--json").stdout)
    if doctor["telemetry"]["configured"] != "users_own":
        fail(f"doctor --json: {doctor['telemetry']}")
    home.run("uninstall")
    if home.read() != USERS_OTEL:
        fail("uninstall touched the user's own OpenTelemetry settings:\n" + home.read())

    home.write(USERS_ENV)
    shell = home.run("install", extra_env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    if "in your environment" not in shell.stdout:
        fail("install did not name the environment's variable: " + shell.stdout)
    if "OTEL_" in home.read():
        fail("install configured telemetry over the shell's OTEL_ settings")
    home.run("uninstall")
    if home.read() != USERS_ENV:
        fail("round trip with the shell's OTEL_ settings changed the file")
    print("ok: the user's own OpenTelemetry settings (settings.json, environment) were left alone")


def case_no_telemetry(home):
    home.write(USERS_ENV)
    home.run("install", "--no-telemetry")
    if "OTEL_" in home.read() or os.path.exists(home.token_file):
        fail("--no-telemetry configured telemetry or created a token")
    home.run("uninstall")
    if home.read() != USERS_ENV:
        fail("--no-telemetry round trip changed the file")
    print("ok: --no-telemetry adds nothing and creates no token")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    args = parser.parse_args()
    for case in (case_no_telemetry, case_users_env, case_users_otel):
        work = tempfile.mkdtemp(prefix="ccmeter-install-telemetry.")
        try:
            case(Home(os.path.abspath(args.hookctl), work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
