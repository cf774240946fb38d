"""Simplified Chinese is the default language: every message has a translation, and the compiled
catalogue that ships is the one its source describes."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "gonghui/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    problems = []
    for entry in polib.pofile(str(PO)):
        translated = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        if not translated or "fuzzy" in entry.flags:
            problems.append(f"untranslated: {entry.msgid!r}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(translated)):
            problems.append(f"placeholders differ: {entry.msgid!r}")
    assert problems == []


def test_the_compiled_catalogue_matches_its_source():
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in polib.mofile(str(MO)) if e.msgid}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "") for e in polib.pofile(str(PO)) if e.msgid}
    assert compiled == source, "run `make messages` to recompile the catalogue"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (apt install gettext); .ci/run installs it")
def test_the_catalogue_lists_every_message_in_the_code(tmp_path):
    shutil.copytree(ROOT / "gonghui", tmp_path / "gonghui", ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "--ignore",
            "tests/*",
            "--settings",
            "gonghui.settings",
        ],
        cwd=tmp_path / "gonghui",
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / PO.relative_to(ROOT)))}
    shipped = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO))}
    assert fresh - shipped == set(), "new messages: run `make messages` and translate them"


def test_pages_speak_chinese_by_default_and_english_on_request(client, db):
    assert "登录" in client.get("/login/").content.decode()
    with translation.override("en"):
        page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in page
