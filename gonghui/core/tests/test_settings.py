"""Deployment settings and the project shell."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_the_deployment_check_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "GONGHUI_HTTPS": "1",
        "SECRET_KEY": "x" * 60 + "-production-secret-that-is-long-and-random-enough-9f8e7d6c5b4a",
        "GONGHUI_INSTANCE_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "gonghui.example.org",
    }
    env.pop("GONGHUI_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_template_or_static_file_loads_anything_from_the_internet():
    offenders = []
    for base in ("gonghui/templates", "gonghui/static/gonghui"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, base)):
            for name in files:
                text = open(os.path.join(folder, name), encoding="utf-8", errors="ignore").read()
                if "https://" in text or "http://cdn" in text or "//cdn." in text:
                    offenders.append(name)
    assert offenders == []


def test_every_icon_a_template_names_is_in_the_shipped_sprite():
    # An icon missing from the sprite shows as an empty gap in its button.
    import re

    sprite = open(os.path.join(ROOT, "gonghui/static/vendor/tabler-icons/sprite.svg"), encoding="utf-8").read()
    shipped = set(re.findall(r'<symbol id="([a-z0-9-]+)"', sprite))
    named = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "gonghui/templates")):
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            named |= set(re.findall(r'{% icon "([a-z0-9-]+)"', text))
    assert named - shipped == set()
