"""The three-way merge that publishes a draft over versions published since it started, entry by entry."""

from typing import Any

from knowledge.merge import DRAFT, PUBLISHED, merge


def entry(topic: str, text: str) -> dict[str, Any]:
    return {"topic": topic, "title": topic.title(), "content": {"en": text}}


BASE = [entry("wifi", "Network A."), entry("check_in", "From 15:00."), entry("pets", "No pets.")]


def test_an_entry_only_the_draft_changed_takes_the_draft_and_one_only_published_changed_keeps_it() -> None:
    published = [entry("wifi", "Network B."), BASE[1], BASE[2]]  # someone changed the Wi-Fi meanwhile
    draft = [BASE[0], entry("check_in", "From 16:00."), BASE[2]]  # the owner changed check-in
    merged, clashes = merge(BASE, published, draft)
    assert clashes == []
    assert merged == [entry("wifi", "Network B."), entry("check_in", "From 16:00."), BASE[2]]


def test_removals_and_additions_on_either_side_are_kept() -> None:
    published = [BASE[0], BASE[1], entry("pool", "Open 10-20.")]  # pets removed, pool added meanwhile
    draft = [BASE[0], BASE[2], entry("parking", "Space 14.")]  # check-in removed, parking added in the draft
    merged, clashes = merge(BASE, published, draft)
    assert clashes == []
    assert [e["topic"] for e in merged] == ["wifi", "parking", "pool"]


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    same = [BASE[0], entry("check_in", "From 16:00."), BASE[2]]
    assert merge(BASE, same, same) == (same, [])


def test_an_entry_changed_on_both_sides_is_a_conflict_until_a_side_is_chosen() -> None:
    published = [BASE[0], entry("check_in", "From 14:00."), BASE[2]]  # e.g. a rollback or an import
    draft = [BASE[0], entry("check_in", "From 16:00."), BASE[2]]
    _merged, clashes = merge(BASE, published, draft)
    assert [(c.topic, c.draft, c.published) for c in clashes] == [
        ("check_in", entry("check_in", "From 16:00."), entry("check_in", "From 14:00."))
    ]
    assert merge(BASE, published, draft, keep={"check_in": DRAFT})[0][1] == entry("check_in", "From 16:00.")
    assert merge(BASE, published, draft, keep={"check_in": PUBLISHED})[0][1] == entry("check_in", "From 14:00.")


def test_removed_in_the_draft_but_changed_since_is_a_conflict() -> None:
    published = [BASE[0], BASE[1], entry("pets", "Dogs welcome.")]
    draft = [BASE[0], BASE[1]]
    merged, clashes = merge(BASE, published, draft)
    assert [c.topic for c in clashes] == ["pets"] and clashes[0].draft is None
    assert [e["topic"] for e in merge(BASE, published, draft, keep={"pets": PUBLISHED})[0]] == [
        "wifi",
        "check_in",
        "pets",
    ]
    assert "pets" not in {e["topic"] for e in merged}  # unresolved: never published as it is
