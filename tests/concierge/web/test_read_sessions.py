"""GET pages read in read-only sessions (on SQLite they never take the write lock); the only GET routes with a
write session are the views that write an audit row."""

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from concierge.app import create_app
from concierge.core.db import get_session

AUDITED_VIEWS = {  # reading them is recorded in the audit log: a write, on purpose
    "/console/conversations/{conversation_id}",
    "/console/traces/{trace_id}",
    "/admin/p/{slug}/pack.yaml",
}


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every route, through included routers."""
    found: list[APIRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            found += api_routes(included.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def writes(dependant: Dependant) -> bool:
    return any(d.call is get_session or writes(d) for d in dependant.dependencies)


def test_only_audited_views_open_a_write_session_on_get(database_url: str) -> None:
    routes = [r for r in api_routes(create_app().routes) if "GET" in r.methods]
    assert len(routes) > 20
    assert {r.path for r in routes if writes(r.dependant)} == AUDITED_VIEWS
