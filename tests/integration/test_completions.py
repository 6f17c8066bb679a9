#!/usr/bin/env python3
"""The shell completions say what the binaries accept: every subcommand and option that
`hookctl --help` and `ccmeterd --help` (and each subcommand's --help) list is offered by
completions/{hookctl,ccmeterd}.bash and _hookctl / _ccmeterd, in the branch of its own
subcommand; and bash really completes with them.

    test_completions.py --hookctl BIN --ccmeterd BIN --completions DIR
"""
import argparse
import os
import re
import shutil
import subprocess

from helpers import fail


def help_text(binary, *args):
    result = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=10,
                            stdin=subprocess.DEVNULL, env=dict(os.environ, CCMETER_NO_SPAWN="1"))
    if result.returncode != 0:
        fail(f"{binary} {' '.join(args)} --help: exit {result.returncode}")
    return result.stdout


def section(text, title):
    """The lines of one section of CLI11's help ("Options:", "Subcommands:")."""
    lines, inside = [], False
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            inside = line == title
            continue
        if inside and line.strip():
            lines.append(line)
    return lines


def options(text):
    found = []
    for line in section(text, "Options:"):
        match = re.match(r"^\s+(?:-\w,)?(--[\w-]+)", line)
        if match:
            found.append(match.group(1))
    return found


def subcommands(text):
    return [re.match(r"^\s+(\S+)", line).group(1) for line in section(text, "Subcommands:")]


def branch(script, name):
    """The text of `name)` ... `;;` in a completion script's case statement (first match)."""
    match = re.search(r"^\s+" + re.escape(name) + r"\)(.*?);;", script, re.S | re.M)
    if not match:
        fail(f"no branch for {name} in a completion script")
    return match.group(1)


def has_word(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def bash_complete(script_path, words):
    """What bash offers for `words` (the last one being completed)."""
    program = f"""
source {script_path!r}
COMP_WORDS=({' '.join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
_{os.path.basename(script_path)[:-5]}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                            timeout=10)
    if result.returncode != 0:
        fail(f"bash completion {words}: {result.stderr}")
    return result.stdout.split()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hookctl", required=True)
    parser.add_argument("--ccmeterd", required=True)
    parser.add_argument("--completions", required=True)
    args = parser.parse_args()
    checked = 0
    for name, binary in (("hookctl", args.hookctl), ("ccmeterd", args.ccmeterd)):
        bash_path = os.path.join(args.completions, f"{name}.bash")
        zsh_path = os.path.join(args.completions, f"_{name}")
        bash, zsh = open(bash_path).read(), open(zsh_path).read()
        syntax = subprocess.run(["bash", "-n", bash_path], capture_output=True, text=True)
        if syntax.returncode != 0:
            fail(f"{bash_path}: {syntax.stderr}")
        if shutil.which("zsh"):
            syntax = subprocess.run(["zsh", "-n", zsh_path], capture_output=True, text=True)
            if syntax.returncode != 0:
                fail(f"{zsh_path}: {syntax.stderr}")
        top = help_text(binary)
        subs = subcommands(top)
        if len(subs) < 3:
            fail(f"{name} --help lists only {subs}")
        for option in options(top):
            for path, script in ((bash_path, bash), (zsh_path, zsh)):
                if not has_word(script, option):
                    fail(f"{path} lacks {name}'s {option}")
            checked += 1
        for sub in subs:
            for path, script in ((bash_path, bash), (zsh_path, zsh)):
                if not has_word(script, sub):
                    fail(f"{path} lacks the subcommand {name} {sub}")
            if sub not in bash_complete(bash_path, [name, sub[:2]]):
                fail(f"bash does not complete '{name} {sub[:2]}' to {sub}")
            for option in options(help_text(binary, sub)):
                for path, script in ((bash_path, bash), (zsh_path, zsh)):
                    if not has_word(branch(script, sub), option):
                        fail(f"{path}: the {sub} branch lacks {name} {sub} {option}")
                if option not in bash_complete(bash_path, [name, sub, option[:4]]):
                    fail(f"bash does not complete '{name} {sub} {option[:4]}' to {option}")
                checked += 1
            checked += 1
        print(f"ok: {name}: {len(subs)} subcommands and their options in {os.path.basename(bash_path)} and "
              f"{os.path.basename(zsh_path)}")
    if bash_complete(os.path.join(args.completions, "hookctl.bash"), ["hookctl", "export", "--what", "se"]) != ["sessions"]:
        fail("bash does not complete 'hookctl export --what se' to sessions")
    print(f"ok: {checked} subcommands and options checked; bash completes them")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
