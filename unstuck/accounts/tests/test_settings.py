import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _documented() -> set[str]:
    return set(re.findall(r"^\|\s*`([A-Z_]+)`", (ROOT / "docs" / "settings.md").read_text(), re.M))


def test_every_setting_read_from_the_environment_is_documented():
    used: set[str] = set()
    for path in (ROOT / "unstuck").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        used |= set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", text))
        used |= set(
            re.findall(r"os\.environ\.get\(\s*\"(UNSTUCK_[A-Z_]+|DATABASE_URL|REDIS_URL)\"", text)
        )
        used |= set(re.findall(r"env_str\('([A-Z_]+)'", text))
    missing = used - _documented()
    assert not missing, f"undocumented settings: {sorted(missing)}"
    assert "DATABASE_URL" in used
