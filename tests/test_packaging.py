"""Installing without -e: a wheel carries the catalogs and the region data, and the bot it installs
speaks Indonesian; an install missing a catalog refuses to start instead of speaking English."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What `pip install .` reads: the repository's top level without tests, docs and the venv.
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "storage", "locales")


def _run(
    *command: str | Path, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with pendamping installed from a wheel built from a copy of the sources.

    Only our package comes from the wheel: the dependencies are this venv's, reached through a
    .pth file (its .pth files, such as the editable install's finder, are not run from there)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # building in a copy keeps build/ and *.egg-info out of the checkout
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source,
        cwd=work,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = (work / "dist").glob("pendamping-*.whl")

    venv = work / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    put = _run(
        sys.executable, "-m", "pip", "--python", python,
        "install", "--no-deps", "--no-index", "-q", wheel,
        cwd=work,
    )  # fmt: skip
    assert put.returncode == 0, put.stderr
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work)
    (Path(site.stdout.strip()) / "pendamping_test_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return venv


def _env(home: Path) -> dict[str, str]:
    """No token, no DATABASE_URL, no source tree on the path: the default database in `home`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


def test_the_installed_package_is_imported_from_the_wheel_with_its_catalogs_and_regions(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import bot, handlers.i18n as i, handlers.regions.table as r\n"
        "print(bot.__file__)\n"
        "print(i.LOCALES)\n"
        "print(i.translations('id').gettext('Cancel'))\n"
        "print(len(r.load().regencies))\n"
        "import bot.channels.whatsapp.templates as t\n"
        "print(t.load_catalogue(None).spec('reminder').name)\n"
    )
    result = _run(installed / "bin" / "python", "-c", probe, cwd=tmp_path, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    bot_file, locales, cancel, regencies, template = result.stdout.split("\n")[:5]
    assert Path(bot_file).is_relative_to(installed), bot_file
    assert not Path(bot_file).is_relative_to(ROOT)
    assert Path(locales) == Path(bot_file).parent.parent / "handlers" / "locales"
    assert cancel == "Batal"
    assert int(regencies) == 514
    assert template == "pendamping_pengingat_jadwal"  # the WhatsApp template catalogue shipped


def test_the_installed_bot_answers_in_indonesian(installed: Path, tmp_path: Path) -> None:
    chat = _run(
        installed / "bin" / "pendamping", "chat", "--as", "siti",
        cwd=tmp_path, env=_env(tmp_path), stdin="halo\n",
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    replies = chat.stdout
    assert "Setuju" in replies and "Anda" in replies, replies
    assert "Do you agree" not in replies and "I agree" not in replies
    # The database is at the documented default place, not in the working directory.
    database = tmp_path / ".local" / "share" / "pendamping" / "pendamping.db"
    assert f"Database: {database}" in chat.stderr
    assert database.is_file()
    assert not (tmp_path / "data").exists()


def test_an_install_without_its_indonesian_catalog_refuses_to_start(
    installed: Path, tmp_path: Path
) -> None:
    [catalog] = installed.glob("lib/python*/site-packages/handlers/locales/id/LC_MESSAGES/*.po")
    hidden = catalog.with_name("hidden.po.bak")
    catalog.rename(hidden)
    try:
        chat = _run(
            installed / "bin" / "pendamping", "chat",
            cwd=tmp_path, env=_env(tmp_path), stdin="halo\n",
        )  # fmt: skip
    finally:
        hidden.rename(catalog)
    assert chat.returncode == 1
    assert "cannot start" in chat.stderr and str(catalog) in chat.stderr
    assert "Reinstall pendamping" in chat.stderr
    assert chat.stdout == ""  # not a word to anyone, in English or otherwise


def test_every_python_package_of_the_source_is_in_the_wheel_list() -> None:
    """pyproject.toml names the packages one by one: a new feature package (or a subpackage such
    as handlers/staff/tools) left out would be missing from an installed bot."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers", "storage")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found, "no packages found: the scan looked in the wrong place"
    assert found - listed == set()
