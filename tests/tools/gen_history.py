#!/usr/bin/env python3
"""A deterministic Claude Code history: a config dir the tests ingest and count.

    gen_history.py --out DIR [--size 8M] [--seed 1] [--sessions 12] [--projects 4]
                   [--end-date 2025-12-15T00:00:00|now] [--days 45] [--max-split 10]
                   [--split-frac 0.6] [--placeholder-frac 0.6] [--no-agent-progress]
                   [--modern] [--partial-last-line]

Contract: the same arguments (and, with --end-date now, the same hour) write the same bytes.
DIR gets projects/<slug>/<sessionId>.jsonl (slug = cwd with every character outside
[a-zA-Z0-9] replaced by '-'), subagents as <slug>/<sessionId>/subagents/agent-<id>.jsonl with
agent-<id>.meta.json, and DIR/ground_truth.json (outside projects/): what the generator wrote
as billable responses, in the shape of tests/tools/reference_count.py's output
(unique_responses, totals, by_model, by_day_utc, by_session; six token fields each) plus
`lines` (records written per type) and, with --modern, `client_cost_usd`.

What the history contains, one case of each counting rule of the client's transcripts:
  * one API response written over 1-10 lines (one per content block) sharing message.id and
    requestId; with --placeholder-frac, every line but the last carries a streaming
    placeholder output_tokens (1-25);
  * turn-starting user records, tool_result user records (a Task result carries a
    toolUseResult.usage summary, which is not a response), file-history-snapshot, summary,
    queue-operation, system and attachment records;
  * subagent transcripts (isSidechain, agentId) and, in the parent, progress records
    (data.type agent_progress) embedding copies of their assistant records with usage,
    often with the placeholder output_tokens;
  * `<synthetic>` assistant lines with zero usage (API errors);
  * forked sessions: a prefix of an earlier session copied (same message.id and requestId,
    same timestamps) into a new session file, which then goes on with responses of its own.
    A fork's sessionId sorts after its parent's, so the parent (which produced the copied
    responses) is also the first file a reader in path order meets;
  * 5m and 1h cache writes (some responses both), web_search_requests, speed "fast";
  * models old and new: claude-sonnet-4-5, claude-opus-4-1, claude-opus-4-8, claude-haiku-4-5,
    claude-opus-5-5, claude-sonnet-5-5, claude-haiku-5-5 (--modern: mostly the 5.5 family);
  * --modern: 30-60 KB api-request-shape and api-request-blob lines, api-request records
    referenced by requestRef, and a cost-state record (the client's own cost) per session;
  * --partial-last-line: the newest main transcript ends in half a line (a response the client
    is still writing): it is not in the ground truth.
"""
import argparse
import collections
import datetime
import json
import os
import random
import uuid

FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
          "cache_5m", "cache_1h")
MODELS = [("claude-sonnet-4-5-20250929", 30), ("claude-opus-4-8", 20), ("claude-opus-5-5", 15),
          ("claude-sonnet-5-5", 10), ("claude-opus-4-1-20250805", 8), ("claude-haiku-4-5-20251001", 10),
          ("claude-haiku-5-5", 7)]
MODELS_MODERN = [("claude-opus-5-5", 50), ("claude-sonnet-5-5", 25), ("claude-haiku-5-5", 10),
                 ("claude-opus-4-8", 10), ("claude-sonnet-4-5-20250929", 5)]
VERSIONS = ["2.0.76", "2.1.39", "2.1.120", "2.1.197"]
VERSIONS_MODERN = ["2.1.300", "2.1.332"]
FAST_MODELS = ("claude-opus-4-8",)
# USD per million tokens (input, 5m write, 1h write, read, output), for cost-state only.
CLIENT_PRICES = {"claude-opus-5-5": (4, 5, 8, 0.20, 20), "claude-sonnet-5-5": (2, 2.5, 4, 0.10, 10),
                 "claude-haiku-5-5": (0.5, 0.625, 1, 0.05, 2.5), "claude-opus-4-8": (5, 6.25, 10, 0.50, 25),
                 "claude-sonnet-4-5-20250929": (3, 3.75, 6, 0.30, 15)}
TOOLS = [("Read", 35), ("Bash", 30), ("Edit", 12), ("Grep", 10), ("Glob", 5), ("WebSearch", 3), ("Task", 5)]
WORDS = ("the a to of and in is for with on that this it as be by from cache token usage read "
         "write file path error config daemon parser index transcript message model request "
         "response stream buffer offset socket client server status line hook project branch "
         "commit test build json value field struct class return const auto").split()


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    r = rng.uniform(0, total)
    for value, weight in weighted:
        r -= weight
        if r <= 0:
            return value
    return weighted[-1][0]


def parse_size(text):
    text = text.strip().upper().rstrip("B")
    for suffix, factor in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def iso(ms):
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def slug(cwd):
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in cwd)


class Ledger:
    """The billable responses written: key (message.id, requestId) -> final usage and where it
    was first written (model, UTC day, session)."""

    def __init__(self):
        self.responses = {}

    def add(self, key, usage, model, timestamp, session):
        if key not in self.responses:
            self.responses[key] = {"usage": usage, "model": model, "day": timestamp[:10], "session": session}

    def report(self):
        out = {"unique_responses": len(self.responses), "totals": dict.fromkeys(FIELDS, 0),
               "by_model": {}, "by_day_utc": {}, "by_session": {}}
        for entry in self.responses.values():
            flat = flat_usage(entry["usage"])
            for table, name in (("by_model", entry["model"]), ("by_day_utc", entry["day"]),
                                ("by_session", entry["session"])):
                group = out[table].setdefault(name, dict.fromkeys(FIELDS, 0))
                for field in FIELDS:
                    group[field] += flat[field]
            for field in FIELDS:
                out["totals"][field] += flat[field]
        return out


def flat_usage(usage):
    cache = usage.get("cache_creation") or {}
    return {"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
            "cache_creation_input_tokens": usage["cache_creation_input_tokens"],
            "cache_read_input_tokens": usage["cache_read_input_tokens"],
            "cache_5m": cache.get("ephemeral_5m_input_tokens", 0), "cache_1h": cache.get("ephemeral_1h_input_tokens", 0)}


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.ledger = Ledger()
        self.lines = collections.Counter()
        self.bytes = 0
        self.models = MODELS_MODERN if args.modern else MODELS
        self.client_cost = 0.0
        self.sessions = []  # (path, session id, lines, project) of main transcripts, for forks

    # ---- small helpers ----
    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def token(self, prefix, n):
        return prefix + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
                                for _ in range(n))

    def prose(self, size):
        words = []
        length = 0
        while length < size:
            words.append(self.rng.choice(WORDS))
            length += len(words[-1]) + 1
        return " ".join(words)[:size]

    def usage(self, state, model, output_tokens):
        rng = self.rng
        written = rng.randrange(200, 4000) + (rng.randrange(8000, 30000) if state["first"] else 0)
        state["first"] = False
        kind = rng.random()
        one_hour = written if kind < 0.55 else (0 if kind < 0.85 else written // 3)
        usage = {"input_tokens": rng.choice((1, 2, 3, 3, 4, 6, 8)) if rng.random() < 0.95 else rng.randrange(10, 3000),
                 "cache_creation_input_tokens": written, "cache_read_input_tokens": state["context"],
                 "output_tokens": output_tokens,
                 "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
                 "service_tier": "standard",
                 "cache_creation": {"ephemeral_1h_input_tokens": one_hour, "ephemeral_5m_input_tokens": written - one_hour},
                 "inference_geo": "", "iterations": [],
                 "speed": "fast" if model in FAST_MODELS and rng.random() < 0.15 else "standard"}
        state["context"] += written + usage["input_tokens"]
        if state["context"] > 180_000:
            state["context"] = rng.randrange(10_000, 30_000)
            state["first"] = True
        return usage

    # ---- one transcript ----
    def session(self, project, start_ms, budget, sidechain=None, fork_of=None):
        """Writes one transcript; sidechain = (parent session id, agent id, path, model).
        Returns (path, session id, lines, end time, assistant records)."""
        rng, args = self.rng, self.args
        if sidechain:
            session_id, agent_id, path, model = sidechain
        else:
            session_id, agent_id, model = self.uuid(), None, pick(rng, self.models)
            if fork_of:
                while session_id <= fork_of[1]:
                    session_id = self.uuid()
            path = os.path.join(args.out, "projects", slug(project["cwd"]), session_id + ".jsonl")
        version = rng.choice(VERSIONS_MODERN if args.modern else VERSIONS)
        base = {"isSidechain": bool(sidechain), "userType": "external", "entrypoint": "cli",
                "cwd": project["cwd"], "sessionId": session_id, "version": version, "gitBranch": project["branch"]}
        if agent_id:
            base["agentId"] = agent_id
        out, records = [], []
        clock = [start_ms]
        parent = [None]
        size = [0]
        state = {"context": rng.randrange(0, 4000), "first": True}
        session_keys = []

        def emit(record, kind):
            text = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            out.append(text)
            size[0] += len(text.encode())
            self.lines[kind] += 1

        def message_record(kind, **fields):
            clock[0] += rng.randrange(40, 3000)
            record = {"parentUuid": parent[0]}
            record.update(base)
            record.update(fields)
            record["type"] = kind
            record["uuid"] = self.uuid()
            record["timestamp"] = iso(clock[0])
            parent[0] = record["uuid"]
            return record

        if fork_of:
            # The copied prefix: the parent's first lines (the cut may split a response: the
            # maximum over both files is still the parent's), sessionId rewritten.
            parent_lines = fork_of[2]
            cut = max(1, int(len(parent_lines) * rng.uniform(0.3, 0.8)))
            for line in parent_lines[:cut]:
                record = json.loads(line)
                if "sessionId" in record:
                    record["sessionId"] = session_id
                emit(record, record.get("type", "?"))
                if record.get("timestamp"):
                    clock[0] = max(clock[0], int(datetime.datetime.fromisoformat(
                        record["timestamp"].replace("Z", "+00:00")).timestamp() * 1000))
                if record.get("uuid"):
                    parent[0] = record["uuid"]
        elif not sidechain:
            if rng.random() < 0.3:
                emit({"type": "summary", "summary": self.prose(40), "leafUuid": self.uuid()}, "summary")
            emit({"type": "queue-operation", "operation": "dequeue", "timestamp": iso(clock[0]),
                  "sessionId": session_id}, "queue-operation")
        turn = 0
        while size[0] < budget or turn == 0:
            turn += 1
            clock[0] += rng.randrange(5_000, 600_000) if turn > 1 else 0
            prompt = self.prose(rng.randrange(20, 1500))
            if not sidechain:
                snapshot = self.uuid()
                emit({"type": "file-history-snapshot", "messageId": snapshot, "isSnapshotUpdate": False,
                      "snapshot": {"messageId": snapshot, "trackedFileBackups": {}, "timestamp": iso(clock[0])}},
                     "file-history-snapshot")
            emit(message_record("user", promptId=self.uuid(), message={"role": "user", "content": prompt},
                                permissionMode="default"), "user")
            if not sidechain:
                emit(message_record("attachment", attachment={"type": "skill_listing", "content": self.prose(rng.randrange(200, 3000))}),
                     "attachment")
            if args.modern and not sidechain:
                if turn == 1:
                    emit({"type": "api-request-shape", "sessionId": session_id, "shapeHash": self.token("", 64),
                          "timestamp": iso(clock[0]), "version": version,
                          "shape": {"system": [{"type": "text", "text": self.prose(rng.randrange(30_000, 60_000))}]}},
                         "api-request-shape")
                emit({"type": "api-request-blob", "sessionId": session_id, "hash": self.token("", 64),
                      "message": {"role": "system", "content": self.prose(rng.randrange(30_000, 60_000))}},
                     "api-request-blob")
            calls = 1 + min(12, int(rng.expovariate(1 / 4)))
            for call in range(calls):
                last = call == calls - 1
                if rng.random() < 0.02 and not sidechain:
                    emit(message_record("assistant", message={
                        "id": self.uuid(), "container": None, "model": "<synthetic>", "role": "assistant",
                        "stop_reason": "stop_sequence", "stop_sequence": "", "type": "message",
                        "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0,
                                  "cache_read_input_tokens": 0,
                                  "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
                                  "service_tier": None,
                                  "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
                                  "inference_geo": None, "iterations": None, "speed": None},
                        "content": [{"type": "text", "text": "API Error: 529 Overloaded"}]},
                        requestId=self.token("req_011C", 20), error="unknown", isApiErrorMessage=True,
                        apiErrorStatus=529), "assistant-synthetic")
                    clock[0] += rng.randrange(1000, 20000)
                model_now = model if rng.random() > 0.03 else pick(rng, self.models)
                message_id, request_id = self.token("msg_01", 22), self.token("req_011C", 20)
                tools = [] if last else [pick(rng, TOOLS) for _ in range(1 if rng.random() < 0.8 else 2)]
                if sidechain:
                    tools = [t for t in tools if t != "Task"] or ([] if last else ["Read"])
                blocks = ["thinking"] if rng.random() < 0.2 else []
                if rng.random() < args.split_frac or not blocks:
                    blocks.append("text")
                extra = rng.randrange(0, max(1, args.max_split - len(blocks) - len(tools)))
                blocks += ["text"] * (extra if rng.random() < 0.3 else 0)
                blocks += [("tool_use", tool) for tool in tools]
                blocks = blocks[:max(1, args.max_split)]
                if not blocks:
                    blocks = ["text"]
                placeholder = len(blocks) > 1 and rng.random() < args.placeholder_frac
                stand_in = rng.choice((1, 1, 1, 2, 3, 4, 8, 10, 25))
                output_tokens = max(int(rng.lognormvariate(4.7, 1.1)), stand_in + 1)
                usage = self.usage(state, model_now, output_tokens)
                if "WebSearch" in tools:
                    usage["server_tool_use"]["web_search_requests"] = rng.randrange(1, 4)
                reference = None
                if args.modern:
                    usage["output_tokens_details"] = {"thinking_tokens": output_tokens // 3 if blocks[0] == "thinking" else 0}
                    if not sidechain:
                        reference = self.uuid()
                        emit({"type": "api-request", "sessionId": session_id, "id": reference, "timestamp": iso(clock[0]),
                              "version": version, "querySource": "repl_main_thread",
                              "params": {"model": model_now, "betas": ["claude-code-20250219"]}}, "api-request")
                tool_uses = []
                for index, block in enumerate(blocks):
                    if block == "thinking":
                        content = {"type": "thinking", "thinking": self.prose(rng.randrange(50, 2000)),
                                   "signature": self.token("Eq", 200)}
                    elif block == "text":
                        content = {"type": "text", "text": self.prose(rng.randrange(5, 1500))}
                    else:
                        tool_id = self.token("toolu_01", 22)
                        content = {"type": "tool_use", "id": tool_id, "name": block[1], "input": self.tool_input(block[1], project)}
                        tool_uses.append((tool_id, block[1]))
                    final = index == len(blocks) - 1
                    line_usage = usage if final or not placeholder else dict(usage, output_tokens=stand_in)
                    fields = {"message": {"id": message_id, "type": "message", "role": "assistant", "model": model_now,
                                          "content": [content],
                                          "stop_reason": ("end_turn" if last else "tool_use") if final else None,
                                          "stop_sequence": None, "usage": line_usage, "stop_details": None},
                              "requestId": request_id}
                    if reference:
                        fields["requestRef"] = reference
                    record = message_record("assistant", **fields)
                    emit(record, "assistant")
                    records.append(record)
                    if index == 0:
                        self.ledger.add((message_id, request_id), usage, model_now, record["timestamp"], session_id)
                        session_keys.append((model_now, usage))
                for tool_id, tool in tool_uses:
                    if tool == "Task":
                        self.subagent(project, session_id, clock, tool_id, emit, message_record)
                    emit(message_record("user", message={"role": "user", "content": [
                        {"tool_use_id": tool_id, "type": "tool_result", "content": self.prose(rng.randrange(20, 2500)),
                         "is_error": rng.random() < 0.03}]}, toolUseResult=self.tool_result(tool),
                        sourceToolAssistantUUID=parent[0]), "user-tool-result")
            if not sidechain and rng.random() < 0.5:
                emit(message_record("system", subtype="turn_duration", durationMs=rng.randrange(2000, 300000),
                                    isMeta=False), "system")
        if args.modern and not sidechain:
            emit(self.cost_state(session_id, start_ms, clock[0], session_keys), "cost-state")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(out))
        self.bytes += size[0]
        return path, session_id, out, clock[0], records

    def tool_input(self, tool, project):
        rng = self.rng
        file = f"{project['cwd']}/src/{rng.choice(WORDS)}.cpp"
        return {"Read": {"file_path": file}, "Edit": {"file_path": file, "old_string": self.prose(80), "new_string": self.prose(90)},
                "Bash": {"command": rng.choice(("make -j2", "git status", "ctest -L unit")), "description": self.prose(30)},
                "Grep": {"pattern": rng.choice(WORDS), "path": project["cwd"]}, "Glob": {"pattern": "**/*.hpp"},
                "WebSearch": {"query": self.prose(40)},
                "Task": {"description": self.prose(30), "prompt": self.prose(400), "subagent_type": "general-purpose"}}[tool]

    def tool_result(self, tool):
        rng = self.rng
        if tool == "Task":  # a summary of the subagent's usage: never a response
            return {"status": "completed", "totalDurationMs": rng.randrange(5000, 90000), "totalTokens": rng.randrange(1000, 90000),
                    "usage": {"input_tokens": rng.randrange(10, 500), "output_tokens": rng.randrange(100, 5000),
                              "cache_creation_input_tokens": rng.randrange(0, 9000), "cache_read_input_tokens": rng.randrange(0, 90000)}}
        return {"stdout": self.prose(rng.randrange(10, 3000)), "stderr": "", "interrupted": False, "isImage": False}

    def subagent(self, project, session_id, clock, tool_id, emit, message_record):
        rng = self.rng
        agent_id = "a" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        folder = os.path.join(self.args.out, "projects", slug(project["cwd"]), session_id, "subagents")
        path = os.path.join(folder, f"agent-{agent_id}.jsonl")
        model = "claude-haiku-5-5" if rng.random() < 0.4 else pick(rng, self.models)
        _, _, _, end, records = self.session(project, clock[0] + 500, rng.randrange(3_000, 30_000),
                                             sidechain=(session_id, agent_id, path, model))
        with open(os.path.join(folder, f"agent-{agent_id}.meta.json"), "w") as f:
            json.dump({"agentType": "general-purpose", "description": self.prose(20), "toolUseId": tool_id, "spawnDepth": 1}, f)
        if self.args.agent_progress:
            for record in records[:15]:
                message = dict(record["message"])
                if rng.random() < 0.6:  # the copy often holds the streaming placeholder
                    message["usage"] = dict(message["usage"], output_tokens=rng.choice((1, 2, 4)))
                emit(message_record("progress", data={
                    "message": {"type": "assistant", "timestamp": record["timestamp"], "message": message,
                                "requestId": record["requestId"], "uuid": record["uuid"]},
                    "normalizedMessages": [], "type": "agent_progress", "prompt": "", "agentId": agent_id},
                    toolUseID="agent_msg_" + self.token("", 22), parentToolUseID=tool_id), "progress")
        clock[0] = max(clock[0], end) + 500

    def cost_state(self, session_id, start_ms, end_ms, keys):
        per_model = {}
        total = 0.0
        for model, usage in keys:
            prices = CLIENT_PRICES.get(model)
            flat = flat_usage(usage)
            entry = per_model.setdefault(model, {"inputTokens": 0, "outputTokens": 0, "cacheReadInputTokens": 0,
                                                 "cacheCreationInputTokens": 0, "webSearchRequests": 0, "costUSD": 0.0})
            entry["inputTokens"] += flat["input_tokens"]
            entry["outputTokens"] += flat["output_tokens"]
            entry["cacheReadInputTokens"] += flat["cache_read_input_tokens"]
            entry["cacheCreationInputTokens"] += flat["cache_creation_input_tokens"]
            if prices:
                cost = (flat["input_tokens"] * prices[0] + flat["cache_5m"] * prices[1] + flat["cache_1h"] * prices[2]
                        + flat["cache_read_input_tokens"] * prices[3] + flat["output_tokens"] * prices[4]) / 1e6
                entry["costUSD"] = round(entry["costUSD"] + cost, 9)
                total += cost
        self.client_cost += total
        return {"type": "cost-state", "sessionId": session_id, "totalCostUSD": round(total, 9),
                "totalAPIDuration": 2000 * len(keys), "totalToolDuration": 300, "totalLinesAdded": 0,
                "totalLinesRemoved": 0, "totalDuration": max(1, end_ms - start_ms), "startTime": start_ms,
                "modelUsage": per_model, "hasUnknownModelCost": False}

    # ---- the whole history ----
    def run(self):
        args, rng = self.args, self.rng
        target = parse_size(args.size)
        names = ["ccmeter", "web-app", "api server", "notes.md", "infra", "tools"]
        projects = [{"cwd": f"/home/dev/code/{names[i % len(names)]}{i if i >= len(names) else ''}",
                     "branch": rng.choice(["main", "master", "feat/usage", ""])} for i in range(args.projects)]
        if args.end_date == "now":
            end = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
        else:
            end = datetime.datetime.fromisoformat(args.end_date).replace(tzinfo=datetime.timezone.utc)
        end_ms = int(end.timestamp() * 1000)
        per_session = max(4000, target // max(1, args.sessions))
        newest = None
        index = 0
        while self.bytes < target or index < 5:  # the fifth is a fork
            index += 1
            project = projects[int(rng.paretovariate(1.2) - 1) % len(projects)]
            start = end_ms - int(rng.random() * args.days * 86_400_000) - 3 * 3_600_000
            fork_of = None
            if self.sessions and index % 5 == 0:
                fork_of = self.sessions[rng.randrange(len(self.sessions))]
                project = fork_of[3]
            budget = min(int(rng.uniform(0.4, 1.6) * per_session), max(4000, target - self.bytes))
            path, session_id, lines, end_time, _ = self.session(project, start, budget, fork_of=fork_of)
            self.sessions.append((path, session_id, lines, project))
            if newest is None or end_time > newest[1]:
                newest = (path, end_time, session_id)
        truth = self.ledger.report()
        if args.partial_last_line:
            # Half of a new response at the end of the newest session: not yet a line.
            with open(newest[0], "a") as f:
                f.write(json.dumps({"parentUuid": None, "isSidechain": False, "type": "assistant", "sessionId": newest[2],
                                    "message": {"id": "msg_01partial", "model": "claude-opus-4-8",
                                                "usage": {"input_tokens": 5, "output_tokens": 999999}},
                                    "requestId": "req_011Cpartial"})[:-40])
        truth["lines"] = dict(sorted(self.lines.items()))
        if args.modern:
            truth["client_cost_usd"] = round(self.client_cost, 9)
        with open(os.path.join(args.out, "ground_truth.json"), "w") as f:
            json.dump(truth, f, indent=1, sort_keys=True)
        return truth


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", default="8M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument("--end-date", default="2025-12-15T00:00:00")
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--max-split", type=int, default=10)
    parser.add_argument("--split-frac", type=float, default=0.6)
    parser.add_argument("--placeholder-frac", type=float, default=0.6)
    parser.add_argument("--no-agent-progress", dest="agent_progress", action="store_false")
    parser.add_argument("--modern", action="store_true")
    parser.add_argument("--partial-last-line", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    truth = Generator(args).run()
    print(json.dumps({"unique_responses": truth["unique_responses"], "totals": truth["totals"], "lines": truth["lines"]}))


if __name__ == "__main__":
    main()
