"""The shape of the code: the layer contract really guards the layers (an upward import, even
inside a function, breaks it), and no function in the apps grows past about sixty lines."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "outbox", "network", "events", "projects", "infrastructure", "webinars", "mailing", "portal", "seeds",
            "bench")
APPS = ("core", "outbox", "network", "events", "projects", "infrastructure", "webinars", "mailing", "portal", "seeds")
MAX_FUNCTION_LINES = 60


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()", "--no-cache"],
        cwd=tree, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """The project's packages and pyproject.toml, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_project(source_copy: Path):
    result = _lint_imports(source_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_of_a_higher_layer_inside_a_function_breaks_the_contract(source_copy: Path):
    module = source_copy / "core" / "slugs.py"
    module.write_text(module.read_text() + "\n\ndef _upwards():\n    from webinars import models  # noqa\n")
    result = _lint_imports(source_copy)
    assert result.returncode != 0
    assert "core.slugs -> webinars.models" in result.stdout


def test_an_import_cycle_inside_a_package_breaks_the_contract(source_copy: Path):
    module = source_copy / "events" / "models.py"
    module.write_text(module.read_text() + "\n\ndef _back():\n    from events import views  # noqa\n")
    result = _lint_imports(source_copy)
    assert result.returncode != 0
    assert "No cycles are allowed in events" in result.stdout


def _long_functions() -> list[str]:
    found = []
    for package in APPS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_the_apps_is_longer_than_sixty_lines():
    assert _long_functions() == []
