"""The web application: routers, error handlers, and the in-process worker on SQLite."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from concierge.channels import simulator, twilio
from concierge.conversation.group_commit import GroupCommit
from concierge.core.errors import DomainError
from concierge.core.observability import configure_sentry
from concierge.core.settings import get_settings
from concierge.llm.translate import Translator
from concierge.ops import health
from concierge.ops.backlog import register_backlog_collector
from concierge.ops.dashboard import admin as dashboard_admin
from concierge.web import auth, rendering
from concierge.web.headers import SecurityHeaders
from concierge.web.limits import BodyLimit, IdRange
from concierge.worker.loops import Worker
from concierge.worker.process import WorkerProcesses
from escalation.console import marks as console_marks
from escalation.console import pages as console
from escalation.console import settings as console_settings
from escalation.console import trace as trace_page
from knowledge.admin import pages as admin

WORKER_READY_SECONDS = 120.0  # the child imports the turn graph; health checks wait for it rather than guests


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the worker with the app when it runs beside it (threads or a child process); drain it on shutdown."""
    settings = get_settings()
    worker: Worker | WorkerProcesses | None = app.state.worker
    if isinstance(worker, WorkerProcesses):  # started by `serve` before the app was imported
        worker.wait_ready(WORKER_READY_SECONDS)
    elif settings.run_worker_in_process:  # an app built without `serve` (tests): the worker's threads
        worker = app.state.worker = Worker(settings)
        worker.start()
    try:
        yield
    finally:
        app.state.inbound_writes.close()  # in-flight webhooks have finished: writes what is queued, if anything
        if worker is not None:
            worker.stop()  # waits up to SHUTDOWN_TIMEOUT_SECONDS, then releases unfinished turns
        if app.state.translator is not None:
            app.state.translator.close()  # a console page's late translation calls end with the app


def create_app(*, worker: WorkerProcesses | None = None) -> FastAPI:
    """Build the application from the current settings; `worker`: a started child worker the app stops with it."""
    settings = get_settings()
    configure_sentry(settings)
    register_backlog_collector()
    docs = settings.api_docs  # off unless API_DOCS=true: the schema maps every route for a stranger
    app = FastAPI(
        title="Guest concierge",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.worker = worker
    app.state.inbound_writes = GroupCommit()  # the webhook's stores, batched (concierge/group_commit.py)
    app.include_router(health.router)
    app.include_router(twilio.router)
    app.include_router(simulator.router)
    auth.install(app, settings)
    app.include_router(admin.router)
    app.include_router(dashboard_admin.router)
    app.include_router(console.router)
    app.include_router(trace_page.router)
    app.include_router(console_marks.router)
    app.include_router(console_settings.router)
    app.state.translator = Translator.from_settings(settings)  # None with only the offline responder
    app.mount("/static", StaticFiles(directory=rendering.WEB_DIR / "static"), name="static")
    app.add_middleware(IdRange)  # a URL with an id past 64 bits names nothing: 404, never a database overflow
    app.add_middleware(BodyLimit)  # outermost but one: no body is read past its limit by anything inside
    app.add_middleware(SecurityHeaders)  # added last, so outermost: on every response, the 413 too

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:  # browsers and bookmarks ask for it whatever the page's <link rel="icon"> says
        return FileResponse(rendering.WEB_DIR / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if "text/html" in request.headers.get("accept", ""):  # a person in a browser gets a page, not JSON
            return rendering.render(request, "error.html", {"message": exc.message}, status_code=exc.status_code)
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    @app.exception_handler(twilio.Rejected)
    async def webhook_rejected(_request: Request, exc: twilio.Rejected) -> Response:
        return twilio.rejected_response(exc)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return RedirectResponse("/simulator" if settings.simulator_on else "/healthz")

    return app
