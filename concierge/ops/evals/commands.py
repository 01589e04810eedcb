"""`concierge eval [PATH]`: run the scenario suites, print a scorecard, exit 1 below their thresholds."""

import argparse
from pathlib import Path


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the suites at PATH (or compare two scorecards or releases); 1 below the thresholds or on regressions."""
    from concierge.core.observability import only_warnings
    from concierge.ops.evals import runs, scoring, suites
    from concierge.ops.evals.cases import DEFAULT_PACK

    only_warnings()  # hundreds of turns' info logs would bury the progress and the scorecard

    if args.marked or args.property:
        from concierge.ops.evals import marked

        marked.check_arguments(args.property, args.marked)
        return marked.run_marked(args.property, export=Path(args.export) if args.export else None, mode=args.mode)
    pack = Path(args.pack) if args.pack else DEFAULT_PACK
    if args.compare:
        return runs.compare_command(args.compare, path=Path(args.path), pack=pack)
    scorecard = runs.run_suite(Path(args.path), pack=pack, release=args.release, mode=args.mode, split=args.split)
    missed = scoring.below_thresholds(scorecard, suites.thresholds_for(Path(args.path), mode=args.mode))
    print(suites.render(scorecard, missed))
    if args.json:
        scoring.write_json(scorecard, Path(args.json))
    return 1 if missed else 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `eval` to the `concierge` command."""
    p = commands.add_parser("eval", help="run the scenario suites, print a scorecard, exit 1 below thresholds")
    p.add_argument("path", nargs="?", default="tests/evals", help="a suite file or a folder of them")
    p.add_argument("--pack", default="")  # the demo pack (evals.cases.DEFAULT_PACK), resolved when the command runs
    p.add_argument("--json", default="", help="also write the scorecard as JSON to this file")
    p.add_argument("--release", default="", help="evaluate release ID (or 'active') of DATABASE_URL")
    p.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="scorecard files or release ids; exit 1 on regressions"
    )
    p.add_argument(
        "--mode",
        choices=["offline", "model"],
        default="offline",
        help="offline: the environment's responders; model: every turn through a local fact-seeking fake model",
    )
    p.add_argument("--property", default="", help="with --marked: the property (slug) of DATABASE_URL")
    p.add_argument("--marked", action="store_true", help="run the property's cases marked in the console")
    p.add_argument("--export", default="", help="with --marked: also write its cases as a realistic suite file")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all", help="realistic suites: which split")
    p.set_defaults(func=cmd_eval)
