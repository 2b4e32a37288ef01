"""The extraction's hot modules compiled with mypyc, used only when built from exactly the sources beside them.

`scripts/build_native.py` (run by the make targets) compiles MODULES into `.native/` (not committed) and
records a digest of their sources. Importing `sitrep` puts the compiled modules first on the package's path
when that digest matches the sources now, and the interpreter and mypyc are the ones that built them.
Otherwise, or with SITREP_NATIVE=0, the same modules run as plain Python: same rules, same output, slower.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR.parent / ".native"
LIB_DIR = NATIVE_DIR / "lib"
MANIFEST = NATIVE_DIR / "manifest.json"
GROUP = "sitrep_native"  # the shared library every compiled module loads: sitrep_native__mypyc
MODULES = ("text", "prefilter", "matching", "casualties", "dates", "numbers", "reference", "extract")


def _mypyc_version() -> str | None:
    """mypy's version from its dist-info folder's name: importlib.metadata would cost every `import sitrep`
    (every worker) some 30 ms."""
    spec = importlib.util.find_spec("mypy")
    if spec is None or not spec.origin:
        return None
    info = next(Path(spec.origin).parent.parent.glob("mypy-*.dist-info"), None)
    return info.name[len("mypy-"):-len(".dist-info")] if info else None


def build_key() -> dict:
    """What the compiled modules must have been built from: these sources, this interpreter, this mypyc."""
    digest = hashlib.sha256()
    for name in MODULES:
        digest.update(name.encode())
        digest.update((PACKAGE_DIR / f"{name}.py").read_bytes())
    return {"sources": digest.hexdigest(), "python": sys.implementation.cache_tag, "mypy": _mypyc_version()}


def is_fresh() -> bool:
    try:
        return json.loads(MANIFEST.read_text()) == build_key()
    except (OSError, ValueError):
        return False


def use_compiled(package_path: list[str]) -> bool:
    """Put the compiled modules ahead of the sources on `package_path` (the package's __path__) when they
    are fresh; say so on stderr when they exist but are stale, and run as Python then."""
    if os.environ.get("SITREP_NATIVE", "1") == "0" or not MANIFEST.exists():
        return False
    if not is_fresh():
        print("sitrep: the compiled extraction modules are older than their sources; running them as Python "
              "(`make native` rebuilds them)", file=sys.stderr)
        return False
    shared = next(LIB_DIR.glob(f"{GROUP}__mypyc.*"), None)
    if shared is None:
        return False
    name = f"{GROUP}__mypyc"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, shared)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    package_path.insert(0, str(LIB_DIR / "sitrep"))
    return True


def compiled_modules() -> list[str]:
    """The sitrep modules loaded from compiled code in this process."""
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith("sitrep.") and str(getattr(module, "__file__", "")).startswith(str(LIB_DIR)))


def build() -> int:
    """Compile MODULES into .native/ (about a minute); the manifest is written last, so a failed build
    leaves nothing that would be used."""
    started = time.perf_counter()
    shutil.rmtree(NATIVE_DIR, ignore_errors=True)
    NATIVE_DIR.mkdir()
    root = PACKAGE_DIR.parent
    script = (
        "import sys\n"
        "from setuptools import setup\n"
        "from mypyc.build import mypycify\n"
        f"paths = ['--ignore-missing-imports', '--follow-imports=silent'] + [f'sitrep/{{m}}.py' for m in {MODULES!r}]\n"
        f"setup(name='{GROUP}', ext_modules=mypycify(paths, opt_level='3', group_name='{GROUP}',"
        f" target_dir={str(NATIVE_DIR / 'c')!r}),\n"
        f"      script_args=['build_ext', '--build-lib', {str(LIB_DIR)!r}, '--build-temp', {str(NATIVE_DIR / 'temp')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
        print("sitrep.native: the build failed; the extraction runs as Python", file=sys.stderr)
        return 1
    MANIFEST.write_text(json.dumps(build_key()))
    print(f"sitrep.native: compiled {', '.join(MODULES)} in {time.perf_counter() - started:.0f} s")
    return 0
