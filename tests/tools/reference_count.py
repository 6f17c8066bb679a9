#!/usr/bin/env python3
"""The reference count of a Claude Code config dir: what ccmeter must report, by plain rules.

    reference_count.py CONFIG_DIR      -> JSON on stdout

Contract (the rules of the client's transcripts, as README "What it counts" states them):
  * every *.jsonl under CONFIG_DIR/projects, subagent files included, read in path order
    (component by component); a line that is not one complete JSON object is skipped;
  * only top-level records with "type":"assistant" and a message.usage object count (the
    usage copies inside progress records and tool results do not); model "<synthetic>"
    (the client's API-error lines) is skipped;
  * one response per (message.id, requestId) across ALL files, each token field its maximum
    over that response's lines (streaming lines carry placeholder output_tokens);
  * a response's model, UTC day (of its timestamp) and session come from its first main-chain
    line, else its first line: a forked session's copied lines, which come after the parent
    in path order, add nothing to the fork.

Output: {"unique_responses": N, "totals": U, "by_model": {model: U}, "by_day_utc": {day: U},
"by_session": {session: U}}, U = {input_tokens, output_tokens, cache_creation_input_tokens,
cache_read_input_tokens, cache_5m, cache_1h} (the keys ccmeterd ingest --json reports), plus
web_search_requests in totals.
"""
import json
import os
import sys

FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
          "cache_5m", "cache_1h")


def number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def tokens(usage):
    cache = usage.get("cache_creation") if isinstance(usage.get("cache_creation"), dict) else {}
    server = usage.get("server_tool_use") if isinstance(usage.get("server_tool_use"), dict) else {}
    return {"input_tokens": number(usage.get("input_tokens")), "output_tokens": number(usage.get("output_tokens")),
            "cache_creation_input_tokens": number(usage.get("cache_creation_input_tokens")),
            "cache_read_input_tokens": number(usage.get("cache_read_input_tokens")),
            "cache_5m": number(cache.get("ephemeral_5m_input_tokens")),
            "cache_1h": number(cache.get("ephemeral_1h_input_tokens")),
            "web_search_requests": number(server.get("web_search_requests"))}


def transcripts(config_dir):
    found = []
    for folder, _, names in os.walk(os.path.join(config_dir, "projects")):
        found += [os.path.join(folder, name) for name in names if name.endswith(".jsonl")]
    return sorted(found, key=lambda path: path.split(os.sep))


def responses(config_dir):
    """(message.id, requestId) -> {"tokens", "model", "day", "session", "main"}."""
    seen = {}
    for path in transcripts(config_dir):
        with open(path, "rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    continue  # the line the client is still writing
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(record, dict) or record.get("type") != "assistant":
                    continue
                message = record.get("message")
                if not isinstance(message, dict) or not isinstance(message.get("usage"), dict):
                    continue
                if message.get("model") == "<synthetic>":
                    continue
                key = (message.get("id"), record.get("requestId"))
                line = tokens(message["usage"])
                main = record.get("isSidechain") is not True
                meta = {"model": message.get("model"), "day": str(record.get("timestamp") or "")[:10],
                        "session": record.get("sessionId"), "main": main}
                entry = seen.get(key)
                if entry is None:
                    seen[key] = dict(meta, tokens=line)
                    continue
                for field, value in line.items():
                    entry["tokens"][field] = max(entry["tokens"][field], value)
                if main and not entry["main"]:
                    entry.update(meta)
    return seen


def report(config_dir):
    out = {"unique_responses": 0, "totals": dict.fromkeys(FIELDS + ("web_search_requests",), 0),
           "by_model": {}, "by_day_utc": {}, "by_session": {}}
    for entry in responses(config_dir).values():
        out["unique_responses"] += 1
        for field, value in entry["tokens"].items():
            out["totals"][field] += value
        for table, name in (("by_model", entry["model"]), ("by_day_utc", entry["day"]),
                            ("by_session", entry["session"])):
            group = out[table].setdefault(name, dict.fromkeys(FIELDS, 0))
            for field in FIELDS:
                group[field] += entry["tokens"][field]
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: reference_count.py CONFIG_DIR")
    json.dump(report(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
