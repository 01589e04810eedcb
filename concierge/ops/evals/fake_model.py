"""The fact-seeking fake model: a real HTTP server on loopback speaking OpenAI chat completions.

`concierge eval --mode model` starts it in-process on 127.0.0.1 with a random port and points the app's own
OpenAI provider at it (`LLM_PROVIDERS=openai:fake-fact-model,offline`, `OPENAI_BASE_URL`), so every turn goes
through the official client, the router, the output checks and the fallbacks exactly as with a real model:

    with FactSeekingModel() as fake:
        fake.expect(Expectation(facts=("Check-in is from 16:00…",), topics=("check_in",), language="en"))
        ...  # a request whose context contains that text is answered with it; otherwise NO_ANSWER

What it answers is in fake_replies.py. Tests use it through `tests/fakes/fact_model.py`.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from concierge.ops.evals.fake_replies import NO_ANSWER, Answer, Expectation, compose, message_for

MODEL = "fake-fact-model"
__all__ = ["MODEL", "NO_ANSWER", "Answer", "Expectation", "FactSeekingModel"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: "FactSeekingModel") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up closes its socket: nothing to report


class FactSeekingModel:
    """In-process fake of the chat completions API; `expect()` is the eval runner's out-of-band channel."""

    def __init__(self) -> None:
        self.expectation = Expectation()
        self.requests: list[dict[str, Any]] = []  # the bodies received since the last expect(), newest last
        self.answers: list[Answer] = []  # what the fake answered to them
        # Every call's (prompt, cached, completion) tokens since start, never cleared (token benchmarks).
        self.usage_log: list[tuple[int, int, int]] = []
        self._seen_prefixes: set[str] = set()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "FactSeekingModel":
        """Serve on a free loopback port."""
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-fact-model", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> "FactSeekingModel":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL should be: "http://127.0.0.1:PORT/v1"."""
        assert self._server is not None, "FactSeekingModel is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def expect(self, expectation: Expectation) -> None:
        """What answers the guest's next message (out of band: the app never sees this)."""
        with self._lock:
            self.expectation = expectation
            self.requests.clear()
            self.answers.clear()

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat-completions response for a request body (the HTTP handler's work, callable directly)."""
        with self._lock:
            expectation = self.expectation
        answer = compose(body, expectation)
        message, finish = message_for(body, answer)
        with self._lock:
            self.requests.append(body)
            self.answers.append(answer)
        prompt_tokens = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
        completion_tokens = max(1, len(json.dumps(message, ensure_ascii=False)) // 4)
        cached = self._cached_tokens(body, prompt_tokens)
        with self._lock:
            self.usage_log.append((prompt_tokens, cached, completion_tokens))
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
        }

    def _cached_tokens(self, body: dict[str, Any], prompt_tokens: int) -> int:
        """Prompt caching as OpenAI does it: a system prompt sent before, of 1,024 tokens or more, is read from the
        cache in 128-token steps (the fake counts four characters as a token)."""
        messages = body.get("messages") or []
        first = messages[0] if messages else {}
        if first.get("role") not in ("system", "developer"):
            return 0
        prefix = json.dumps(first, ensure_ascii=False)
        tokens = len(prefix) // 4
        with self._lock:
            seen = prefix in self._seen_prefixes
            self._seen_prefixes.add(prefix)
        if not seen or tokens < 1024:
            return 0
        return min(prompt_tokens, tokens // 128 * 128)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._send(400, _error("the body is not JSON"))
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, _error(f"the fake serves /v1/chat/completions only, not {self.path}"))
            return
        if body.get("stream"):
            self._send(400, _error("the fake does not stream"))
            return
        self._send(200, self.server.fake.completion(body))

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-should-retry", "false")  # the app's router does the retrying
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
