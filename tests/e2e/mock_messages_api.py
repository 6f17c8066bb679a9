#!/usr/bin/env python3
"""A mock of the Anthropic Messages API on loopback, for running the real Claude Code client
offline (it talks to it through ANTHROPIC_BASE_URL).

    mock_messages_api.py [--port 0] [--log FILE] [--input-tokens 12] [--cache-write-5m 600]
                         [--cache-write-1h 400] [--cache-read 5000] [--output-tokens 17]
                         [--output-per-block 10]
    or, in a test:  api = MockMessagesApi(Usage(...)); api.start(); ... api.url ...; api.stop()

Contract:
  * binds 127.0.0.1 only (port 0: any free port; the CLI prints "listening on http://...");
  * POST /v1/messages answers from the LAST user turn of the request:
      a tool_result in it          -> one text block "Tool finished; all done (mock)."
      text with SCENARIO_TOOL      -> a text block and a Bash tool_use (echo mock-tool-ran)
      text with SCENARIO_AGENT     -> a text block and an Agent (or Task) tool_use that starts a
                                      general-purpose subagent, whose own request gets plain text
      text with SCENARIO_TWOTEXT   -> two text blocks
      text with SCENARIO_ERR400    -> HTTP 400 invalid_request_error (the client does not retry)
      anything else                -> one text block "Hi from the mock API."
    streamed as Server-Sent Events when the request asks for "stream" (message_start with the
    input and cache usage and output_tokens 1, content blocks, message_delta with the final
    usage), else one JSON message. Every response has a new message id and request-id header;
  * usage is deterministic: input_tokens, cache writes (5m + 1h, in cache_creation too),
    cache_read_input_tokens as configured; output_tokens = output-tokens + output-per-block x
    the number of content blocks;
  * side endpoints: POST /v1/messages/count_tokens -> {"input_tokens": 1234}, GET /v1/models ->
    an empty list, HEAD anything -> 200; any other path -> 404 with an API error body;
  * every request is appended to --log (method, path, model, scenario), if given; in a test,
    .requests lists them and .served the (message id, request id, usage) of every answer.
"""
import argparse
import http.server
import itertools
import json
import threading
import uuid
from dataclasses import dataclass

FINAL_TEXT = "Tool finished; all done (mock)."
PLAIN_TEXT = "Hi from the mock API."


@dataclass
class Usage:
    input_tokens: int = 12
    cache_write_5m: int = 600
    cache_write_1h: int = 400
    cache_read: int = 5000
    output_tokens: int = 17
    output_per_block: int = 10

    def body(self, output_tokens):
        return {"input_tokens": self.input_tokens,
                "cache_creation_input_tokens": self.cache_write_5m + self.cache_write_1h,
                "cache_read_input_tokens": self.cache_read,
                "cache_creation": {"ephemeral_5m_input_tokens": self.cache_write_5m,
                                   "ephemeral_1h_input_tokens": self.cache_write_1h},
                "output_tokens": output_tokens, "service_tier": "standard",
                "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0}}


def last_user_turn(messages):
    """(has a tool_result, its text) of the last user message."""
    for message in reversed(messages or []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return False, content
        blocks = [b for b in content or [] if isinstance(b, dict)]
        text = "\n".join(b.get("text") or "" for b in blocks if b.get("type") == "text")
        return any(b.get("type") == "tool_result" for b in blocks), text
    return False, ""


def tool_use(name, tool_input):
    return {"type": "tool_use", "id": "toolu_mock_" + uuid.uuid4().hex[:20], "name": name, "input": tool_input}


def answer(request):
    """(scenario, content blocks, stop_reason) for a /v1/messages request; blocks None = error."""
    tool_result, text = last_user_turn(request.get("messages"))
    tools = {t.get("name") for t in request.get("tools") or [] if isinstance(t, dict)}
    if tool_result:
        return "after_tool", [{"type": "text", "text": FINAL_TEXT}], "end_turn"
    if "SCENARIO_ERR400" in text:
        return "error", None, None
    if "SCENARIO_TOOL" in text and "Bash" in tools:
        return "tool", [{"type": "text", "text": "I will run a command."},
                        tool_use("Bash", {"command": "echo mock-tool-ran", "description": "Echo a marker"})], "tool_use"
    agent = "Agent" if "Agent" in tools else ("Task" if "Task" in tools else None)
    if "SCENARIO_AGENT" in text and agent:
        return "agent", [{"type": "text", "text": "Asking a subagent."},
                         tool_use(agent, {"description": "Say pong", "prompt": "Reply with the single word pong.",
                                          "subagent_type": "general-purpose"})], "tool_use"
    if "SCENARIO_TWOTEXT" in text:
        return "two_text", [{"type": "text", "text": "First block."}, {"type": "text", "text": "Second block."}], "end_turn"
    return "plain", [{"type": "text", "text": PLAIN_TEXT}], "end_turn"


class MockMessagesApi:
    def __init__(self, usage=None, port=0, log=None):
        self.usage = usage or Usage()
        self.log_path = log
        self.requests = []  # (method, path, scenario) of every request, in order
        self.served = []  # (message id, request id, final usage) of every message answered
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def scenarios(self):
        with self._lock:
            return [scenario for _, path, scenario in self.requests if path == "/v1/messages"]

    def _record(self, method, path, model=None, scenario=None):
        with self._lock:
            self.requests.append((method, path, scenario))
            if self.log_path:
                with open(self.log_path, "a") as f:
                    f.write(json.dumps({"method": method, "path": path, "model": model, "scenario": scenario}) + "\n")

    def _handler(self):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send_json(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def not_found(self):
                self.send_json(404, {"type": "error", "error": {"type": "not_found_error",
                                                                "message": f"mock: no {self.command} {self.path}"}})

            def read_json(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return None

            def do_HEAD(self):
                api._record("HEAD", self.path)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_GET(self):
                path = self.path.split("?")[0]
                api._record("GET", path)
                if path == "/v1/models":
                    self.send_json(200, {"data": [], "has_more": False, "first_id": None, "last_id": None})
                else:
                    self.not_found()

            def do_POST(self):
                path = self.path.split("?")[0]
                request = self.read_json()
                if path == "/v1/messages/count_tokens":
                    api._record("POST", path)
                    self.send_json(200, {"input_tokens": 1234})
                    return
                if path != "/v1/messages" or not isinstance(request, dict):
                    api._record("POST", path)
                    self.not_found()
                    return
                number = next(api._counter)
                message_id = f"msg_mock_{number:04d}_{uuid.uuid4().hex[:8]}"
                request_id = f"req_mock_{number:04d}_{uuid.uuid4().hex[:8]}"
                model = request.get("model") or "claude-opus-4-8"
                scenario, blocks, stop = answer(request)
                api._record("POST", path, model, scenario)
                headers = {"request-id": request_id}
                if blocks is None:
                    self.send_json(400, {"type": "error", "error": {"type": "invalid_request_error",
                                                                    "message": "mock: forced 400 error"}}, headers)
                    return
                final = api.usage.body(api.usage.output_tokens + api.usage.output_per_block * len(blocks))
                with api._lock:
                    api.served.append((message_id, request_id, final))
                if not request.get("stream"):
                    self.send_json(200, {"id": message_id, "type": "message", "role": "assistant", "model": model,
                                         "content": blocks, "stop_reason": stop, "stop_sequence": None,
                                         "usage": final}, headers)
                    return
                self.stream(message_id, model, blocks, stop, final, headers)

            def stream(self, message_id, model, blocks, stop, final, headers):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.close_connection = True

                def event(name, data):
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

                start = dict(final, output_tokens=1)
                event("message_start", {"type": "message_start", "message": {
                    "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
                    "stop_reason": None, "stop_sequence": None, "usage": start}})
                for index, block in enumerate(blocks):
                    if block["type"] == "text":
                        event("content_block_start", {"type": "content_block_start", "index": index,
                                                      "content_block": {"type": "text", "text": ""}})
                        event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                      "delta": {"type": "text_delta", "text": block["text"]}})
                    else:
                        event("content_block_start", {"type": "content_block_start", "index": index,
                                                      "content_block": dict(block, input={})})
                        event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                      "delta": {"type": "input_json_delta",
                                                                "partial_json": json.dumps(block["input"])}})
                    event("content_block_stop", {"type": "content_block_stop", "index": index})
                event("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                        "usage": final})
                event("message_stop", {"type": "message_stop"})

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log")
    defaults = Usage()
    for field in ("input_tokens", "cache_write_5m", "cache_write_1h", "cache_read", "output_tokens", "output_per_block"):
        parser.add_argument("--" + field.replace("_", "-"), type=int, default=getattr(defaults, field))
    args = parser.parse_args()
    usage = Usage(args.input_tokens, args.cache_write_5m, args.cache_write_1h, args.cache_read,
                  args.output_tokens, args.output_per_block)
    api = MockMessagesApi(usage, args.port, args.log)
    print(f"listening on {api.url}", flush=True)
    api._server.serve_forever()


if __name__ == "__main__":
    main()
