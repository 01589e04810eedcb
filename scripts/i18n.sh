#!/usr/bin/env bash
# System-text catalogs (DESIGN.md rule 8): keep the .pot and every language's .po in step with the code.
#   scripts/i18n.sh extract   re-extract concierge/i18n/locales/messages.pot from the code (babel.cfg)
#   scripts/i18n.sh update    extract, then merge the template into every catalog (new msgids arrive empty)
#   scripts/i18n.sh check     fail if the .pot is stale or any catalog lacks, fuzzies or empties a translation
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOCALES=concierge/i18n/locales
POT="$LOCALES/messages.pot"
DOMAIN=messages

if [[ -x .venv/bin/pybabel ]]; then
    PYBABEL=.venv/bin/pybabel
    PYTHON=.venv/bin/python
else
    PYBABEL=pybabel
    PYTHON=python3
fi

# --omit-header and --sort-output keep the template free of dates and ordering churn.
extract_to() {
    "$PYBABEL" --quiet extract -F babel.cfg -o "$1" --no-location --sort-output --omit-header .
}

catalogs() {
    find "$LOCALES" -path "*/LC_MESSAGES/$DOMAIN.po" | sort
}

cmd_extract() {
    extract_to "$POT"
    echo "wrote $POT"
}

cmd_update() {
    cmd_extract
    # No fuzzy matching: a new msgid must be translated by hand, never guessed from a neighbour.
    "$PYBABEL" update -i "$POT" -d "$LOCALES" -D "$DOMAIN" --no-fuzzy-matching --ignore-pot-creation-date
}

cmd_check() {
    local status=0 fresh
    local -a pos
    mapfile -t pos < <(catalogs)
    fresh="$(mktemp)"
    trap 'rm -f "$fresh"' RETURN
    extract_to "$fresh"
    if ! cmp -s "$fresh" "$POT"; then
        echo "$POT is out of date with the code: run scripts/i18n.sh update" >&2
        diff -u "$POT" "$fresh" >&2 || true
        status=1
    fi
    # Check every catalog against the fresh template, so a stale .pot cannot hide a missing msgid.
    if ! "$PYTHON" - "$fresh" "${pos[@]}" <<'PY'
import sys

from babel.messages.pofile import read_po

template_path, *po_paths = sys.argv[1:]
with open(template_path, "rb") as handle:
    wanted = {m.id for m in read_po(handle) if m.id}
problems = []
if not po_paths:
    problems.append("no catalogs found")
for path in po_paths:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    have = {m.id: m for m in catalog if m.id}
    for msgid in sorted(wanted, key=str):
        message = have.get(msgid)
        if message is None:
            problems.append(f"{path}: missing {msgid!r}")
        elif message.fuzzy:
            problems.append(f"{path}: fuzzy {msgid!r}")
        elif not all(message.string if isinstance(message.string, tuple) else (message.string,)):
            problems.append(f"{path}: empty {msgid!r}")
    for msgid in sorted(set(have) - wanted, key=str):
        problems.append(f"{path}: obsolete {msgid!r} (run scripts/i18n.sh update)")
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
    then
        status=1
    fi
    if [[ $status -eq 0 ]]; then
        echo "i18n catalogs are up to date"
    fi
    return "$status"
}

case "${1:-}" in
    extract) cmd_extract ;;
    update) cmd_update ;;
    check) cmd_check ;;
    *)
        echo "usage: $0 {extract|update|check}" >&2
        exit 2
        ;;
esac
