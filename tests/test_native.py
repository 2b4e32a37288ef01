"""The compiled extraction modules (sitrep.native): used when built from the sources beside them, never when
stale, and giving the rows the plain-Python modules give."""
from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep import native

PROJECT = Path(__file__).resolve().parents[1]
PLAIN_PYTHON = os.environ.get("SITREP_NATIVE") == "0"


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


@pytest.mark.skipif(PLAIN_PYTHON, reason="SITREP_NATIVE=0 asks for the plain-Python modules")
def test_the_make_targets_run_the_extraction_compiled():
    """`make test` builds first (the native target), so here the compiled modules must be the ones imported."""
    assert native.is_fresh(), "no current build in .native/: `make native` builds it"
    loaded = _python("import sitrep.extract, sitrep.native as n; print(','.join(n.compiled_modules()))")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().split(",") == sorted(f"sitrep.{m}" for m in native.MODULES)
    plain = _python("import sitrep.extract, sitrep.native as n; print(n.compiled_modules())", SITREP_NATIVE="0")
    assert plain.stdout.strip() == "[]"


@pytest.mark.skipif(PLAIN_PYTHON, reason="SITREP_NATIVE=0 asks for the plain-Python modules")
def test_compiled_and_plain_python_extraction_write_the_same_tables(tmp_path):
    """Every output table of extract_corpus over the 785 FA-KES articles, compiled vs plain Python, byte for byte."""
    assert native.is_fresh(), "no current build in .native/: `make native` builds it"
    for mode in ("0", "1"):
        run = subprocess.run([sys.executable, "scripts/time_extraction.py", "--sets", "fakes", "--repeat", "1",
                              "--dump", str(tmp_path / mode)], cwd=PROJECT, capture_output=True, text=True,
                             env={**os.environ, "SITREP_NATIVE": mode}, timeout=600)
        assert run.returncode == 0, run.stderr
    tables = sorted(p.name for p in (tmp_path / "1" / "fakes").iterdir())
    assert "fact_events.csv" in tables and len(tables) >= 6
    assert sum(1 for _ in open(tmp_path / "1" / "fakes" / "fact_events.csv")) > 1000
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "0" / "fakes", tmp_path / "1" / "fakes", tables, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_a_build_is_used_only_for_the_sources_it_was_built_from(tmp_path, monkeypatch, capsys):
    package = tmp_path / "sitrep"
    package.mkdir()
    for name in native.MODULES:
        (package / f"{name}.py").write_bytes((native.PACKAGE_DIR / f"{name}.py").read_bytes())
    manifest = tmp_path / ".native" / "manifest.json"
    manifest.parent.mkdir()
    monkeypatch.setattr(native, "PACKAGE_DIR", package)
    monkeypatch.setattr(native, "MANIFEST", manifest)
    monkeypatch.setattr(native, "LIB_DIR", tmp_path / ".native" / "lib")
    monkeypatch.delenv("SITREP_NATIVE", raising=False)
    manifest.write_text(json.dumps(native.build_key()))
    assert native.is_fresh()

    extract = package / "extract.py"
    extract.write_text(extract.read_text() + "\n# a rule changed\n")
    assert not native.is_fresh()
    path: list[str] = [str(package)]
    assert native.use_compiled(path) is False
    assert path == [str(package)]
    assert "older than their sources" in capsys.readouterr().err

    manifest.write_text(json.dumps({**native.build_key(), "python": "cpython-0"}))  # built by another interpreter
    assert not native.is_fresh()
    manifest.unlink()
    assert native.use_compiled(path) is False and path == [str(package)]
