"""The turn's state and the collaborators its nodes are given; the graph turns the final state into a TurnResult."""

import operator
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypedDict

from sqlmodel import Session

from concierge.conversation.models import Author, Conversation, Message
from concierge.conversation.service import PastMessage
from concierge.guard.screening import Screener
from concierge.guard.secrets import Access
from concierge.llm.router import Router
from concierge.turn.result import Decision, EscalationRequest, Outcome, Verdict
from escalation.models import Urgency
from knowledge.models import Property, Reservation
from knowledge.retrieval import Candidate


class CpuSlots:
    """At most `size` of a worker process's turns run at once, except while they wait for a model (`WORKER_CPU_TURNS`).

    The GIL runs one thread's Python at a time however many turns are in flight, so more CPU-bound turns only add
    switching: every turn then takes longer, and a turn holding SQLite's write lock waits for the GIL while the
    web process's acknowledgements wait for that lock (docs/benchmarks.md, issue 22). A turn waiting for a model
    gives its slot up (`released`), so `WORKER_CONCURRENCY` model calls still overlap. A slot is taken before the
    claim and given back by the thread that ran the turn (a semaphore, not a lock: any thread may release it).
    """

    def __init__(self, size: int) -> None:
        self._free = threading.Semaphore(size)

    def take(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a slot; False if none came free."""
        return self._free.acquire(timeout=timeout)

    def give(self) -> None:
        """Give a slot taken with `take` back."""
        self._free.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """While holding a slot: give it to another turn for the block (a model call), then take one again."""
        self._free.release()
        try:
            yield
        finally:
            self._free.acquire()


@dataclass(frozen=True)
class TurnContext:
    """Given to every node: a read-only session, the responder router, the clock and tuning."""

    session: Session
    router: Router
    now: datetime  # aware (UTC)
    retrieval_threshold: float = 0.7
    history_messages: int = 10
    context_tokens: int = 6000  # LLM_CONTEXT_TOKENS
    max_inbound_chars: int = 2000
    rate_limit_messages: int = 20
    rate_limit_window_seconds: float = 600.0
    handoff_ack_minutes: float = 2.0  # a person owns the chat and nobody from the team wrote for this long: …
    handoff_ack_interval_minutes: float = 30.0  # … the guest hears "your message is with our team", this rarely
    screener: Screener = field(default_factory=Screener)  # extra classifiers (e.g. a model) plug in here
    degraded: bool = False  # outbox backlog over its threshold: take the cheapest path (no model calls)
    started: float = field(default_factory=time.perf_counter)  # the turn's zero on the trace timeline
    slots: CpuSlots | None = None  # the worker's CPU slots: a model call gives this turn's slot up meanwhile
    # The session is the turn's own read-only one (the runner's): ended before a model call. Not a preview's, which
    # writes the previewed message in a savepoint of the page's transaction.
    reads_end_before_model: bool = False


class TurnState(TypedDict, total=False):
    message_id: int
    release: dict[str, Any] | None  # the release the turn runs with (for the trace)
    # load_context
    message: Message
    conversation: Conversation
    property: Property
    reservation: Reservation | None
    history: list[PastMessage]  # the conversation's earlier messages, oldest first
    offered: list[str]  # the topics our last reply, a clarifying question, asked the guest to choose from
    considered: list[tuple[str, float]]  # the topics our last reply's retrieval ranked for the guest's last message
    inbound: int  # the sender's messages in the rate window (RATE_LIMIT_*), up to and including this one
    knowledge_version: int | None
    entries: list[dict[str, Any]]
    text: str
    # detect_language
    language: str
    language_reason: str
    # screen_input
    verdict: Verdict
    access: Access
    screen: dict[str, Any]  # the screening verdict for the trace: category, action, signal rule ids
    outcome: Outcome  # refuse/escalate when screening decided, clarify when retrieval asks
    urgency: Urgency  # screening's urgency for the escalation it asks for
    private: list[str]  # other guests' and staff's details a reply must not contain
    # retrieve
    candidates: list[Candidate]
    selected: list[str]
    clarify: list[str]  # plausible topics to ask about when none is sure enough
    open_questions: int  # questions of the message no topic answers: handed to a person beside the answer
    # respond / check_output
    reply: str
    responder: str  # a Responder, or "provider:model"
    entry_ids: list[str]
    escalate: str | None  # the reason people must follow up, if they must
    checks: list[str]
    llm: dict[str, Any]  # the router's record: route, provider chain, prompt, calls, cost, rejected replies
    degraded: bool
    # decide
    decision: Decision
    send: bool
    author: Author
    despite_owner: bool  # the reply leaves even though a person owns the conversation
    escalation: EscalationRequest | None
    nodes: Annotated[list[dict[str, Any]], operator.add]
