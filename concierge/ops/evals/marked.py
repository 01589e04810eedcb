"""`concierge eval --property SLUG --marked`: the cases staff marked in the console, played and judged.

A marked case (concierge/conversation/marks.py) is written out as a realistic suite file (spec.py's format, one
`kind` per case, split dev), so `--export FILE` hands a team the same YAML the runner reads; the run loads that
YAML back with `cases.load_cases`, plays it through the real turn pipeline (play.py) against the property's
published knowledge (its pack as exported from DATABASE_URL) and judges it like the realistic suites.
"""

import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from concierge.core.errors import InvalidInput
from concierge.ops.evals.cases import load_cases
from concierge.ops.evals.play import play
from concierge.ops.evals.realistic import Verdict, judge


def marked_suite(slug: str) -> tuple[dict[str, Any], str, int | None]:
    """The property's marked cases as a realistic suite (a mapping ready for YAML), its published pack's YAML and
    the published knowledge version's number."""
    from concierge.conversation import marks
    from concierge.core.db import session_scope
    from knowledge import service as knowledge_service
    from knowledge.pack import dump_pack

    with session_scope(readonly=True) as session:
        prop = knowledge_service.get_property(session, slug=slug)
        assert prop.id is not None
        rows = marks.cases(session, property_id=prop.id)
        pack = dump_pack(knowledge_service.export_pack(session, slug=slug))
        published = knowledge_service.published_version(session, property_id=prop.id)
        suite = {"suite": f"marked-{slug}", "cases": [case_data(slug, mark) for mark in rows]}
    return suite, pack, published.version if published else None


def case_data(slug: str, mark: Any) -> dict[str, Any]:
    """One marked case in the realistic suites' format (extra keys say where it came from; the loader skips them)."""
    expect: dict[str, Any] = {"topics": list(mark.expect_topics)} if mark.expect_topics else {}
    return {
        "id": f"{slug}-mark-{mark.id}",
        "kind": mark.expect_kind,
        "split": "dev",
        "language": mark.language,
        "guest": mark.guest,
        "messages": list(mark.messages),
        "expect": expect,
        "marked_as": mark.verdict,
        "knowledge_version": mark.knowledge_version,
        "note": mark.note,
    }


def dump_suite(suite: dict[str, Any]) -> str:
    """The suite as YAML: run it with `concierge eval FILE --pack <the property's pack>`."""
    head = "# Marked in the console; run with: concierge eval THIS_FILE --pack <the property's exported pack>\n"
    return head + yaml.safe_dump(suite, sort_keys=False, allow_unicode=True, width=100)


def run_marked(slug: str, *, export: Path | None = None, mode: str = "offline") -> int:
    """Play the property's marked cases; print one line per case; 1 when a case fails (none: nothing fails, 0)."""
    suite, pack, version = marked_suite(slug)
    if export is not None:
        export.write_text(dump_suite(suite), encoding="utf-8")
        print(f"wrote {len(suite['cases'])} marked cases to {export}", file=sys.stderr)
    if not suite["cases"]:
        print(f"{slug}: no marked case yet")
        return 0
    with tempfile.TemporaryDirectory(prefix="concierge-marked-") as tmp:
        cases_file, pack_file = Path(tmp) / "marked.yaml", Path(tmp) / "pack.yaml"
        cases_file.write_text(dump_suite(suite), encoding="utf-8")
        pack_file.write_text(pack, encoding="utf-8")
        cases = load_cases(cases_file)
        print(f"running {len(cases)} marked cases of {slug}", file=sys.stderr)
        verdicts = [judge(p) for p in play(cases, mode=mode, default_pack=pack_file)]
    print(render(verdicts))
    _record(slug, version=version, suite=suite, verdicts=verdicts, mode=mode)
    return 0 if all(v.correct for v in verdicts) else 1


def _record(slug: str, *, version: int | None, suite: dict[str, Any], verdicts: list[Verdict], mode: str) -> None:
    """Keep the run in the audit log: the dashboard shows it while the version and the cases stay the same."""
    from concierge.conversation import loop
    from concierge.core.db import session_scope

    ids = [int(str(c["id"]).rsplit("-", 1)[1]) for c in suite["cases"]]
    failed = [v.played.case.id for v in verdicts if not v.correct]
    with session_scope() as session:
        loop.record_run(session, slug=slug, version=version, cases=ids, failed=failed, mode=mode)


def render(verdicts: list[Verdict]) -> str:
    """One line per case: pass or fail, its id, what went wrong; then the count."""
    lines = []
    for v in verdicts:
        problems = "; ".join(v.problems)
        lines.append(f"{'pass' if v.correct else 'FAIL'}  {v.played.case.id}  {problems}".rstrip())
    passed = sum(v.correct for v in verdicts)
    lines.append(f"{passed}/{len(verdicts)} marked cases pass")
    return "\n".join(lines)


def check_arguments(property_slug: str, marked: bool) -> None:
    """`--marked` and `--property` go together."""
    if marked != bool(property_slug):
        raise InvalidInput(["--marked --property SLUG: the marked cases of one property (give both)"])
