"""What bench/ingest and bench/statusline share: building ccmeter, the cached generated
history, ccusage from the npm registry, and timing whole processes."""
import os
import statistics
import subprocess
import sys
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


def corpus(size):
    """A generated history of `size` (e.g. 1G), made once and cached outside the repo."""
    out = os.path.join(CACHE, f"corpus-{size}-seed1")
    if not os.path.exists(os.path.join(out, "ground_truth.json")):
        log(f"generating a {size} history in {out} (once; about 30 s per GB)...")
        subprocess.run([sys.executable, os.path.join(SHARED, "corpus", "gen_corpus.py"), "--out", out,
                        "--size", size, "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
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
    """ccusage installed into bench/.work, or None when the registry cannot be reached."""
    work = os.path.join(ROOT, "bench", ".work", f"ccusage-{CCUSAGE_VERSION}")
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
