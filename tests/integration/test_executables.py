#!/usr/bin/env python3
"""Every script a user or CI runs is executable in the repository itself (git's mode 100755), so
that a fresh clone runs `scripts/test`, `scripts/run` and `bench/*` as README says.

    test_executables.py --repo DIR
"""
import argparse
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    args = parser.parse_args()
    listing = subprocess.run(["git", "-C", args.repo, "ls-files", "-s", "--", "scripts", "bench",
                              ".ci", "tests/web/run_e2e_web.sh"],
                             check=True, capture_output=True, text=True).stdout.splitlines()
    if not listing:
        print("FAIL: git lists no scripts (not a git checkout?)")
        return 1
    wrong = []
    for line in listing:
        mode, _, _, path = line.split(None, 3)
        name = path.rsplit("/", 1)[-1]
        # Scripts have no extension (or .sh); modules, data and docs do.
        is_script = "." not in name or name.endswith(".sh")
        if is_script and mode != "100755":
            wrong.append(f"{path} ({mode})")
    if wrong:
        print("FAIL: not executable in git: " + ", ".join(wrong))
        return 1
    print(f"ok: {sum(1 for l in listing)} files checked, every script is 100755")
    return 0


if __name__ == "__main__":
    sys.exit(main())
