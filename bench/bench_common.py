"""What bench/ingest and bench/statusline share: building ccmeter, the cached generated
history, ccusage from the npm registry, and timing whole processes."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ccmeter-bench")
CCUSAGE_VERSION = "20.0.24"  # a native binary behind a Node launcher (FACTS.md)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def build():
    """ccmeterd and hookctl, Release; CCMETERD / HOOKCTL in the environment skip the build."""
    if "CCMETERD" in os.environ:
        return os.environ["CCMETERD"], os.environ.get("HOOKCTL", "")
    build_dir = os.path.join(ROOT, "build-bench")
    log(f"building ccmeter (Release) in {build_dir}...")
    subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                    "-DCCMETER_BUILD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "-j", str(os.cpu_count() or 2), "--target",
                    "ccmeterd", "hookctl"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "daemon", "ccmeterd"), os.path.join(build_dir, "hookctl", "hookctl")


def corpus(size, modern=False):
    """A generated history of `size` (e.g. 1G), made once and cached outside the repo; `modern`
    is the current client's shape (gen_corpus.py --modern: 30-60 KB non-assistant lines)."""
    out = os.path.join(CACHE, f"corpus-{size}-seed1" + ("-modern" if modern else ""))
    if not os.path.exists(os.path.join(out, "ground_truth.json")):
        log(f"generating a {size} history in {out} (once; about 4 min per GB)...")
        shutil.rmtree(out, ignore_errors=True)  # a generation that was cut short
        subprocess.run([sys.executable, os.path.join(SHARED, "corpus", "gen_corpus.py"), "--out", out,
                        "--size", size, "--seed", "1"] + (["--modern"] if modern else []),
                       check=True, stdout=subprocess.DEVNULL)
    return out


def transcripts(history):
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(history, "projects"))
                  for f in fs if f.endswith(".jsonl"))


def warm_page_cache(files):
    for path in files:
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass


def ccusage_binary():
    """ccusage installed into the cache (outside the repo), or None when the registry cannot be
    reached."""
    work = os.path.join(CACHE, f"ccusage-{CCUSAGE_VERSION}")
    binary = os.path.join(work, "node_modules", ".bin", "ccusage")
    if not os.path.exists(binary):
        log(f"installing ccusage@{CCUSAGE_VERSION} into {work} (once)...")
        os.makedirs(work, exist_ok=True)
        result = subprocess.run(["npm", "install", "--prefix", work, "--no-audit", "--no-fund",
                                 f"ccusage@{CCUSAGE_VERSION}"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if result.returncode != 0:
            log("ccusage could not be installed; it is left out")
            return None
    return binary


def run_measured(argv, env=None):
    """Runs one child to its end: (wall seconds, stdout, its own peak RSS in MB).

    The RSS is that child's ru_maxrss from wait4 (kB on Linux), not the maximum over every child
    this process ever had."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}): "
                             f"{err.read().decode(errors='replace')[-2000:]}")
        return seconds, out.read().decode(errors="replace"), usage.ru_maxrss / 1024


def time_runs(argv, payload, runs, env, gap=0.0):
    """p50 / p99 wall time in ms of whole processes fed `payload` on stdin."""
    times = []
    for _ in range(runs):
        time.sleep(gap)
        start = time.perf_counter()
        subprocess.run(argv, input=payload, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
            "runs": runs}
