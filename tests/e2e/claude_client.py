#!/usr/bin/env python3
"""The real Claude Code client for the end-to-end tests: installed once per machine, run
offline against tests/e2e/mock_messages_api.py with a fake HOME.

    claude_client.py --install      installs (if needed) and prints the client's binary
    or, in a test:  binary = install(); client = ClaudeClient(binary, home, api_url); client.run_print(...)

Contract:
  * install() puts the npm package @anthropic-ai/claude-code@VERSION (2.1.197, or
    $CCMETER_CLAUDE_VERSION, e.g. 2.1.332) into $CCMETER_CLAUDE_DIR, else
    /var/tmp/ccmeter-claude/VERSION: a machine-wide directory that does not depend on HOME
    (tests pass fake HOMEs), with npm's cache inside it. An flock on DIR/.install.lock makes
    concurrent tests install once. npm 11 warns that it skipped the package's postinstall: the
    binary works without it, so only `claude --version` decides. Raises ClientUnavailable
    (with npm's output) when npm is missing or the client does not run.
  * ClaudeClient(binary, home, api_url) runs it with HOME=home, in home/proj, an API key, the
    base URL of the mock, telemetry, updates and non-essential traffic off, and only PATH,
    TERM and XDG_RUNTIME_DIR passed on from the caller's environment (plus extra_env). Before
    the first run it writes home/.claude.json so that onboarding, the API-key question and
    the folder-trust dialog are already answered.
  * run_print(*args) runs `claude -p ...` (print mode; hooks fire) and returns the
    CompletedProcess; run_tmux(keys, ...) runs it interactively in a private tmux server
    (status line), types each prompt of keys followed by Enter once the previous answer is
    on the screen, and returns the last screen (ANSI stripped).
"""
import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

PACKAGE = "@anthropic-ai/claude-code"
PINNED_VERSION = "2.1.197"
API_KEY = "sk-ant-api03-ccmeter-mock-key-00000000000000"


class ClientUnavailable(Exception):
    pass


def version():
    return os.environ.get("CCMETER_CLAUDE_VERSION") or PINNED_VERSION


def install_dir():
    return os.environ.get("CCMETER_CLAUDE_DIR") or os.path.join("/var/tmp/ccmeter-claude", version())


def works(binary):
    try:
        result = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, DISABLE_AUTOUPDATER="1"))
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and version() in result.stdout


def install():
    """The client's binary, installed first if needed."""
    folder = install_dir()
    binary = os.path.join(folder, "node_modules", ".bin", "claude")
    if os.path.exists(binary) and works(binary):
        return binary
    if shutil.which("npm") is None:
        raise ClientUnavailable("npm is not installed (scripts/install-deps installs it)")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(binary) and works(binary):
            return binary
        print(f"installing {PACKAGE}@{version()} into {folder}", file=sys.stderr)
        result = subprocess.run(["npm", "install", "--prefix", folder, "--no-audit", "--no-fund",
                                 "--cache", os.path.join(folder, ".npm-cache"), f"{PACKAGE}@{version()}"],
                                capture_output=True, text=True, timeout=900)
        if not works(binary):
            raise ClientUnavailable(f"{PACKAGE}@{version()} did not install into {folder}: npm exit "
                                    f"{result.returncode}: {(result.stdout + result.stderr)[-1500:]}")
    return binary


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", text)


class ClaudeClient:
    def __init__(self, binary, home, api_url, env=None):
        self.binary, self.home, self.api_url = binary, home, api_url
        self.cwd = os.path.join(home, "proj")
        self.caller_env = env if env is not None else os.environ
        os.makedirs(self.cwd, exist_ok=True)
        os.makedirs(os.path.join(home, ".claude"), exist_ok=True)
        state = os.path.join(home, ".claude.json")
        if not os.path.exists(state):
            with open(state, "w") as f:
                json.dump({"hasCompletedOnboarding": True, "lastOnboardingVersion": version(),
                           "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
                           "projects": {self.cwd: {"hasTrustDialogAccepted": True,
                                                   "hasCompletedProjectOnboarding": True}}}, f, indent=2)

    def env(self, extra_env=None):
        env = {"HOME": self.home, "TERM": "xterm-256color", "ANTHROPIC_BASE_URL": self.api_url,
               "ANTHROPIC_API_KEY": API_KEY, "DISABLE_TELEMETRY": "1", "DISABLE_AUTOUPDATER": "1",
               "DISABLE_ERROR_REPORTING": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
               "CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL": "1"}
        for name in ("PATH", "XDG_RUNTIME_DIR"):
            if self.caller_env.get(name):
                env[name] = self.caller_env[name]
        env.update(extra_env or {})
        return env

    def run(self, *args, extra_env=None, timeout=240):
        """`claude ARGS...` (e.g. plugin commands), in the project directory."""
        return subprocess.run([self.binary, *args], cwd=self.cwd, env=self.env(extra_env), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def run_print(self, *args, extra_env=None, timeout=240):
        return self.run("-p", *args, extra_env=extra_env, timeout=timeout)

    def run_tmux(self, keys, args=(), extra_env=None, wait_for=None, seconds=90, raw_screens=None):
        """Interactive session in tmux; types each prompt once the screen is ready for it, then
        waits until wait_for(screen) is true (or seconds pass) and returns the last screen.
        With a list as raw_screens, every capture is also appended to it as the terminal shows
        it, colours included (capture-pane -e)."""
        if shutil.which("tmux") is None:
            raise ClientUnavailable("tmux is not installed (scripts/install-deps installs it)")
        server = f"ccmeter-e2e-{os.getpid()}"
        env_args = [f"{k}={v}" for k, v in self.env(extra_env).items()]
        command = " ".join(shlex.quote(a) for a in ["env", "-i", *env_args, self.binary, *args])
        tmux = ["tmux", "-L", server]
        subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "cc", "-x", "160", "-y", "45",
                               "-c", self.cwd, command], check=True, env=dict(os.environ, TMUX=""))
        screen = ""
        deadline = time.monotonic() + seconds

        def capture():
            if raw_screens is not None:
                raw = subprocess.run(tmux + ["capture-pane", "-e", "-p", "-t", "cc"], capture_output=True, text=True)
                if raw.returncode == 0:
                    raw_screens.append(raw.stdout)
            result = subprocess.run(tmux + ["capture-pane", "-p", "-t", "cc"], capture_output=True, text=True)
            return strip_ansi(result.stdout) if result.returncode == 0 else ""

        def wait(predicate, limit):
            nonlocal screen
            end = min(deadline, time.monotonic() + limit)
            while time.monotonic() < end:
                screen = capture()
                if predicate(screen):
                    return True
                time.sleep(0.3)
            return False

        try:
            wait(lambda s: "❯" in s or ">" in s, 30)
            time.sleep(1.5)
            for index, text in enumerate(keys):
                subprocess.run(tmux + ["send-keys", "-t", "cc", "-l", text], check=True)
                time.sleep(0.5)
                subprocess.run(tmux + ["send-keys", "-t", "cc", "Enter"], check=True)
                if index < len(keys) - 1:
                    wait(lambda s, t=text: s.count("Hi from the mock API.") + s.count("all done (mock)") > index, 30)
                    time.sleep(1)
            if wait_for:
                wait(wait_for, seconds)
            screen = capture()
            subprocess.run(tmux + ["send-keys", "-t", "cc", "-l", "/exit"])
            time.sleep(0.5)
            subprocess.run(tmux + ["send-keys", "-t", "cc", "Enter"])
            time.sleep(2)
        finally:
            subprocess.run(tmux + ["kill-server"], capture_output=True)
        return screen


if __name__ == "__main__":
    if sys.argv[1:] != ["--install"]:
        sys.exit("usage: claude_client.py --install")
    try:
        print(install())
    except ClientUnavailable as error:
        sys.exit(f"claude_client.py: {error}")
