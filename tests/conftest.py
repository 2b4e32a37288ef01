"""Shared fixtures: the real seed article and reference data, extracted once per session."""
import shutil
from pathlib import Path

import pytest

from sitrep.corpus import extract_corpus
from sitrep.ingest import read_articles
from sitrep.reference import load_reference

PROJECT = Path(__file__).resolve().parent.parent
SEED_FILE = PROJECT / "seeds" / "articles" / "000_af55ad7c63556384.txt"
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def reference():
    return load_reference()


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory) -> Path:
    """A folder holding only the seed article and its manifest line."""
    folder = tmp_path_factory.mktemp("seed_articles")
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    (folder / "manifest.csv").write_text(f"file,published,outlet,url\n{SEED_FILE.name},2013-11-13,Arutz Sheva,\n")
    return folder


@pytest.fixture(scope="session")
def seed_facts(seed_folder, reference):
    result = read_articles(seed_folder)
    assert len(result.articles) == 1
    return result.articles[0], extract_corpus(result.articles, reference)
