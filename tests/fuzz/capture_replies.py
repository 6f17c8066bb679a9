#!/usr/bin/env python3
"""Captures real ccmeterd replies, byte for byte, as the seed corpus of fuzz_http2_frame_reader.

Starts `ccmeterd serve` on tests/fixtures/history in a temporary HOME, sends each call the way
hookctl does (unix_grpc_client.cpp: preface, SETTINGS, WINDOW_UPDATE, HEADERS, DATA) and
writes everything the daemon sent on that connection until the call's end of stream to
tests/fuzz/corpus/fuzz_http2_frame_reader/<name>: a status line, an error status (bad
payload), an unknown method, Health and a streaming Export of several pages.

    tests/fuzz/capture_replies.py BUILD_DIR      e.g. tests/fuzz/capture_replies.py build
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "fuzz_http2_frame_reader")


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_literal(name_index, value):
    return bytes([name_index]) + bytes([len(value)]) + value  # indexed name, no Huffman, < 127


def request(method, message, window=0x7fffffff):
    out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    out += frame(0x4, 0, 0, b"\x00\x02" + struct.pack(">I", 0) + b"\x00\x04" + struct.pack(">I", window))
    out += frame(0x8, 0, 0, struct.pack(">I", window - 65535))
    headers = b"\x83\x86" + hpack_literal(4, method) + hpack_literal(1, b"localhost") + \
        b"\x0f\x10" + bytes([16]) + b"application/grpc" + b"\x00\x02te\x08trailers"  # content-type (31), te
    out += frame(0x1, 0x4, 1, headers)
    out += frame(0x0, 0x1, 1, b"\x00" + struct.pack(">I", len(message)) + message)
    return out


def field(number, payload):
    """A length-delimited protobuf field (strings, nested messages)."""
    length, data = len(payload), b""
    while True:
        data += bytes([(length & 0x7f) | (0x80 if length > 0x7f else 0)])
        length >>= 7
        if not length:
            break
    return bytes([number << 3 | 2]) + data + payload


def varint_field(number, value):
    data = b""
    while True:
        data += bytes([(value & 0x7f) | (0x80 if value > 0x7f else 0)])
        value >>= 7
        if not value:
            break
    return bytes([number << 3]) + data


def capture(path, method, message):
    """Everything the daemon sends for one call, until stream 1 ends (trailers or RST)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect(path)
    conn.sendall(request(method, message))
    received, at = b"", 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        received += chunk
        ended = False
        while len(received) - at >= 9:
            length = int.from_bytes(received[at:at + 3], "big")
            kind, flags = received[at + 3], received[at + 4]
            stream = int.from_bytes(received[at + 5:at + 9], "big") & 0x7fffffff
            if len(received) - at < 9 + length:
                break
            at += 9 + length
            if kind == 0x4 and not flags & 0x1:
                conn.sendall(frame(0x4, 0x1, 0, b""))
            if stream == 1 and (kind == 0x3 or (kind in (0x0, 0x1) and flags & 0x1)):
                ended = True
        if ended:
            break
    conn.close()
    return received[:at]


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    work = tempfile.mkdtemp(prefix="ccmeter-capture.")
    config = os.path.join(work, "claude")
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "history", "projects"),
                    os.path.join(config, "projects"))
    env = dict(os.environ, HOME=work, CLAUDE_CONFIG_DIR=config, CCMETER_DB=os.path.join(work, "usage.db"),
               CCMETER_RUNTIME_DIR=os.path.join(work, "run"), CCMETER_NO_SPAWN="1", CCMETER_WEB_PORT="0",
               XDG_CONFIG_HOME=os.path.join(work, "config"))
    daemon = subprocess.Popen([os.path.join(build, "daemon", "ccmeterd"), "serve"], env=env,
                              stderr=subprocess.DEVNULL)
    sock = os.path.join(work, "run", "ccmeterd.sock")
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        transcript = sorted(os.path.join(d, f) for d, _, fs in os.walk(config) for f in fs
                            if f.endswith(".jsonl") and "subagents" not in d)[0]
        payload = ('{"session_id":"%s","transcript_path":"%s","cwd":"/home/dev/code",'
                   '"model":{"id":"claude-opus-4-6","display_name":"Opus 4.6"},'
                   '"cost":{"total_cost_usd":0.5}}' % (os.path.basename(transcript)[:-6], transcript)).encode()
        session = os.path.basename(transcript)[:-6]
        today = int(time.time() // 86400 * 86400 * 1000)
        calls = {
            "status_line": (b"/ccmeter.v1.Meter/StatusLine", field(1, payload) + varint_field(2, today)),
            "status_line_bad_payload": (b"/ccmeter.v1.Meter/StatusLine", field(1, b"not json")),
            "unknown_method": (b"/ccmeter.v1.Meter/NoSuchCall", b""),
            "health": (b"/ccmeter.v1.Meter/Health", b""),
            # Export of one session's responses (what = 1), 3 rows a page: several messages on
            # one stream.
            "export_pages": (b"/ccmeter.v1.Meter/Export",
                             varint_field(1, 1) + field(2, field(4, session.encode())) + varint_field(4, 3)),
        }
        os.makedirs(OUT, exist_ok=True)
        for name, (method, message) in calls.items():
            data = capture(sock, method, message)
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
