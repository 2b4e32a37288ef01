"""Reference data (actor registry, sources, gazetteer, cue lists) loaded from seeds/reference.

Theater knowledge lives in these files; this module only reads them and answers
questions such as "which side was this actor on that day".
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

import yaml

import sitrep
from sitrep.matching import AliasMatcher, MatcherSet
from sitrep.prefilter import lowercase_pattern, with_first_characters
from sitrep.text import place_name_key, place_skeleton, starts_with_article

T = TypeVar("T")
# from the package's __file__, the source folder's: this module's own is the build's when it runs compiled
REFERENCE_DIR = Path(sitrep.__file__).resolve().parent.parent / "seeds" / "reference"
REFERENCE_FILES = ("actors.yaml", "sources.yaml", "gazetteer.csv", "place_aliases.csv", "admin1.csv",
                   "event_cues.yaml", "casualty_rules.yaml")


class ReferenceDataError(ValueError):
    """A reference file holds what the loader cannot use; the message names the file, the row and the field.
    (A new theater is new data: its mistakes must read as such, not as a TypeError deep in the extraction.)"""


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _text(row: dict, key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise ReferenceDataError(f"{where}: {key} is missing" if value in (None, "") else
                                 f"{where}: {key} must be a string, not {value!r}")
    return value


def _maybe_text(row: dict, key: str, where: str) -> str | None:
    return None if row.get(key) in (None, "") else _text(row, key, where)


def _texts(row: dict, key: str, where: str) -> tuple[str, ...]:
    values = row.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ReferenceDataError(f"{where}: {key} must be a list of strings, not {values!r}")
    return tuple(values)


def _whole(row: dict, key: str, where: str) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise ReferenceDataError(f"{where}: {key} is missing" if value is None else
                                 f"{where}: {key} must be a whole number, not {value!r}")
    return int(value)


def _flag(row: dict, key: str, where: str) -> bool:
    value = row.get(key, False)
    if not isinstance(value, bool):
        raise ReferenceDataError(f"{where}: {key} must be true or false, not {value!r}")
    return value


def _day(row: dict, key: str, where: str) -> dt.date | None:
    try:
        return _date(row.get(key))
    except (TypeError, ValueError):
        raise ReferenceDataError(f"{where}: {key} must be an ISO date (YYYY-MM-DD) or empty, not {row.get(key)!r}") from None


def _number(row: dict, key: str, where: str, required: bool = False) -> float | None:
    """A CSV cell: a number, or (unless required) empty."""
    value = (row.get(key) or "").strip()
    if not value and required:
        raise ReferenceDataError(f"{where}: {key} is missing")
    try:
        return float(value) if value else None
    except ValueError:
        raise ReferenceDataError(f"{where}: {key} must be a number{'' if required else ' or empty'}, "
                                 f"not {value!r}") from None


@dataclass(frozen=True, slots=True)
class Period:
    side: str
    bloc: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    def covers(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Actor:
    actor_id: str
    name: str
    actor_type: str
    inter_code: int
    generic: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor: str | None
    periods: tuple[Period, ...]
    aliases: tuple[str, ...]
    case_sensitive_aliases: tuple[str, ...] = ()

    def period_at(self, day: dt.date | None) -> Period:
        for period in self.periods:
            if period.covers(day):
                return period
        return self.periods[-1] if day is None or day > (self.periods[-1].valid_to or day) else self.periods[0]

    def side_at(self, day: dt.date | None) -> str:
        return self.period_at(day).side


@dataclass(frozen=True, slots=True)
class Source:
    source_id: str
    name: str
    kind: str
    reliability_rank: int
    aliases: tuple[str, ...]
    case_sensitive_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    place_id: str
    name: str
    feature: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    population: int


_FEATURE_RANK = {"city": 0, "admin1": 1, "town": 2, "admin2": 3, "neighbourhood": 4, "military_base": 4,
                 "airport": 4, "village": 5, "admin3": 6, "region": 6, "landmark": 7}


@dataclass
class Reference:
    actors: dict[str, Actor]
    sources: dict[str, Source]
    places: dict[str, Place]
    place_aliases: list[tuple[str, str]]
    admin1: dict[str, dict]
    cues: dict
    casualty_rules: dict
    version: str = ""
    _by_key: dict[str, list[str]] = field(default_factory=dict)
    _by_skeleton: dict[str, list[str]] = field(default_factory=dict)
    # matchers and indexes built on first use (by hand: functools.cached_property needs an instance __dict__,
    # which the compiled class lacks)
    _built: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        prefixes = set(self.cues.get("place_prefix_words") or [])
        for place_id, alias in self.place_aliases:
            if len(place_name_key(alias)) < 3 or (place_name_key(alias) in prefixes and not starts_with_article(alias)):
                continue  # "Al", "As", a lone "Khan" or "Tal": fragments, not names ("Al-Bab" is one)
            for index, key in ((self._by_key, place_name_key(alias)), (self._by_skeleton, place_skeleton(alias))):
                if key and place_id not in index.setdefault(key, []):
                    index[key].append(place_id)

    def _once(self, name: str, build: Callable[[], T]) -> T:
        if name not in self._built:
            self._built[name] = build()
        return self._built[name]  # type: ignore[return-value]

    @property
    def actor_matcher(self) -> AliasMatcher:
        return self._once("actor_matcher", self._build_actor_matcher)

    def _build_actor_matcher(self) -> AliasMatcher:
        return AliasMatcher(
            ((variant, a.actor_id) for a in self.actors.values()
             for alias in (a.name, *a.aliases, *_name_parts(a.name)[1:]) for variant in actor_alias_variants(alias)),
            ((alias, a.actor_id) for a in self.actors.values()
             for alias in (*a.case_sensitive_aliases, *_name_parts(a.name)[:1])),
        )

    @property
    def actor_skeletons(self) -> dict[str, str]:
        return self._once("actor_skeletons", self._build_actor_skeletons)

    def _build_actor_skeletons(self) -> dict[str, str]:
        """Transliteration-loose keys of named armed groups' multi-word aliases ("Suqour al-Sham",
        "Soqur al-Sham", "Suqor Al Sham" meet); a key two actors share is dropped."""
        owners: dict[str, set[str]] = {}
        for actor in self.actors.values():
            if actor.generic:
                continue
            for alias in (actor.name, *actor.aliases, *_name_parts(actor.name)[1:]):
                key = place_skeleton(alias)
                if len(key.split()) >= 2 and len(key.replace(" ", "")) >= 5:
                    owners.setdefault(key, set()).add(actor.actor_id)
        return {key: ids.pop() for key, ids in owners.items() if len(ids) == 1}

    @property
    def source_matcher(self) -> AliasMatcher:
        return self._once("source_matcher", self._build_source_matcher)

    def _build_source_matcher(self) -> AliasMatcher:
        return AliasMatcher(((alias, s.source_id) for s in self.sources.values() for alias in (s.name, *s.aliases)),
                            ((alias, s.source_id) for s in self.sources.values() for alias in s.case_sensitive_aliases))

    @property
    def admin1_matcher(self) -> AliasMatcher:
        return self._once("admin1_matcher", self._build_admin1_matcher)

    def _build_admin1_matcher(self) -> AliasMatcher:
        return AliasMatcher((alias, name) for name, row in self.admin1.items() for alias in (name, *row["aliases"]))

    @property
    def entity_matchers(self) -> MatcherSet:
        return self._once("entity_matchers", self._build_entity_matchers)

    def _build_entity_matchers(self) -> MatcherSet:
        """Sources, actors and governorates found in one scan (find_each_by_span gives them in that order)."""
        return MatcherSet((self.source_matcher, self.actor_matcher, self.admin1_matcher))

    def places_named(self, surface: str, loose: bool = False) -> list[Place]:
        """Gazetteer places a surface name may refer to (exact key first, skeleton if loose)."""
        ids = self._by_key.get(place_name_key(surface), [])
        if not ids and loose:
            skeleton = place_skeleton(surface)
            if len(skeleton.replace(" ", "")) >= 3:
                ids = self._by_skeleton.get(skeleton, [])
        return [self.places[i] for i in ids if i in self.places]

    def place_aliases_of(self, place_id: str) -> list[tuple[str, str]]:
        return self._once("aliases_by_place", self._build_aliases_by_place).get(place_id, [])

    def _build_aliases_by_place(self) -> dict[str, list[tuple[str, str]]]:
        by_place: dict[str, list[tuple[str, str]]] = {}
        for pid, alias in self.place_aliases:
            by_place.setdefault(pid, []).append((pid, alias))
        return by_place

    def choose_place(self, candidates: list[Place], admin1_context: list[str | None]) -> Place:
        """Ambiguous names: prefer the governorate named in the sentence or article, then size."""
        def rank(place: Place):
            in_context = admin1_context.index(place.admin1) if place.admin1 in admin1_context else len(admin1_context)
            return (in_context, _FEATURE_RANK.get(place.feature, 9), -place.population, place.place_id)
        return min(candidates, key=rank)

    def admin1_centroid(self, admin1: str) -> tuple[float | None, float | None]:
        row = self.admin1.get(admin1)
        return (row["latitude"], row["longitude"]) if row else (None, None)


_GROUP_NOUN = re.compile(r"^(.{8,}?)\s+(?:army|brigades?|movement|front|battalions?|division|legion|corps|group|forces)$", re.I)


def actor_alias_variants(alias: str) -> list[str]:
    """An alias as wire copy spells it too: "ibn al-Walid" / "ibn Al Walid", and the name without its
    group noun before "fighters" or "forces" ("Khalid ibn al-Walid fighters")."""
    variants = {alias, re.sub(r"\b([Aa]l|[Ee]l)-", r"\1 ", alias)}
    core = _GROUP_NOUN.match(alias)
    if core and " " in core.group(1).strip():
        for name in {core.group(1), re.sub(r"\b([Aa]l|[Ee]l)-", r"\1 ", core.group(1))}:
            variants.update(f"{name} {noun}" for noun in ("fighters", "forces", "militants", "members"))
    return sorted(variants)


def _name_parts(name: str) -> list[str]:
    """ACLED-style 'HNDZ: Nour al-Din al-Zinki Movement' -> ['HNDZ', 'Nour al-Din al-Zinki Movement']."""
    match = re.match(r"^([A-Z][A-Za-z]{1,6}):\s+(.+)$", name)
    return [match.group(1), match.group(2)] if match else []


_LOADED: dict[tuple[Path, str], Reference] = {}
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: the same objects, 8x faster


def load_reference(directory: Path | None = None) -> Reference:
    """The reference data of `directory` (default seeds/reference), read once per process and version: a run's
    dimension, facts and extraction steps share one copy instead of each parsing the YAML again."""
    directory = Path(directory or REFERENCE_DIR).resolve()
    key = (directory, reference_version(directory))
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _read_reference(directory, key[1])
    return _LOADED[key]


def _yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def _read_reference(directory: Path, version: str) -> Reference:
    actors_doc = _yaml(directory / "actors.yaml")
    sources_doc = _yaml(directory / "sources.yaml")
    actors = {}
    for n, row in enumerate(_rows(actors_doc, "actors", "actors.yaml"), 1):
        where = f"actors.yaml, actor {row.get('actor_id') or f'#{n}'}"
        periods = []
        for p in row.get("periods") or []:
            if not isinstance(p, dict):
                raise ReferenceDataError(f"{where}: each period must be a mapping (side, bloc, valid_from, valid_to)")
            periods.append(Period(_text(p, "side", f"{where}, period"), _maybe_text(p, "bloc", f"{where}, period"),
                                  _day(p, "valid_from", f"{where}, period"), _day(p, "valid_to", f"{where}, period")))
        if not periods:
            raise ReferenceDataError(f"{where}: periods is missing (at least one side, with its dates)")
        actor_id = _text(row, "actor_id", where)
        actors[actor_id] = Actor(
            actor_id=actor_id, name=_text(row, "name", where), actor_type=_text(row, "actor_type", where),
            inter_code=_whole(row, "inter_code", where), generic=_flag(row, "generic", where),
            valid_from=_day(row, "valid_from", where), valid_to=_day(row, "valid_to", where),
            successor=_maybe_text(row, "successor", where), periods=tuple(periods),
            aliases=_texts(row, "aliases", where), case_sensitive_aliases=_texts(row, "case_sensitive_aliases", where))
    sources = {}
    for n, row in enumerate(_rows(sources_doc, "sources", "sources.yaml"), 1):
        where = f"sources.yaml, source {row.get('source_id') or f'#{n}'}"
        source_id = _text(row, "source_id", where)
        sources[source_id] = Source(source_id, _text(row, "name", where), _text(row, "kind", where),
                                    _whole(row, "reliability_rank", where), _texts(row, "aliases", where),
                                    _texts(row, "case_sensitive_aliases", where))
    places = {}
    with open(directory / "gazetteer.csv", encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), 2):
            where = f"gazetteer.csv, line {line}"
            places[row["place_id"]] = Place(
                _text(row, "place_id", where), _text(row, "name", where), _text(row, "feature", where),
                row["admin1"] or None, row["admin2"] or None, _number(row, "latitude", where),
                _number(row, "longitude", where), int(_number(row, "population", where) or 0))
    with open(directory / "place_aliases.csv", encoding="utf-8", newline="") as handle:
        aliases = [(row["place_id"], row["alias"]) for row in csv.DictReader(handle)]
    aliases += [(p.place_id, p.name) for p in places.values()]
    admin1 = {}
    with open(directory / "admin1.csv", encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), 2):
            where = f"admin1.csv, line {line}"
            admin1[row["admin1"]] = {"pcode": row["admin1_pcode"], "latitude": _number(row, "latitude", where, True),
                                     "longitude": _number(row, "longitude", where, True),
                                     "aliases": [a for a in (row.get("aliases") or "").split("|") if a]}
    cues = _yaml(directory / "event_cues.yaml")
    for n, cue in enumerate(_rows(cues, "cues", "event_cues.yaml"), 1):
        where = f"event_cues.yaml, cue #{n} ({cue.get('kind')})"
        cue["regex"] = with_first_characters(_compiled(lowercase_pattern(_text(cue, "pattern", where)), 0, where))
    for key in ("irrealis_before", "not_an_event_before", "background", "partial_extent", "near_place", "chemical_agents",
                "nonviolent_transfer"):
        cues[key + "_re"] = _compiled(_text(cues, key, "event_cues.yaml"), re.IGNORECASE, f"event_cues.yaml, {key}")
    rules = _yaml(directory / "casualty_rules.yaml")
    return Reference(actors, sources, places, aliases, admin1, cues, rules, version=version)


def _rows(doc, key: str, name: str) -> list[dict]:
    rows = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ReferenceDataError(f"{name}: {key} must be a list of mappings")
    return rows


def _compiled(pattern: str, flags: int, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as err:
        raise ReferenceDataError(f"{where}: the pattern does not compile: {err}") from None


def reference_version(directory: Path | None = None) -> str:
    """A content hash of the reference files: the data version of everything extracted with them."""
    digest = hashlib.sha256()
    directory = Path(directory or REFERENCE_DIR)
    for name in REFERENCE_FILES:
        path = directory / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
