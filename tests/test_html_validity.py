"""Every public page, in both languages, is valid HTML according to the Nu HTML checker (vnu.jar,
npm ``vnu-jar``, installed by ``.ci/run`` under ``var/tools``). One JVM checks all the pages.

Without the jar the test fails in CI (``CI`` set) and is skipped locally with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.pages import public_paths

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "var" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
pytestmark = pytest.mark.django_db


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if VNU_JAR.is_file() and java:
        return [java, "-Xss4m", "-jar", str(VNU_JAR)]
    reason = (
        f"The Nu HTML checker is not installed ({VNU_JAR.relative_to(ROOT)} missing, or no java); "
        "run `npm install --prefix var/tools vnu-jar@26.9.27` (.ci/run does)."
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def check_documents(documents: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    """Validate ``{label: html}`` in one run; return the errors by label."""
    command = vnu_command()
    files: dict[str, str] = {}
    for index, (label, html) in enumerate(documents.items()):
        path = tmp_path / f"page-{index:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = label
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *sorted(str(tmp_path / n) for n in files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout or "{}")
    errors: dict[str, list[str]] = {}
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        label = files.get(name, name)
        errors.setdefault(label, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message')} — {message.get('extract', '').strip()[:120]}"
        )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return errors


def test_the_checker_reports_invalid_html(tmp_path):
    errors = check_documents({"broken": "<!DOCTYPE html><html lang=en><title>x</title><p><div></span>"}, tmp_path)
    assert errors.get("broken"), "vnu must report errors on a broken page"


def test_every_public_page_is_valid_html(seeded_with_demo, client, settings, tmp_path):
    settings.RATELIMIT_ENABLED = False
    documents: dict[str, str] = {}
    paths = public_paths()
    assert len(paths) > 15
    for path in paths:
        for prefix in ("", "/sl"):
            response = client.get(prefix + path)
            documents[prefix + path] = response.content.decode()
    # Forms re-rendered with their errors (the error summary and per-field messages are markup too).
    documents["/accessibility/ (errors)"] = client.post("/accessibility/", {"email": "x"}).content.decode()
    documents["/join/ (errors)"] = client.post("/join/", {"email": "x"}).content.decode()
    documents["/mailing-list/ (errors)"] = client.post("/mailing-list/", {"email": "x"}).content.decode()
    errors = check_documents(documents, tmp_path)
    report = "\n".join(f"{label}:\n  " + "\n  ".join(lines) for label, lines in sorted(errors.items()))
    assert not errors, f"HTML errors:\n{report}"
