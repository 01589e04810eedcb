"""A scriptable fake model provider over real HTTP on loopback: OpenAI chat completions, Anthropic messages and
Gemini's generateContent (the google-genai SDK's REST calls).

The official clients (through LangChain's ChatOpenAI / ChatAnthropic) talk to it exactly as to the real APIs:

    with FakeModelAPI() as fake:
        fake.fail(500)                    # the next request answers an OpenAI-style 500
        fake.fail(429, retry_after=2)     # then a rate limit with Retry-After
        fake.answer("The password is …")  # then a normal answer
        ...
        assert len(fake.requests) == 3

Unscripted requests get `fake.default` (a text, or a function of the request body returning one).
OpenAI clients use `fake.openai_base_url`, Anthropic clients `fake.anthropic_base_url`, Gemini clients
`fake.gemini_base_url`.
A request asking for structured output (a JSON schema or a tool, as prompt version 2 does) gets the scripted
text as the structured answer's reply, in the shape asked for: intent "no_answer" for "NO_ANSWER", else "answer".
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Responder = str | Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    kind: str  # "answer", "fail", "hang", "malformed", "deprecated"
    text: str = ""
    status: int = 200
    retry_after: float | None = None
    seconds: float = 0.0
    intent: str | None = None  # the structured answer's intent (None: "answer", or "no_answer" for NO_ANSWER)
    reason: str = ""  # the structured answer's reason (for needs_person)
    cached: int = 0  # prompt tokens the usage reports as read from the provider's prompt cache


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeModelAPI) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that timed out close the socket before a hung answer: expected


class FakeModelAPI:
    """In-process fake of api.openai.com's chat completions and api.anthropic.com's messages."""

    def __init__(self, default: Responder = "I don't know.") -> None:
        self.default: Responder = default
        self.requests: list[dict[str, Any]] = []  # parsed bodies, with "_path" added
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeModelAPI:
        """Serve on a free loopback port."""
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-model", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (hung handlers wake up and drop their answer)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeModelAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """ "http://127.0.0.1:PORT"."""
        assert self._server is not None, "FakeModelAPI is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def openai_base_url(self) -> str:
        """What OPENAI_BASE_URL (or an OpenAI-compatible base URL) should be."""
        return f"{self.root}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """What ANTHROPIC_BASE_URL should be."""
        return self.root

    @property
    def gemini_base_url(self) -> str:
        """What GOOGLE_BASE_URL should be (the SDK adds /v1beta/models/MODEL:generateContent)."""
        return self.root

    # -- scripting -------------------------------------------------------------------------------

    def reset(self, default: Responder = "I don't know.") -> None:
        """Forget scripted steps and recorded requests."""
        with self._lock:
            self._steps.clear()
            self.requests.clear()
            self.default = default
            self._stopping.clear()

    def answer(
        self, text: str, *, times: int = 1, intent: str | None = None, reason: str = "", cached: int = 0
    ) -> None:
        """The next request(s) answer this text; a structured answer with this intent and reason; the usage reports
        `cached` prompt tokens as prompt-cache hits (each provider's own field)."""
        self._push(Step("answer", text=text, intent=intent, reason=reason, cached=cached), times)

    def fail(self, status: int, *, retry_after: float | None = None, times: int = 1) -> None:
        """The next request(s) answer an API error with this HTTP status (and Retry-After, if given)."""
        self._push(Step("fail", status=status, retry_after=retry_after), times)

    def hang(self, seconds: float, *, times: int = 1, text: str = "LATE ANSWER") -> None:
        """The next request(s) wait this long before answering `text` (clients should have given up)."""
        self._push(Step("hang", seconds=seconds, text=text), times)

    def malformed(self, *, times: int = 1) -> None:
        """The next request(s) answer 200 with a body that is not JSON."""
        self._push(Step("malformed"), times)

    def deprecated(self, *, times: int = 1) -> None:
        """The next request(s) answer the 404 a retired model gets."""
        self._push(Step("deprecated", status=404), times)

    def _push(self, step: Step, times: int) -> None:
        with self._lock:
            self._steps.extend([step] * times)

    def _next(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            if self._steps:
                return self._steps.popleft()
        default = self.default
        return Step("answer", text=default(body) if callable(default) else default)

    def count(self, path_suffix: str = "") -> int:
        """How many requests arrived (on paths ending with `path_suffix`)."""
        with self._lock:
            return sum(1 for r in self.requests if str(r["_path"]).endswith(path_suffix))


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last message of a request body (OpenAI or Anthropic shape)."""
    content = body["messages"][-1]["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content)
    return str(content)


def system_text(body: dict[str, Any]) -> str:
    """The system prompt of a request body (OpenAI, Anthropic or Gemini shape)."""
    if "systemInstruction" in body:
        return "".join(part.get("text", "") for part in body["systemInstruction"].get("parts", []))
    if "system" in body:
        system = body["system"]
        return system if isinstance(system, str) else "".join(p.get("text", "") for p in system)
    return "".join(str(m["content"]) for m in body["messages"] if m["role"] in ("system", "developer"))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        body["_path"] = self.path
        anthropic = self.path.endswith("/messages")
        if ":generateContent" in self.path:
            body["model"] = self.path.split("/models/", 1)[-1].split(":", 1)[0]
        step = fake._next(body)
        if step.kind == "hang":
            if fake._stopping.wait(step.seconds):
                return
            step = Step("answer", text=step.text)
        if step.kind == "malformed":
            self._send(200, b'{"id": "chatcmpl-broken", "choices": [{"message": ', {})
            return
        gemini = ":generateContent" in self.path
        if step.kind in ("fail", "deprecated"):
            if gemini:
                self._gemini_error(step)
            else:
                self._error(step, anthropic=anthropic, model=str(body.get("model")))
            return
        if gemini:
            self._gemini_answer(step, body)
        else:
            self._answer(step, body, anthropic=anthropic)

    def _gemini_answer(self, step: Step, body: dict[str, Any]) -> None:
        text = step.text
        prompt_tokens = max(1, len(json.dumps(body.get("contents", []))) // 4) + step.cached
        completion_tokens = max(1, len(text) // 4)
        payload = {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": completion_tokens,
                "totalTokenCount": prompt_tokens + completion_tokens,
                **({"cachedContentTokenCount": step.cached} if step.cached else {}),
            },
            "modelVersion": body.get("model", "unknown"),
        }
        self._send(200, json.dumps(payload).encode(), {})

    def _gemini_error(self, step: Step) -> None:
        status = {404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(step.status, "INTERNAL")
        payload = {"error": {"code": step.status, "message": f"fake {status.lower()}", "status": status}}
        headers = {"retry-after": f"{step.retry_after:g}"} if step.retry_after is not None else {}
        self._send(step.status, json.dumps(payload).encode(), headers)

    def _answer(self, step: Step, body: dict[str, Any], *, anthropic: bool) -> None:
        text = step.text
        # OpenAI's prompt_tokens include the cached ones; Anthropic's input_tokens exclude cache reads.
        prompt_tokens = max(1, len(json.dumps(body.get("messages", []))) // 4) + step.cached
        completion_tokens = max(1, len(text) // 4)
        model = body.get("model", "unknown")
        tools = body.get("tools") or []
        structured = {
            "reply": "" if text.strip() == "NO_ANSWER" else text,
            "topics": [],
            "intent": step.intent or ("no_answer" if text.strip() == "NO_ANSWER" else "answer"),
            "reason": step.reason,
            "language": "en",
        }
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if tools and not anthropic:
            name = tools[0]["function"]["name"]
            call = {"id": "call_0", "type": "function", "function": {"name": name, "arguments": json.dumps(structured)}}
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        elif (body.get("response_format") or {}).get("type") == "json_schema":
            message = {"role": "assistant", "content": json.dumps(structured)}
        if anthropic:
            content: list[dict[str, Any]] = [{"type": "text", "text": text}]
            if tools:
                content = [{"type": "tool_use", "id": "toolu_0", "name": tools[0]["name"], "input": structured}]
            payload: dict[str, Any] = {
                "id": f"msg_{uuid.uuid4().hex}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": "tool_use" if tools else "end_turn",
                "stop_sequence": None,
                "usage": {
                    "input_tokens": prompt_tokens - step.cached,
                    "output_tokens": completion_tokens,
                    **({"cache_read_input_tokens": step.cached} if step.cached else {}),
                },
            }
        else:
            payload = {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                    **({"prompt_tokens_details": {"cached_tokens": step.cached}} if step.cached else {}),
                },
            }
        self._send(200, json.dumps(payload).encode(), {})

    def _error(self, step: Step, *, anthropic: bool, model: str) -> None:
        if step.kind == "deprecated":
            message, kind = f"The model `{model}` has been deprecated and is no longer available.", "model_not_found"
        else:
            message = {429: "Rate limit reached", 500: "The server had an error", 503: "Overloaded"}.get(
                step.status, "Error"
            )
            kind = {429: "rate_limit_exceeded", 400: "invalid_request_error"}.get(step.status, "server_error")
        if anthropic:
            payload = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            payload = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
        headers = {"retry-after": f"{step.retry_after:g}"} if step.retry_after is not None else {}
        # The official clients retry on their own when told to; x-should-retry=false leaves it to our router.
        headers["x-should-retry"] = "false"
        self._send(step.status, json.dumps(payload).encode(), headers)

    def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def use_openai(api: FakeModelAPI, monkeypatch: pytest.MonkeyPatch, **settings: str) -> None:
    """Point one OpenAI-style provider (gpt-4o-mini) at this fake, offline-first off, plus `settings` (env)."""
    openai = {"OPENAI_BASE_URL": api.openai_base_url, "OPENAI_API_KEY": "test-key"}
    _setenv(monkeypatch, {"LLM_PROVIDERS": "openai:gpt-4o-mini", **openai, "LLM_OFFLINE_FIRST": "false", **settings})


def use_both_providers(api: FakeModelAPI, monkeypatch: pytest.MonkeyPatch, **settings: str) -> None:
    """Point the OpenAI- and Anthropic-style providers at this fake, offline-first off, plus `settings` (env)."""
    openai = {"OPENAI_BASE_URL": api.openai_base_url, "OPENAI_API_KEY": "test-key"}
    anthropic = {"ANTHROPIC_BASE_URL": api.anthropic_base_url, "ANTHROPIC_API_KEY": "test-key"}
    _setenv(monkeypatch, {**openai, **anthropic, "LLM_OFFLINE_FIRST": "false", **settings})


def _setenv(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
