"""Versioned prompt files: `<id>.v<version>.toml`, each with the id and version recorded on every trace."""

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    system: str
    user: str
    retry: str = ""  # the text asking for a corrected answer, for prompts that have one
    output: str = "text"  # "text" (reply or NO_ANSWER, version 1) or "structured" (structured.GroundedReply)

    @property
    def structured(self) -> bool:
        """Whether the prompt asks for the structured answer."""
        return self.output == "structured"

    @property
    def ref(self) -> str:
        """ "id@version", as recorded on traces."""
        return f"{self.id}@{self.version}"


def versions(prompt_id: str) -> list[int]:
    """The versions of a prompt shipped as files, oldest first."""
    found = (
        p.name.removeprefix(f"{prompt_id}.v").removesuffix(".toml") for p in PROMPTS_DIR.glob(f"{prompt_id}.v*.toml")
    )
    return sorted(int(v) for v in found if v.isdigit())


@lru_cache
def load_prompt(prompt_id: str, version: int | None = None) -> Prompt:
    """A prompt by id; the newest version unless one is pinned (rolling back is pinning the older one)."""
    available = versions(prompt_id)
    if not available:
        raise FileNotFoundError(f"no prompt files for {prompt_id!r} in {PROMPTS_DIR}")
    chosen = version if version is not None else available[-1]
    if chosen not in available:
        raise FileNotFoundError(f"prompt {prompt_id!r} has no version {chosen}; shipped: {available}")
    data = tomllib.loads((PROMPTS_DIR / f"{prompt_id}.v{chosen}.toml").read_text(encoding="utf-8"))
    if data["id"] != prompt_id or data["version"] != chosen:
        raise ValueError(f"{prompt_id}.v{chosen}.toml declares {data['id']}@{data['version']}")
    return Prompt(
        id=data["id"],
        version=data["version"],
        system=data["system"],
        user=data["user"],
        retry=data.get("retry", ""),
        output=data.get("output", "text"),
    )
