"""A reference file with a wrong value stops the load with the file, the row and the field named: a new theater
is new data, and its mistakes must read as data mistakes, not as a TypeError deep in the extraction."""
import csv
import shutil
from pathlib import Path

import pytest
import yaml

from sitrep.reference import REFERENCE_DIR, ReferenceDataError, load_reference


def _yaml_edit(name: str, change):
    def edit(folder: Path) -> None:
        doc = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        change(doc)
        (folder / name).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return edit


def _first_gazetteer_row(field: str, value: str):
    def edit(folder: Path) -> None:
        with open(folder / "gazetteer.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        rows[0][field] = value
        with open(folder / "gazetteer.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return edit


def _set(section: str, field: str, value):
    return lambda doc: doc[section][0].__setitem__(field, value)


@pytest.mark.parametrize("edit,message", [
    (_yaml_edit("actors.yaml", _set("actors", "name", 123)),
     "actors.yaml, actor syrian_government_forces: name must be a string, not 123"),
    (_yaml_edit("actors.yaml", lambda doc: doc["actors"][0]["aliases"].append(1970)),
     "actors.yaml, actor syrian_government_forces: aliases must be a list of strings"),
    (_yaml_edit("actors.yaml", _set("actors", "inter_code", "three")),
     "actors.yaml, actor syrian_government_forces: inter_code must be a whole number, not 'three'"),
    (_yaml_edit("actors.yaml", _set("actors", "valid_from", "2011-13-01")),
     "actors.yaml, actor syrian_government_forces: valid_from must be an ISO date"),
    (_yaml_edit("actors.yaml", _set("actors", "periods", [])),
     "actors.yaml, actor syrian_government_forces: periods is missing"),
    (_yaml_edit("sources.yaml", lambda doc: doc["sources"][0].pop("reliability_rank")),
     "sources.yaml, source sohr: reliability_rank is missing"),
    (_first_gazetteer_row("latitude", "north"), "gazetteer.csv, line 2: latitude must be a number or empty, not 'north'"),
    (_yaml_edit("event_cues.yaml", _set("cues", "pattern", "(unclosed")),
     "event_cues.yaml, cue #1 (capture): the pattern does not compile"),
])
def test_a_wrong_value_in_a_reference_file_is_named_where_it_is(tmp_path, edit, message):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    edit(folder)
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(folder)
    assert message in str(raised.value)


def test_the_bundled_reference_data_loads(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    _yaml_edit("actors.yaml", lambda doc: None)(folder)  # a YAML round trip changes nothing the loader reads
    ref = load_reference(folder)
    assert len(ref.actors) > 100 and len(ref.sources) > 20 and len(ref.places) > 800
    assert ref.sources["who"].case_sensitive_aliases == ("WHO",)
