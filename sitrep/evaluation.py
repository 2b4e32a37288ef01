"""Evaluation: extracted warehouse rows scored against labelled sets.

Three sets, three kinds of label:
- seed: gold codings (``*.gold.yaml``, ANNOTATION.md), event by event;
- acled: ACLED's 2018 Syria events, whose one-to-three sentence notes are the input
  documents and whose rows are the gold events (one per place);
- fakes: FA-KES articles with coarse per-article labels (governorate, cause of
  death, civilians killed).

Pure logic: polars frames and plain dicts in, metric rows and error records out.
Running the pipeline and all file output live in scripts/eval.py.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import re
from collections import Counter
from pathlib import Path

import polars as pl
import yaml

from sitrep.reference import Reference
from sitrep.text import fold, place_name_key, place_skeleton

# ---------------------------------------------------------------- metric rows and errors


def rate(metric: str, hits: int, n: int) -> dict:
    """A share: hits out of n (value None when nothing was scored)."""
    return {"metric": metric, "value": round(hits / n, 4) if n else None, "hits": hits, "n": n}


def figure(metric: str, value, n: int | None = None) -> dict:
    """A plain number (a count, an F1) with the number of items behind it."""
    return {"metric": metric, "value": value, "hits": None, "n": n}


def f1(precision: float | None, recall: float | None) -> float | None:
    if not precision or not recall:
        return 0.0 if precision is not None and recall is not None else None
    return round(2 * precision * recall / (precision + recall), 4)


def precision_recall_rows(name: str, tp: int, fp: int, fn: int) -> list[dict]:
    """Precision, recall and F1 rows of one binary decision."""
    precision, recall = rate(f"{name} precision", tp, tp + fp), rate(f"{name} recall", tp, tp + fn)
    return [precision, recall, figure(f"{name} F1", f1(precision["value"], recall["value"]), tp + fp + fn)]


def error(error_class: str, doc: str, text: str | None, **details) -> dict:
    """One error record: a coarse class to count, the document, its sentence, and what differed."""
    return {"class": error_class, "doc": doc, "text": text, **details}


def error_counts(errors: list[dict]) -> list[tuple[str, int]]:
    return Counter(e["class"] for e in errors).most_common()


def sample_errors(errors: list[dict], size: int) -> list[dict]:
    """Up to `size` errors, taken round-robin over classes (largest first) so every class shows."""
    by_class: dict[str, list[dict]] = {}
    for e in errors:
        by_class.setdefault(e["class"], []).append(e)
    queues = [by_class[c] for c, _ in error_counts(errors)]
    sample, depth = [], 0
    while len(sample) < size and any(depth < len(q) for q in queues):
        sample += [q[depth] for q in queues if depth < len(q)][:size - len(sample)]
        depth += 1
    return sample


# ---------------------------------------------------------------- names: governorates, places

def name_key(text: str | None) -> str:
    """Case-, diacritic- and punctuation-insensitive key ("Al?Hasakeh" == "al-hasakeh")."""
    return re.sub(r"[^0-9a-z]+", " ", fold(text or "")).strip()


def admin1_lookup(ref: Reference, extra_aliases: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Name key -> canonical governorate, from seeds/reference/admin1.csv plus extra alias groups
    (a gold file's ``admin1_aliases``). A group joins the canonical name any of its members has."""
    lookup = {}
    for name, row in ref.admin1.items():
        for alias in (name, *row["aliases"]):
            lookup.setdefault(name_key(alias), name)
    for name, aliases in (extra_aliases or {}).items():
        group = [name, *aliases]
        canonical = next((lookup[name_key(n)] for n in group if name_key(n) in lookup), name)
        for alias in group:
            lookup.setdefault(name_key(alias), canonical)
    return lookup


def canonical_admin1(name: str | None, lookup: dict[str, str]) -> str | None:
    if not name:
        return None
    return lookup.get(name_key(name), name_key(name))


def same_place_name(a: str | None, b: str | None) -> bool:
    """Spelling-insensitive place comparison: the gazetteer's exact key, else its transliteration skeleton."""
    if not a or not b:
        return False
    return place_name_key(a) == place_name_key(b) or (
        len(place_skeleton(a).replace(" ", "")) >= 3 and place_skeleton(a) == place_skeleton(b))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def greedy_one_to_one(pairs: list[tuple[tuple, int, int]]) -> list[tuple[int, int]]:
    """(priority, gold index, extracted index) candidates to one-to-one pairs, best priority first."""
    taken_gold, taken_ext, chosen = set(), set(), []
    for _, g, x in sorted(pairs, key=lambda p: (p[0], p[1], p[2])):
        if g not in taken_gold and x not in taken_ext:
            taken_gold.add(g)
            taken_ext.add(x)
            chosen.append((g, x))
    return sorted(chosen)


# ================================================================ seed: gold codings

def load_gold(path: Path) -> dict:
    gold = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    gold["_path"] = str(path)
    return gold


def find_gold_files(folders: list[Path]) -> list[dict]:
    """Every ``*.gold.yaml`` in the folders, one per article (the first folder wins)."""
    golds, seen = [], set()
    for folder in folders:
        for path in sorted(Path(folder).glob("*.gold.yaml")) if Path(folder).is_dir() else []:
            gold = load_gold(path)
            if gold.get("article") and gold["article"] not in seen:
                seen.add(gold["article"])
                golds.append(gold)
    return golds


def gold_article_file(gold: dict, folders: list[Path]) -> Path | None:
    """The article a gold file codes, looked up in the folders in order."""
    return next((Path(f) / gold["article"] for f in folders if (Path(f) / gold["article"]).is_file()), None)


class GoldCoding:
    """One gold file with its name lookups: place aliases, governorate aliases, source names."""

    def __init__(self, gold: dict, ref: Reference):
        self.gold = gold
        self.ref = ref
        self.events = gold.get("events") or []
        self.admin1 = admin1_lookup(ref, gold.get("admin1_aliases"))
        self.place_groups = [{place_name_key(n) for n in (p["name"], *(p.get("aliases") or []))}
                             for p in (gold.get("entities") or {}).get("places") or []]
        self.source_groups = [{name_key(n) for n in (s["name"], *(s.get("mentions") or []))}
                              for s in (gold.get("entities") or {}).get("sources") or []]

    def place_keys(self, name: str | None) -> set[str]:
        """Keys of a gold place name and every alias the gold gives it."""
        if not name:
            return set()
        key = place_name_key(name)
        return set().union({key}, *(g for g in self.place_groups if key in g))

    def event_place_keys(self, event: dict, with_also: bool = True) -> set[str]:
        keys = self.place_keys(event.get("location"))
        return keys | self.place_keys(event.get("also_location")) if with_also else keys

    def same_admin1(self, extracted: str | None, gold: str | None) -> bool:
        return bool(extracted) and canonical_admin1(extracted, self.admin1) == canonical_admin1(gold, self.admin1)

    def source_keys(self, name: str) -> set[str]:
        key = name_key(name)
        return set().union({key}, *(g for g in self.source_groups if key in g))


def side_agrees(extracted_side: str | None, gold_actor: dict | None) -> bool | None:
    """Gold {side: s} needs side s; {unknown: true} needs unknown or nothing; no gold actor: not scored."""
    if not gold_actor:
        return None
    if gold_actor.get("unknown"):
        return extracted_side in (None, "unknown")
    return extracted_side == gold_actor.get("side")


def seed_place_agrees(row: dict, event: dict, coding: GoldCoding) -> bool:
    """The matching rule's place half: any alias or also_location; same admin1 for geo_precision 3
    or admin1-only gold; type + actor1 side alone when the gold names neither place nor admin1."""
    if not event.get("location") and not event.get("admin1"):
        return bool(side_agrees(row.get("actor1_side"), event.get("actor1")))
    if row.get("location") and place_name_key(row["location"]) in coding.event_place_keys(event):
        return True
    admin1_level = event.get("geo_precision") == 3 or not event.get("location")
    return admin1_level and bool(event.get("admin1")) and coding.same_admin1(row.get("admin1"), event["admin1"])


def seed_event_matches(row: dict, event: dict, coding: GoldCoding) -> bool:
    return row.get("event_type") == event.get("event_type") and seed_place_agrees(row, event, coding)


def same_sentence(row: dict, event: dict) -> bool:
    evidence = event.get("evidence")
    return bool(evidence) and " ".join(evidence.split()) in " ".join((row.get("notes") or "").split())


def match_seed_events(rows: list[dict], coding: GoldCoding) -> list[tuple[int, int]]:
    """One-to-one greedy (gold index, row index) pairs: required gold events first, then
    sub_event_type agreement, then the same sentence (gold evidence inside the row's notes)."""
    candidates = []
    for g, event in enumerate(coding.events):
        for x, row in enumerate(rows):
            if seed_event_matches(row, event, coding):
                priority = (not event.get("required"), row.get("sub_event_type") != event.get("sub_event_type"),
                            not same_sentence(row, event))
                candidates.append((priority, g, x))
    return greedy_one_to_one(candidates)


def seed_field_checks(row: dict, event: dict, coding: GoldCoding) -> dict[str, bool]:
    """Field -> correct, for the fields the gold gives on one matched pair."""
    checks = {"sub_event_type": row.get("sub_event_type") == event.get("sub_event_type")}
    for field in ("actor1", "actor2"):
        agrees = side_agrees(row.get(f"{field}_side"), event.get(field))
        if agrees is not None:
            checks[f"{field} side"] = agrees
    if event.get("admin1"):
        checks["admin1"] = coding.same_admin1(row.get("admin1"), event["admin1"])
    if event.get("location"):
        checks["place"] = bool(row.get("location")) and place_name_key(row["location"]) in coding.event_place_keys(event)
    if event.get("event_date"):
        checks["event_date"] = str(row.get("event_date")) == str(event["event_date"])
    if "is_infighting" in event:
        checks["is_infighting"] = bool(row.get("is_infighting")) == bool(event["is_infighting"])
    if "fatalities_low" in event or "fatalities_high" in event:
        low, high = event.get("fatalities_low", 0), event.get("fatalities_high", math.inf)
        checks["fatalities"] = low <= (row.get("fatalities_best") or 0) <= high
    return checks


def _seed_row_summary(row: dict) -> dict:
    keys = ("event_type", "sub_event_type", "actor1_side", "actor2_side", "location", "admin1", "event_date",
            "is_infighting", "fatalities_best")
    return {k: str(row.get(k)) if isinstance(row.get(k), dt.date) else row.get(k) for k in keys}


def claim_found(gold_claim: dict, claims: list[dict], coding: GoldCoding) -> bool:
    """A gold claim is found when an extracted claim has the same source (any name the gold or the
    source registry gives it) and the same killed count."""
    wanted = coding.source_keys(gold_claim["source"])
    for claim in claims:
        names = {name_key(claim.get("source"))}
        source = coding.ref.sources.get(claim.get("source_id") or "")
        if source:
            names |= {name_key(n) for n in (source.name, *source.aliases)}
        if names & wanted and claim.get("killed") == gold_claim.get("killed"):
            return True
    return False


def control_change_found(gold_change: dict, changes: list[dict], coding: GoldCoding) -> str | None:
    """None when a control row at the gold place has the same to_side and extent, else what was wrong."""
    at_place = [c for c in changes if place_name_key(c.get("location") or "") in coding.place_keys(gold_change["location"])]
    if not at_place:
        return "control change: no row at the place"
    if any(c.get("to_side") == gold_change.get("to_side") and c.get("extent") == gold_change.get("extent")
           for c in at_place):
        return None
    if any(c.get("to_side") == gold_change.get("to_side") for c in at_place):
        return "control change: extent wrong"
    return "control change: to_side wrong"


def score_seed(gold: dict, events: pl.DataFrame, claims: pl.DataFrame, changes: pl.DataFrame,
               ref: Reference) -> dict:
    """Score one article's extracted rows (already filtered to that article) against its gold coding."""
    coding = GoldCoding(gold, ref)
    rows = events.sort("sentence_idx", "char_start", "event_id").to_dicts() if events.height else []
    pairs = match_seed_events(rows, coding)
    matched_gold = {g: x for g, x in pairs}
    matched_rows = {x for _, x in pairs}
    required = [g for g, e in enumerate(coding.events) if e.get("required")]
    doc, errors = gold["article"], []
    tp_required = sum(1 for g in required if g in matched_gold)
    for g in required:
        if g not in matched_gold:
            event = coding.events[g]
            near = [_seed_row_summary(r) for r in rows if same_sentence(r, event)]
            errors.append(error("missed required event", doc, event.get("evidence"), gold_id=event["id"],
                                gold={k: event.get(k) for k in ("event_type", "sub_event_type", "location", "admin1")},
                                ours_same_sentence=near))
    for x, row in enumerate(rows):
        if x not in matched_rows:
            errors.append(error("extra event (matches no gold event)", doc, row.get("notes"), ours=_seed_row_summary(row)))
    field_hits: dict[str, list[bool]] = {}
    for g, x in pairs:
        event, row = coding.events[g], rows[x]
        for field, ok in seed_field_checks(row, event, coding).items():
            field_hits.setdefault(field, []).append(ok)
            if not ok:
                errors.append(error(f"{field} wrong", doc, row.get("notes"), gold_id=event["id"],
                                    gold_evidence=event.get("evidence"), ours=_seed_row_summary(row)))
    claim_rows = claims.to_dicts() if claims.height else []
    claims_total = claims_hit = 0
    for g, event in enumerate(coding.events):
        for gold_claim in event.get("casualty_claims") or []:
            claims_total += 1
            event_id = rows[matched_gold[g]]["event_id"] if g in matched_gold else None
            if claim_found(gold_claim, [c for c in claim_rows if c["event_id"] == event_id], coding):
                claims_hit += 1
            else:
                errors.append(error("casualty claim missing", doc, event.get("evidence"), gold_id=event["id"],
                                    gold_claim=gold_claim,
                                    ours=[{k: c.get(k) for k in ("source", "killed", "injured")}
                                          for c in claim_rows if c["event_id"] == event_id]))
    change_rows = changes.to_dicts() if changes.height else []
    gold_changes = [(e, e["control_change"]) for e in coding.events if e.get("control_change")]
    changes_hit = 0
    for event, gold_change in gold_changes:
        problem = control_change_found(gold_change, change_rows, coding)
        changes_hit += problem is None
        if problem:
            errors.append(error(problem, doc, event.get("evidence"), gold_id=event["id"], gold_change=gold_change,
                                ours=[{k: c.get(k) for k in ("location", "to_side", "extent")} for c in change_rows]))
    return {"required_gold": len(required), "required_found": tp_required, "extracted": len(rows),
            "extracted_matched": len(matched_rows), "fields": field_hits,
            "claims": (claims_hit, claims_total), "control_changes": (changes_hit, len(gold_changes)),
            "pairs": [(coding.events[g]["id"], rows[x]["event_id"]) for g, x in pairs], "errors": errors}


def seed_metrics(scores: list[dict]) -> list[dict]:
    """Metric rows over every scored gold article."""
    required = sum(s["required_gold"] for s in scores)
    found = sum(s["required_found"] for s in scores)
    extracted = sum(s["extracted"] for s in scores)
    matched = sum(s["extracted_matched"] for s in scores)
    recall, precision = rate("event recall (required)", found, required), rate("event precision", matched, extracted)
    rows = [recall, precision, figure("event F1", f1(precision["value"], recall["value"]), required + extracted)]
    fields: dict[str, list[bool]] = {}
    for s in scores:
        for field, hits in s["fields"].items():
            fields.setdefault(field, []).extend(hits)
    for field in ("sub_event_type", "actor1 side", "actor2 side", "admin1", "place", "event_date", "is_infighting",
                  "fatalities"):
        hits = fields.get(field, [])
        rows.append(rate(f"{field} accuracy (matched)", sum(hits), len(hits)))
    rows.append(rate("casualty claims found", sum(s["claims"][0] for s in scores), sum(s["claims"][1] for s in scores)))
    rows.append(rate("control changes found", sum(s["control_changes"][0] for s in scores),
                     sum(s["control_changes"][1] for s in scores)))
    return rows


# ================================================================ acled: 2018 notes as documents

# ACLED's pre-2019 event types onto the current taxonomy (schemas.EVENT_TAXONOMY): each ACLED type
# lists the (event_type, sub_event_type) pairs it accepts; sub_event_type None accepts any sub-type.
# "Remote violence" covered shelling, air strikes and IEDs alike, so any Explosions sub-type is right;
# "Riots/Protests" was one type, so either current type is right.
ACLED_EVENT_TYPES: dict[str, list[tuple[str, str | None]]] = {
    "Remote violence": [("Explosions/Remote violence", None)],
    "Battle-No change of territory": [("Battles", "Armed clash")],
    "Battle-Government regains territory": [("Battles", "Government regains territory")],
    "Battle-Non-state actor overtakes territory": [("Battles", "Non-state actor overtakes territory")],
    "Violence against civilians": [("Violence against civilians", None)],
    "Riots/Protests": [("Protests", None), ("Riots", None)],
    "Strategic development": [("Strategic developments", None)],
    "Non-violent transfer of territory": [("Strategic developments", "Non-violent transfer of territory")],
    "Headquarters or base established": [("Strategic developments", None)],
}
ACLED_OUTLET = "ACLED notes"
KURDISH_NAME = re.compile(r"\b(?:YPG|YPJ|SDF|QSD|PYD|Kurd\w*|Asayish)\b", re.I)
RADIUS_KM = 10.0

# Side of an actor the registry does not know, from words in its name (checked in order), then
# from its ACLED inter code. inter: 1 state forces, 2 rebels, 3 political militia, 4 identity
# militia, 5 rioters, 6 protesters, 7 civilians, 8 external/other forces.
_FOREIGN_SIDES = [(re.compile(r"Russia|Iran|Hezbollah|Hizbullah", re.I), "government"),
                  (re.compile(r"Turk|Olive Branch|Euphrates Shield", re.I), "turkey"),
                  (re.compile(r"United States|\bUS\b|Coalition", re.I), "us_coalition"),
                  (re.compile(r"Israel", re.I), "other")]
_INTER_SIDES = {2: "rebels", 3: "other", 4: "other", 5: "civilians", 6: "civilians", 7: "civilians", 8: "other"}


def acled_date(row: dict) -> tuple[dt.date | None, bool]:
    """(event date, whether event_date and event_date_iso agree). ISO wins; the text form in this
    file is "1-Jan-18", older exports use "30 April 2018", both are read."""
    iso = dt.date.fromisoformat(row["event_date_iso"]) if row.get("event_date_iso") else None
    text = None
    for fmt in ("%d-%b-%y", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            text = dt.datetime.strptime((row.get("event_date") or "").strip(), fmt).date()
            break
        except ValueError:
            continue
    return iso or text, iso is None or text is None or iso == text


def acled_documents(rows: list[dict]) -> list[dict]:
    """Each distinct (notes, event_date) is one input document; its rows are its gold events.
    Documents keep the file's order of first appearance."""
    docs: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["notes"], row["event_date"])
        if key not in docs:
            day, agree = acled_date(row)
            doc_id = hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:16]
            docs[key] = {"id": f"acled-{doc_id}", "body": row["notes"], "published": day.isoformat() if day else None,
                         "outlet": ACLED_OUTLET, "rows": [], "date_forms_agree": agree}
        docs[key]["rows"].append(row)
    return list(docs.values())


class ActorSides:
    """ACLED actor name -> side: the project's actor registry (names and aliases) first, then words
    in the name and the inter code."""

    def __init__(self, ref: Reference):
        self.by_name = {}
        for actor in ref.actors.values():
            for alias in (actor.name, *actor.aliases):
                self.by_name.setdefault(" ".join(fold(alias).split()), actor)

    def side(self, name: str | None, inter: str | int | None, day: dt.date | None) -> str | None:
        if not name:
            return None
        actor = self.by_name.get(" ".join(fold(name).split()))
        if actor:
            return actor.side_at(day)
        return side_from_inter(name, int(inter or 0))


def side_from_inter(name: str, inter: int) -> str | None:
    """The fallback for names outside the registry."""
    if inter in (1, 8):
        if inter == 1 and "Syria" in name:
            return "government"
        return next((side for pattern, side in _FOREIGN_SIDES if pattern.search(name)), "other")
    if inter in (2, 3) and KURDISH_NAME.search(name):
        return "kurdish"
    if inter == 3 and re.search(r"Pro-Government", name, re.I):
        return "government"
    return _INTER_SIDES.get(inter)


def acled_is_infighting(row: dict) -> bool:
    """ACLED interaction 22 (rebels vs rebels) with neither actor Kurdish."""
    return str(row.get("interaction")) == "22" and not any(
        KURDISH_NAME.search(row.get(k) or "") for k in ("actor1", "actor2"))


def acled_type_ok(acled_type: str, event_type: str | None, sub_event_type: str | None) -> tuple[bool, bool | None]:
    """(event type right, sub-type right or None when the ACLED type fixes no sub-type)."""
    accepted = ACLED_EVENT_TYPES.get(acled_type, [])
    type_ok = any(t == event_type for t, _ in accepted)
    subs = [s for t, s in accepted if s is not None]
    return type_ok, (sub_event_type in subs) if subs else None


def match_acled_document(gold_rows: list[dict], events: list[dict], admin1: dict[str, str]) -> list[tuple[int, int]]:
    """One-to-one pairs within a document: same place first, then same governorate, then same type."""
    candidates = []
    for g, row in enumerate(gold_rows):
        for x, event in enumerate(events):
            same_loc = same_acled_place(event.get("location"), row.get("location"))
            same_adm = canonical_admin1(event.get("admin1"), admin1) == canonical_admin1(row.get("admin1"), admin1)
            type_ok, _ = acled_type_ok(row["event_type"], event.get("event_type"), event.get("sub_event_type"))
            candidates.append(((not same_loc, not same_adm, not type_ok), g, x))
    return greedy_one_to_one(candidates)


def _acled_gold_summary(row: dict) -> dict:
    return {k: row.get(k) for k in ("event_type", "actor1", "inter1", "actor2", "inter2", "interaction", "admin1",
                                    "location", "latitude", "longitude", "fatalities")}


def _acled_ours_summary(event: dict) -> dict:
    return {k: event.get(k) for k in ("event_type", "sub_event_type", "actor1", "actor1_side", "actor2",
                                      "actor2_side", "location", "place_id", "admin1", "latitude", "longitude",
                                      "fatalities_best", "is_infighting")}


def score_acled_pair(row: dict, event: dict, ref: Reference, sides: ActorSides, admin1: dict[str, str],
                     day: dt.date | None) -> tuple[dict[str, bool], list[tuple[str, str]]]:
    """Field checks of one matched (ACLED row, extracted event) pair, and (error class, detail) pairs."""
    checks, problems = {}, []
    type_ok, sub_ok = acled_type_ok(row["event_type"], event.get("event_type"), event.get("sub_event_type"))
    checks["event type"] = type_ok
    if not type_ok:
        problems.append((f"event type: ACLED {row['event_type']} vs ours {event.get('event_type')}",
                         str(event.get("sub_event_type"))))
    if sub_ok is not None:
        checks["sub_event_type"] = sub_ok
        if type_ok and not sub_ok:
            problems.append((f"sub-type: ACLED {row['event_type']} vs ours {event.get('sub_event_type')}", ""))
    gold_admin1, our_admin1 = canonical_admin1(row.get("admin1"), admin1), canonical_admin1(event.get("admin1"), admin1)
    checks["admin1"] = gold_admin1 == our_admin1
    if not checks["admin1"]:
        problems.append(("admin1 missing" if our_admin1 is None else "admin1 wrong", f"{row.get('admin1')} vs {event.get('admin1')}"))
    checks["place name"] = same_acled_place(event.get("location"), row.get("location"))
    if names_place(row.get("notes"), row.get("location")):
        checks["place name, where the notes name ACLED's place"] = checks["place name"]
    if not checks["place name"]:
        problems.append((place_error_class(row, event, ref), f"{row.get('location')} vs {event.get('location')}"))
    if event.get("latitude") is not None and row.get("latitude"):
        km = haversine_km(float(row["latitude"]), float(row["longitude"]), event["latitude"], event["longitude"])
        checks["point within 10 km, any event with a point"] = km <= RADIUS_KM
        if not (event.get("place_id") and event.get("geo_precision") in (1, 2)):
            km = None  # a governorate's centroid stands for an unresolved or unnamed place: no point to score
        else:
            checks["point within 10 km"] = km <= RADIUS_KM
        if km is not None and km > RADIUS_KM and checks["place name"]:
            problems.append(("point > 10 km from ACLED's (same name)", f"{row.get('location')}: {km:.0f} km"))
    gold_side = sides.side(row.get("actor1"), row.get("inter1"), day)
    if gold_side:
        our_side = event.get("actor1_side")
        checks["actor1 side"] = (our_side in (None, "unknown")) if gold_side == "unknown" else our_side == gold_side
        if not checks["actor1 side"]:
            problems.append((f"actor1 side: ACLED {gold_side} vs ours {our_side}", f"{row.get('actor1')} vs {event.get('actor1')}"))
    checks["fatalities exact"] = int(row.get("fatalities") or 0) == (event.get("fatalities_best") or 0)
    if not checks["fatalities exact"]:
        ours, theirs = event.get("fatalities_best") or 0, int(row.get("fatalities") or 0)
        problems.append((fatalities_error_class(ours, theirs, row.get("notes") or ""), f"{theirs} vs {ours}"))
    return checks, problems


# ACLED writes neighbourhoods as "Damascus - Al-Midan" and facilities as "Yarmouk Camp", "Dhameer Airbase":
# a name also counts as right when it is the part after " - ", or the name without the facility word.
_ACLED_FACILITY = re.compile(r"\s+(?:camp|airbase|air base|military airport|airport|base)$", re.I)


def acled_place_names(location: str | None) -> list[str]:
    """The forms of an ACLED location name our place name may take."""
    if not location:
        return []
    names = [location, location.split(" - ")[-1]]
    return list(dict.fromkeys(names + [_ACLED_FACILITY.sub("", n) for n in names]))


def same_acled_place(ours: str | None, location: str | None) -> bool:
    return any(same_place_name(ours, name) for name in acled_place_names(location))


def fatalities_error_class(ours: int, theirs: int, notes: str) -> str:
    if _ACLED_CODED_DEFAULT.search(notes):
        return "fatalities: ACLED codes an unknown number as a default (e.g. 10)"
    if ours == 0:
        return "fatalities: ours 0, ACLED > 0"
    if theirs == 0:
        return "fatalities: ours > 0, ACLED 0"
    return "fatalities: ours higher" if ours > theirs else "fatalities: ours lower"


_ACLED_CODED_DEFAULT = re.compile(r"\b(?:unknown|undisclosed|several|number of)\b[^.]{0,80}\bcoded\b", re.I)


def names_place(text: str | None, place: str | None) -> bool:
    """Whether a text names a place (any ACLED form of it), spelling-insensitively. ACLED often codes
    the nearest town or the district instead of the village the notes name."""
    if not text or not place:
        return False
    text_key, text_skeleton = f" {place_name_key(text)} ", f" {place_skeleton(text)} "
    for name in acled_place_names(place):
        key, skeleton = place_name_key(name), place_skeleton(name)
        if f" {key} " in text_key or (len(skeleton.replace(" ", "")) >= 3 and f" {skeleton} " in text_skeleton):
            return True
    return False


def in_gazetteer(place: str | None, ref: Reference) -> bool:
    """Whether the gazetteer resolves an ACLED location name (any of its forms)."""
    return any(ref.places_named(name, loose=True) for name in acled_place_names(place))


def place_error_class(row: dict, event: dict, ref: Reference) -> str:
    """Why the place differs: ACLED codes a place the notes do not name, ACLED's place is missing from
    the gazetteer, ours is unresolved or governorate-level, or another place was chosen."""
    if not names_place(row.get("notes"), row.get("location")):
        return "place: ACLED codes a place the notes do not name"
    if not in_gazetteer(row.get("location"), ref):
        return "place: ACLED location not in gazetteer"
    if not event.get("location"):
        return "place: ours has no location"
    if event.get("geo_precision") == 3:
        return "place: ours governorate/region only"
    return "place: different place chosen"


def score_acled(docs: list[dict], events_by_doc: dict[str, list[dict]], ref: Reference) -> dict:
    """Score extracted events (grouped by document id) against the ACLED rows of each document.
    Documents the pipeline did not ingest must be left out of `docs` by the caller."""
    sides, admin1 = ActorSides(ref), admin1_lookup(ref)
    fields: dict[str, list[bool]] = {}
    errors: list[dict] = []
    gold_total = ext_total = matched = 0
    doc_infighting = Counter()
    pair_infighting = Counter()
    for doc in docs:
        rows, events = doc["rows"], events_by_doc.get(doc["id"], [])
        day = dt.date.fromisoformat(doc["published"]) if doc.get("published") else None
        gold_total += len(rows)
        ext_total += len(events)
        pairs = match_acled_document(rows, events, admin1)
        matched += len(pairs)
        if not events:
            known = any(in_gazetteer(r.get("location"), ref) for r in rows)
            errors.append(error(f"no event extracted (ACLED place {'in' if known else 'not in'} gazetteer)", doc["id"],
                                doc["body"], gold=[_acled_gold_summary(r) for r in rows]))
        else:
            for g in sorted(set(range(len(rows))) - {g for g, _ in pairs}):
                known = "in" if in_gazetteer(rows[g].get("location"), ref) else "not in"
                errors.append(error(f"ACLED row unmatched, document has fewer events (place {known} gazetteer)",
                                    doc["id"], doc["body"], gold=_acled_gold_summary(rows[g])))
            matched_places = [events[x].get("location") for _, x in pairs]
            for x in sorted(set(range(len(events))) - {x for _, x in pairs}):
                again = any(same_place_name(events[x].get("location"), p) or events[x].get("location") == p
                            for p in matched_places)
                cls = ("extra event at a place already matched" if again
                       else "extra event at governorate/region level" if events[x].get("geo_precision") == 3
                       else "extra event at a place ACLED did not code")
                errors.append(error(cls, doc["id"], doc["body"], ours=_acled_ours_summary(events[x])))
        for g, x in pairs:
            checks, problems = score_acled_pair(rows[g], events[x], ref, sides, admin1, day)
            gold_inf, our_inf = acled_is_infighting(rows[g]), bool(events[x].get("is_infighting"))
            pair_infighting[(gold_inf, our_inf)] += 1
            if gold_inf != our_inf:
                problems.append(("infighting missed" if gold_inf else "infighting false alarm",
                                 f"{rows[g].get('actor1')} vs {rows[g].get('actor2')}"))
            for field, ok in checks.items():
                fields.setdefault(field, []).append(ok)
            for error_class, detail in problems:
                errors.append(error(error_class, doc["id"], doc["body"], detail=detail,
                                    gold=_acled_gold_summary(rows[g]), ours=_acled_ours_summary(events[x])))
        gold_inf = any(acled_is_infighting(r) for r in rows)
        our_inf = any(e.get("is_infighting") for e in events)
        doc_infighting[(gold_inf, our_inf)] += 1
    precision, recall = rate("event precision (doc-level)", matched, ext_total), rate("event recall (doc-level)", matched, gold_total)
    metrics = [figure("documents", len(docs)), figure("gold events (ACLED rows)", gold_total),
               figure("extracted events", ext_total), recall, precision,
               figure("event F1 (doc-level)", f1(precision["value"], recall["value"]), gold_total + ext_total)]
    for field in ("event type", "sub_event_type", "admin1", "place name", "place name, where the notes name ACLED's place",
                  "point within 10 km", "point within 10 km, any event with a point", "actor1 side",
                  "fatalities exact"):
        hits = fields.get(field, [])
        metrics.append(rate(f"{field} accuracy (matched)", sum(hits), len(hits)))
    metrics += precision_recall_rows("infighting, documents", doc_infighting[(True, True)],
                                     doc_infighting[(False, True)], doc_infighting[(True, False)])
    metrics += precision_recall_rows("infighting, matched events", pair_infighting[(True, True)],
                                     pair_infighting[(False, True)], pair_infighting[(True, False)])
    return {"metrics": metrics, "errors": errors}


def gazetteer_coverage(rows: list[dict], ref: Reference) -> list[dict]:
    """Share of distinct ACLED location names, and of ACLED events, the gazetteer resolves: the name as
    written (Reference.places_named, loose), and any of its ACLED forms ("Damascus - Al-Midan" -> "Al-Midan")."""
    names = Counter(r["location"] for r in rows if r.get("location"))
    as_written = {n for n in names if ref.places_named(n, loose=True)}
    any_form = {n for n in names if in_gazetteer(n, ref)}
    return [rate("gazetteer coverage, distinct ACLED locations", len(as_written), len(names)),
            rate("gazetteer coverage, ACLED events", sum(names[n] for n in as_written), sum(names.values())),
            rate("gazetteer coverage, distinct ACLED locations (any form)", len(any_form), len(names)),
            rate("gazetteer coverage, ACLED events (any form)", sum(names[n] for n in any_form), sum(names.values()))]


def unresolved_locations(rows: list[dict], ref: Reference, top: int = 30) -> list[tuple[str, int]]:
    """The most frequent ACLED location names the gazetteer does not resolve."""
    names = Counter(r["location"] for r in rows if r.get("location"))
    return [(n, c) for n, c in names.most_common() if not in_gazetteer(n, ref)][:top]


def read_csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ================================================================ fakes: per-article labels

# FA-KES cause of death -> the sub_event_types that express it. "unknown" is not scored.
FAKES_CAUSES: dict[str, set[str]] = {
    "shelling": {"Shelling/artillery/missile attack", "Air/drone strike"},
    "explosion": {"Remote explosive/landmine/IED", "Suicide bomb", "Air/drone strike"},
    "chemical and toxic gases": {"Chemical weapon"},
    "shooting": {"Armed clash", "Attack"},
    "execution": {"Attack"},
}
# FA-KES has no "rural damascus" label: its "damascus" covers Eastern Ghouta, Douma and the rest of
# the countryside, so the lenient comparison also accepts Rural Damascus for it.
FAKES_ALSO_ACCEPTED = {"Damascus": {"Rural Damascus"}}
CIVILIAN_GROUPS = ("civilians", "children", "women")


def main_governorate(events: list[dict]) -> str | None:
    """The governorate with the most events; ties go to the highest fatalities_best, then the earliest."""
    located = [e for e in events if e.get("admin1")]
    if not located:
        return None
    stats: dict[str, list] = {}
    for e in located:
        s = stats.setdefault(e["admin1"], [0, 0, (math.inf, math.inf)])
        s[0] += 1
        s[1] = max(s[1], e.get("fatalities_best") or 0)
        s[2] = min(s[2], (e.get("sentence_idx") or 0, e.get("char_start") or 0))
    return min(stats, key=lambda a: (-stats[a][0], -stats[a][1], stats[a][2]))


def lead_governorate(events: list[dict]) -> str | None:
    """The governorate of the article's lead event: the first located event in text order (news
    puts the main event first), preferring one that killed someone."""
    located = sorted((e for e in events if e.get("admin1")), key=lambda e: (e.get("sentence_idx") or 0, e.get("char_start") or 0))
    deadly = [e for e in located if (e.get("fatalities_best") or 0) > 0]
    return (deadly or located or [{}])[0].get("admin1")


def killing_sub_types(events: list[dict]) -> set[str]:
    """Sub-types of the article's events that killed someone (all its events when none did)."""
    deadly = [e for e in events if (e.get("fatalities_best") or 0) > 0]
    return {e["sub_event_type"] for e in deadly or events}


def civilians_killed_from_events(events: list[dict]) -> int:
    """Sum of fatalities_best over events whose victims are civilians (actor2 side civilians)."""
    return sum(e.get("fatalities_best") or 0 for e in events
               if e.get("actor2_side") == "civilians" or e.get("civilian_targeting"))


def civilians_killed_from_claims(claims: list[dict]) -> int:
    """Sum over events of the largest killed count among claims about civilians, children or women."""
    per_event: dict[str, int] = {}
    for c in claims:
        if c.get("victim_group") in CIVILIAN_GROUPS and c.get("killed") is not None:
            per_event[c["event_id"]] = max(per_event.get(c["event_id"], 0), c["killed"])
    return sum(per_event.values())


def _fakes_event_summaries(events: list[dict], limit: int = 6) -> list[dict]:
    """The article's events, deadliest first, as short records for the error dump."""
    ranked = sorted(events, key=lambda e: -(e.get("fatalities_best") or 0))[:limit]
    return [{k: e.get(k) for k in ("sub_event_type", "actor1_side", "actor2_side", "location", "admin1",
                                   "fatalities_best")} | {"notes": (e.get("notes") or "")[:240]} for e in ranked]


def within_share(predicted: int, label: int, share: float = 0.2) -> bool:
    return abs(predicted - label) <= share * label


def score_fakes(labels: list[dict], articles: pl.DataFrame, events: pl.DataFrame, claims: pl.DataFrame,
                ref: Reference) -> dict:
    """Score each ingested FA-KES article against its labels. `labels` are the CSV rows in file order;
    an article is joined by external_id = unit_id, and its row_ref ("row N") picks among repeated ids."""
    admin1 = admin1_lookup(ref)
    by_row = {f"row {n}": label for n, label in enumerate(labels, 1)}
    by_unit = {label["unit_id"]: label for label in labels}
    events_by_article: dict[str, list[dict]] = {}
    for e in (events.to_dicts() if events.height else []):
        events_by_article.setdefault(e["article_id"], []).append(e)
    claims_by_article: dict[str, list[dict]] = {}
    for c in (claims.to_dicts() if claims.height else []):
        claims_by_article.setdefault(c["article_id"], []).append(c)
    counts, errors = Counter(), []
    for article in articles.to_dicts():
        label = by_row.get(article["row_ref"])
        if label is None or label["unit_id"] != article["external_id"]:
            label = by_unit.get(article["external_id"])
        if label is None:
            continue
        counts["articles"] += 1
        evs = events_by_article.get(article["article_id"], [])
        text = article["body"][:400]
        doc = article["external_id"]
        counts["articles with events"] += bool(evs)
        score_fakes_governorate(label, evs, admin1, counts, errors, doc, text)
        score_fakes_cause(label, evs, counts, errors, doc, text)
        score_fakes_civilians(label, evs, claims_by_article.get(article["article_id"], []), counts, errors, doc, text)
    metrics = [figure("articles scored", counts["articles"]),
               rate("articles with at least one event", counts["articles with events"], counts["articles"]),
               rate("governorate agreement (damascus accepts Rural Damascus)", counts["gov ok"], counts["articles"]),
               rate("governorate agreement, strict", counts["gov strict ok"], counts["articles"]),
               rate("governorate agreement where we predict one", counts["gov ok"], counts["gov predicted"]),
               rate("governorate agreement, lead event (damascus accepts Rural Damascus)", counts["gov lead ok"], counts["articles"]),
               rate("cause of death agreement (labels other than unknown)", counts["cause ok"], counts["cause n"]),
               rate("civilians killed exact (events with civilian victims)", counts["civ exact"], counts["articles"]),
               rate("civilians killed within 20% (events with civilian victims)", counts["civ near"], counts["articles"]),
               rate("civilians killed exact (civilian claims)", counts["civ claims exact"], counts["articles"]),
               rate("civilians killed within 20% (civilian claims)", counts["civ claims near"], counts["articles"])]
    return {"metrics": metrics, "errors": errors}


def score_fakes_governorate(label, events, admin1, counts, errors, doc, text) -> None:
    gold = canonical_admin1(label["location"], admin1)
    ours = main_governorate(events)
    counts["gov predicted"] += ours is not None
    counts["gov strict ok"] += ours == gold
    ok = ours == gold or ours in FAKES_ALSO_ACCEPTED.get(gold, set())
    counts["gov ok"] += ok
    lead = lead_governorate(events)
    counts["gov lead ok"] += lead == gold or lead in FAKES_ALSO_ACCEPTED.get(gold, set())
    if not ok:
        cls = "governorate: no event with a governorate" if ours is None else "governorate: main event elsewhere"
        errors.append(error(cls, doc, text, gold=label["location"], ours=ours,
                            ours_admin1=Counter(e.get("admin1") for e in events).most_common(4),
                            ours_events=_fakes_event_summaries(events)))


def score_fakes_cause(label, events, counts, errors, doc, text) -> None:
    cause = label["cause_of_death"]
    if cause not in FAKES_CAUSES:
        return
    counts["cause n"] += 1
    ours = killing_sub_types(events)
    if ours & FAKES_CAUSES[cause]:
        counts["cause ok"] += 1
    else:
        cls = "cause: no event" if not events else f"cause: label {cause}, ours other"
        errors.append(error(cls, doc, text, gold=cause, ours=sorted(ours), ours_events=_fakes_event_summaries(events)))


def score_fakes_civilians(label, events, claims, counts, errors, doc, text) -> None:
    gold = int(float(label["nb_civilians"] or 0))
    ours, from_claims = civilians_killed_from_events(events), civilians_killed_from_claims(claims)
    counts["civ exact"] += ours == gold
    counts["civ near"] += within_share(ours, gold)
    counts["civ claims exact"] += from_claims == gold
    counts["civ claims near"] += within_share(from_claims, gold)
    if not within_share(ours, gold):
        cls = ("civilians: ours 0, label > 0" if ours == 0 else "civilians: ours > 0, label 0" if gold == 0
               else "civilians: ours too high" if ours > gold else "civilians: ours too low")
        errors.append(error(cls, doc, text, gold=gold, ours=ours, ours_claims=from_claims,
                            ours_events=_fakes_event_summaries(events)))
