#!/usr/bin/env python3
"""systemd/ccmeterd.service: `systemd-analyze verify` accepts it (with ExecStart pointing at the
built ccmeterd), and its sandbox lets the daemon do what it does: RestrictAddressFamilies must
allow AF_UNIX (the gRPC socket, sd_notify) and AF_INET (the web view on 127.0.0.1).
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile

from helpers import fail


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", required=True)
    parser.add_argument("--ccmeterd", required=True)
    args = parser.parse_args()
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        fail("systemd-analyze is missing (scripts/install-deps installs systemd)")
    text = open(args.unit).read()

    families = set()
    for value in re.findall(r"^RestrictAddressFamilies=(.*)$", text, re.M):
        if value.strip() == "":
            families.clear()
        else:
            families.update(value.split())
    for needed, why in (("AF_UNIX", "the gRPC socket and sd_notify"),
                        ("AF_INET", "the web view on 127.0.0.1")):
        if needed not in families:
            fail(f"RestrictAddressFamilies={' '.join(sorted(families))} forbids {needed}, "
                 f"which {why} needs")
    print(f"ok: RestrictAddressFamilies={' '.join(sorted(families))}")

    work = tempfile.mkdtemp(prefix="ccmeter-unit-test.")
    try:
        unit = os.path.join(work, "ccmeterd.service")
        exec_start = "ExecStart=" + os.path.abspath(args.ccmeterd) + " serve"
        with open(unit, "w") as f:
            f.write(re.sub(r"^ExecStart=%h/\.local/bin/ccmeterd serve$", exec_start, text,
                           flags=re.M))
        result = subprocess.run([analyze, "verify", unit], capture_output=True, text=True,
                                timeout=60)
        # Lines about other units on this machine are not ours to judge.
        ours = [line for line in (result.stdout + result.stderr).splitlines()
                if "ccmeterd" in line]
        if result.returncode != 0 or ours:
            fail(f"systemd-analyze verify: exit {result.returncode}: {result.stdout}{result.stderr}")
        print("ok: systemd-analyze verify accepts the unit")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
