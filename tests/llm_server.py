"""A small threaded HTTP server on 127.0.0.1 that speaks OpenAI's Chat Completions and
Anthropic's Messages APIs (plain JSON and SSE streaming), replies from a script, and
records every request, so tests drive the real SDK clients and see what they sent."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply: a text (streamed or not), or an error status, or a stall."""

    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    usage: tuple[int, int] = (120, 30)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def text(self) -> str:
        """Every message text sent (system and user), joined."""
        parts = [self.body.get("system") or ""]
        for message in self.body.get("messages", []):
            content = message.get("content")
            parts.append(content if isinstance(content, str) else json.dumps(content))
        if isinstance(parts[0], list):
            parts[0] = json.dumps(parts[0])
        return "\n".join(str(p) for p in parts)


class FakeLLM:
    """Start with `with FakeLLM() as server:`; `server.url` for OpenAI (ends in /v1),
    `server.root` for Anthropic; `server.replies.append(Reply(...))` scripts the answers.
    `responder`, when given, writes the reply from the request itself (a fake model that
    reads its prompt), for runs with many calls in an order the test does not fix; it
    returns None to fall back to the scripted replies."""

    def __init__(self, responder: Callable[[Request], Reply | None] | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.responder = responder
        self.errors: list[str] = []  # exceptions of the responder (answered with a 500)
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                # the client may have given up (a timeout test): nothing to tell it then
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                fake.requests.append(request)
                reply = None
                if fake.responder:
                    try:
                        reply = fake.responder(request)
                    except Exception as exc:  # a bug in the test's fake model: say so
                        fake.errors.append(repr(exc))
                        reply = Reply(repr(exc), status=500)
                if reply is None:
                    reply = fake.replies.popleft() if fake.replies else Reply("(no reply scripted)")
                if reply.delay:
                    time.sleep(reply.delay)
                anthropic = self.path.endswith("/messages")
                if reply.status != 200:
                    self._error(reply, anthropic)
                elif body.get("stream"):
                    self._stream(reply, anthropic, body.get("model", "m"))
                else:
                    self._json(reply, anthropic, body.get("model", "m"))

            def _send(self, status: int, payload: bytes, kind: str, extra: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(payload)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, reply: Reply, anthropic: bool) -> None:
                message = reply.text or f"status {reply.status}"
                body = (
                    {"type": "error", "error": {"type": "api_error", "message": message}}
                    if anthropic
                    else {"error": {"message": message, "type": "api_error", "code": None}}
                )
                headers = {"retry-after-ms": "10", "retry-after": "0", **reply.headers}
                self._send(reply.status, json.dumps(body).encode(), "application/json", headers)

            def _json(self, reply: Reply, anthropic: bool, model: str) -> None:
                tokens_in, tokens_out = reply.usage
                if anthropic:
                    body: dict[str, Any] = {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [{"type": "text", "text": reply.text}],
                        "stop_reason": "end_turn",
                        "stop_sequence": None,
                        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
                    }
                else:
                    body = {
                        "id": "c1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": tokens_in,
                            "completion_tokens": tokens_out,
                            "total_tokens": tokens_in + tokens_out,
                        },
                    }
                self._send(200, json.dumps(body).encode(), "application/json", reply.headers)

            def _stream(self, reply: Reply, anthropic: bool, model: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.end_headers()
                events = (
                    _anthropic_events(reply, model) if anthropic else _openai_events(reply, model)
                )
                for event in events:
                    self.wfile.write(event.encode())
                    self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The OpenAI-style base URL."""
        return self.root + "/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _chunks(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _openai_events(reply: Reply, model: str) -> list[str]:
    def event(payload: dict[str, Any]) -> str:
        return f"data: {json.dumps(payload)}\n\n"

    base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model}
    out = [
        event(
            {
                **base,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
        )
        for piece in _chunks(reply.text)
    ]
    out.append(event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    tokens_in, tokens_out = reply.usage
    usage = {
        "prompt_tokens": tokens_in,
        "completion_tokens": tokens_out,
        "total_tokens": tokens_in + tokens_out,
    }
    out.append(event({**base, "choices": [], "usage": usage}))
    out.append("data: [DONE]\n\n")
    return out


def _anthropic_events(reply: Reply, model: str) -> list[str]:
    def event(name: str, payload: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps({'type': name, **payload})}\n\n"

    tokens_in, tokens_out = reply.usage
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": 1},
    }
    out = [
        event("message_start", {"message": message}),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
    ]
    out += [
        event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
        for piece in _chunks(reply.text)
    ]
    out += [
        event("content_block_stop", {"index": 0}),
        event(
            "message_delta",
            {
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": tokens_out},
            },
        ),
        event("message_stop", {}),
    ]
    return out
