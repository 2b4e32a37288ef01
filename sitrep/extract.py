"""Rule-based extraction: one article's text in, events, claims, control rows and mentions out.

The rules follow ANNOTATION.md; the knowledge they apply (actors, places, cue
phrases, vague numbers) comes from seeds/reference through `Reference`. Every
row carries its sentence index, character span and the rule that produced it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from hashlib import sha256
import re
from dataclasses import dataclass, field
from typing import AbstractSet, NamedTuple

from sitrep.casualties import COUNT_PATTERNS, QUOTES, Claim, Count, count_text, counts_in, reconcile
from sitrep.dates import resolve_event_date
from sitrep.geography import distance_to_governorate
from sitrep.matching import Hit, matching_form
from sitrep.prefilter import Gate, compile_fast, matches, prefilter
from sitrep.reference import Place, Reference
from sitrep.text import (Sentence, fold, inside, place_name_key, place_skeleton, quoted_spans, split_sentences,
                         strip_article)

EXTRACTOR = "rules-v1"
NEAR_GOVERNORATE_DEGREES = 0.3  # ~30 km
QUALIFIED_SLACK_DEGREES = 0.05  # ~5 km: Yarmouk camp "in Rural Damascus" lies just inside Damascus city

EVENT_TYPES = {
    "capture": ("Battles", None),
    "transfer": ("Strategic developments", "Non-violent transfer of territory"),
    "infighting": ("Battles", "Armed clash"),
    "clash": ("Battles", "Armed clash"),
    "chemical": ("Explosions/Remote violence", "Chemical weapon"),
    "suicide": ("Explosions/Remote violence", "Suicide bomb"),
    "air": ("Explosions/Remote violence", "Air/drone strike"),
    "ied": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "grenade": ("Explosions/Remote violence", "Grenade"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "attack": ("Violence against civilians", "Attack"),
    "abduction": ("Violence against civilians", "Abduction/forced disappearance"),
    "protest": ("Protests", "Peaceful protest"),
    "riot": ("Riots", "Violent demonstration"),
    "agreement": ("Strategic developments", "Agreement"),
    "strategic": ("Strategic developments", "Other"),
    "formation": ("Strategic developments", "Change to group/activity"),
    "arrests": ("Strategic developments", "Arrests"),
}
MENTION_COLUMNS = ("mention_id", "article_id", "sentence_idx", "char_start", "char_end", "surface", "entity_type",
                   "resolved_id")
REMOTE_KINDS = {"chemical", "suicide", "air", "ied", "grenade", "shelling"}
STATE_SIDES = {"government", "us_coalition", "turkey"}
ARMED_SIDES = {"government", "rebels", "kurdish", "us_coalition", "turkey", "other", "unknown"}
CONTROL_SUB_TYPES = {"Government regains territory", "Non-state actor overtakes territory",
                     "Non-violent transfer of territory"}

_RUN_REST = r"[\w'’]*(?:-[\w'’]+)*(?:\s+(?:(?:al|el|as|ash|ad|ar|az|at|an|ibn|bin|bani|abu|of|de)[-\s]+)?" \
            r"(?:[A-Z][\w'’]*(?:-[\w'’]+)*|\d{1,4}\b))*"
_PLACE_CANDIDATE = compile_fast(r"(?:\b(?:al|el|as|ash|ad|ar|az|at|an|ath)-)?\b[A-Z]" + _RUN_REST)
# The same runs found faster (capitalised_runs): led by the capital every run has, its \b checked behind, so the
# regex engine skips to capitals at once; the lowercase article a run may open with is taken back after.
_CAPITAL_RUN = re.compile(r"[A-Z](?<=\b[A-Z])" + _RUN_REST)
_ARTICLE_BEFORE = re.compile(r"\b(?:al|el|as|ash|ad|ar|az|at|an|ath)-\Z")
_UNRESOLVED_BEFORE = compile_fast(
    r"\b(?:(?:villages?|towns?|city|neighbou?rhoods?|districts?|suburbs?|areas?|camp|hills?|farms?|outskirts|countryside|vicinity) of|"
    r"in|at|near|into|on|towards?|outside|around|targeted|targeting|shelled|shelling|struck|hit|bombarded|bombed|"
    r"stormed|captured|seized|retook|recaptured|entered|attacked|over|control|controlled|control of|including)\s+(?:the\s+)?$", re.I)
_ADJECTIVE_WORD = compile_fast(r"-(?:majority|held|controlled|based|led|backed|run|linked|allied|affiliated)$|(?:ian|ish|ese|ite)s?$", re.I)
_CALENDAR_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                   "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_TITLE_WORDS = {"president", "minister", "king", "prince", "colonel", "general", "commander", "mr", "dr", "brigadier",
                "lieutenant", "captain", "major", "envoy", "ambassador", "spokesman", "secretary"}
_DIRECTION_WORDS = {"western", "eastern", "northern", "southern", "central", "north", "south", "east", "west",
                    "northwestern", "northeastern", "southwestern", "southeastern", "upper", "lower", "greater"}
_METONYM_AFTER = compile_fast(r"^(?:['’]s)?\s+(?:said|says|denied|denies|accused|accuses|claimed|claims|promised|promises|"
                                r"insisted|insists|rejected|rejects|announced|announces|warned|warns|blamed|blames|"
                                r"government|regime|authorities|officials|envoy|delegation|ally|allies)\b", re.I)
_GROUP_NOUN_AFTER = compile_fast(r"^\s+(?:\w+\s+)?(?:fighters?|factions?|forces|militants?|militias?|brigades?|battalions?|members?|groups?|troops|soldiers|units?|gunmen|rebels|army|front|movement|division|council|regiment|corps)\b", re.I)
_UNRESOLVED_AFTER = compile_fast(r"^\s+(?:villages?|towns?|city|cities|neighbou?rhoods?|district|areas?|camp|hills?|farms?|region|countryside|sub-district|airbase|base|front|axis|(?:military )?airport|dam)\b", re.I)
# "Qasabiyeh in southern Idleb", "Farhaniyeh in the northern countryside of Homs": a name placed in a governorate
_IN_GOVERNORATE_AFTER = compile_fast(
    r"^(?:\s*,\s*|\s+in\s+)(?:the\s+)?(?:[a-z]+(?:-[a-z]+)?\s+){0,2}(?:of\s+)?([A-Z][\w'’]*(?:-[\w'’]+)*)")
_GENERIC_NAME_WORDS = {"military", "prison", "university", "stadium", "gate", "plain", "valley", "mountain", "mountains",
                       "desert", "river", "lake", "border", "airbase", "police", "hospital", "sub-district", "refinery",
                       "field", "fields", "factory", "station", "complex", "countryside", "rural", "governorate"}
_FEATURE_WORDS = {"camp", "village", "town", "dam", "airbase", "base", "airport", "hill", "farms", "bridge", "square"}
_LOCATIVE_BEFORE = compile_fast(r"(?:\b(?:in|at|near|into|on|of|from|to|outside|around|towards?|inside|across|and|village|town|city|neighbou?rhoods?|district|suburbs?|countryside|province|governorate|outskirts)\s+(?:the\s+)?(?:\w+\s+)?|,\s*)$", re.I)
# "northern Hama", "rural Idleb", "Deir-ez-Zor province", "Murak town in Hama": the governorate, not its capital
_GOVERNORATE_BEFORE = compile_fast(
    r"\b(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|central|rural|countryside of|province of|"
    r"governorate of)\s+(?:the\s+)?$", re.I)
_GOVERNORATE_AFTER = compile_fast(r"^(?:['’]s)?\s+(?:province|governorate|countryside|rural|region)\b", re.I)
_CITY_AFTER = compile_fast(r"^\s+(?:city|town)\b", re.I)
_QUALIFIER_BETWEEN = compile_fast(
    r"^(?:\s+(?:villages?|towns?|city|area|district|neighbou?rhood|camp|countryside|region))?"
    r"(?:\s*,\s*|\s+(?:in|of)\s+)(?:the\s+)?(?:[a-z]+(?:-[a-z]+)?\s+)?$")
_IN_PLACE_BEFORE = compile_fast(r"\b(?:in|at|inside)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,5}?(?:(?:city|town|village|"
                             r"neighbou?rhood|district|suburb|area|province|governorate) of\s+)?$", re.I)
_UNNAMED_SETTLEMENT = compile_fast(r"\b(?:a|an|one)\s+(?:[\w-]+\s+){0,2}?(?:town|village|city|neighbou?rhood|district)\b", re.I)
_CUE_BETWEEN_CLAUSES = compile_fast(r"[;:]|\b(?:while|whereas|but|as well as|after|before|when)\b", re.I)
_LEADING_CLAUSE = compile_fast(r"^\W*(?:following|after|amid|during|in)\s+(?:\w+\s+){0,3}$", re.I)
_FORCE_AFTER_ADJECTIVE = compile_fast(
    r"^(?:\W+(?:and|or|and/or|,)?\W*[\w-]+){0,4}?\W+(?:forces?|fighters?|troops|army|warplanes?|jets?|planes?|aircraft|"
    r"helicopters?|drones?|artillery|militants?|militias?|militiamen|factions?|gunmen|groups?|units?|soldiers|snipers?|"
    r"rebels?|insurgents|terrorists?|battalions?|brigades?)\b", re.I)
_BYSTANDER = compile_fast(r"\b(?:ministers?|government|officials?|ministry|council|spokesm[ae]n|envoys?|delegation|figures?|"
                            r"leaders?|commanders?|activists?|media|journalists?|members?|people|civilians|residents|"
                            r"positions|areas?|held|controlled|territory|neighbou?rhoods?|towns?|villages?|city)\b", re.I)
_ORIGIN_BEFORE = compile_fast(r"\b(?:residents|people|civilians|families|evacuees|displaced|fighters|buses|convoy)\s+"
                                r"(?:[\w-]+\s+){0,3}?from\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:(?:towns?|villages?|cities|city|areas?)\s+of\s+)?$", re.I)
_PLACE_PREPOSITION_BEFORE = compile_fast(r"\b(?:in|at|from|near|of|outside)\s+(?:the\s+)?$", re.I)  # "an official in Homs said"
_MUTUAL = compile_fast(r"\b(?:exchang(?:ed|ing|es?)|mutual(?:ly)?)\b", re.I)  # "X and Y exchanged shelling": both act
_HEDGED_APPOSITIVE = compile_fast(r",\s*(?:likely|probably|possibly|presumably|reportedly|believed to be|suspected to be|"
                                    r"either)\s+([^,]{1,40}),\s*$", re.I)
_MANY_PLACES_IN = compile_fast(r"\b(?:towns|villages|cities|areas|positions|parts)\s+(?:\w+\s+)?(?:in|of)\s+(?:the\s+)?$", re.I)
_INCLUDING = compile_fast(r"\b(?:including|among them|such as|namely)\s+(?:the\s+)?(?:(?:towns?|villages?|city|areas?) of\s+)?$", re.I)
_LIST_CONTINUES = compile_fast(r"^\s*(?:,|and\b|or\b)\s*(?:the\s+)?[A-Z]")
_NOT_PLACE_WORDS = {
    "the", "a", "an", "syria", "syrian", "syrians", "president", "minister", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "he", "she", "it", "they", "we", "this", "that",
    "these", "those", "but", "and", "in", "on", "at", "of", "for", "with", "after", "before", "following",
    "meanwhile", "however", "earlier", "later", "yesterday", "today", "state", "army", "forces", "islamic",
    "observatory", "news", "agency", "reuters", "afp", "un", "united", "nations", "russia", "russian", "turkey",
    "turkish", "iran", "iranian", "iraq", "lebanon", "israel", "israeli", "jordan", "us", "u.s", "america",
    "american", "european", "britain", "france", "china", "kurdish", "kurds", "arab", "arabs", "muslim",
    "muslims", "christian", "christians", "shia", "sunni", "alawite", "government", "regime", "rebels", "rebel",
    "his", "her", "their", "its", "there", "when", "while", "as", "if", "since", "according", "also", "some",
    "many", "mr", "ms", "dr", "general", "gen", "colonel", "brigade", "council", "security", "defense",
    "defence", "ministry", "foreign", "human", "rights", "health", "organization", "international", "national",
    "democratic", "free", "front", "new", "old", "north", "south", "east", "west", "central", "city", "town",
    "village", "province", "governorate", "airport", "base", "road", "highway", "hospital", "school", "mosque",
    "church", "market", "square", "street", "camp", "area", "region", "district", "countryside", "crossing",
    "twitter", "telegram", "facebook", "youtube", "whatsapp", "europe", "africa", "asia", "middle east", "gulf",
    "lebanon", "egypt", "germany", "geneva", "moscow", "washington", "ankara", "tehran", "baghdad", "beirut",
    "amman", "london", "paris", "brussels", "new york", "astana", "sochi", "saudi", "arabia", "qatar", "kuwait",
    "palestine", "palestinian", "yemen", "libya", "tunisia", "afp", "ap", "reuters", "sana", "tass", "nato",
    "eid", "ramadan", "christmas", "easter", "god", "allah", "quran", "koran", "islam", "internet",
}
_DESCRIPTOR_OBJECT = compile_fast(
    r"^\W*(?:\w+\W+){0,4}?(?:towns?|villages?|city|cities|suburbs?|neighbou?rhoods?|districts?|areas?|bases?|airbase|"
    r"airport|hills?|positions?|regions?|countryside|checkpoints?|territory|territories|parts|most|much|control|"
    r"strongholds?|outposts?|enclaves?|posts?|border crossing|crossing|farms?|oil fields?|dam|quarter)\b", re.I)
_LIST_JOINER = compile_fast(r"^(?:,\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+|\s+or\s+|\s+)$")
_PASSIVE_BY = compile_fast(r"^\W*(?:\w+\W+){0,3}?by\s+(?:the\s+)?(?:so[- ]called\s+)?$", re.I)
_AGAINST = compile_fast(r"\b(?:against|targeting|targeted|on|with|hit|struck|killing|killed|surrounded|besieged|ambushed|"
                          r"attacked|pounded|shelled|bombed|repelled|routed|expelled|defeated)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.I)
_BACKED_BY = compile_fast(r"\b(?:backed|supported|aided|assisted|accompanied|joined|reinforced|covered) by\s+(?:the\s+)?(?:\w+\s+){0,2}$|"
                            r"\b(?:with|under) (?:the )?(?:support|cover|backing) of\s+(?:the\s+)?$|"
                            r"\b(?:alongside|together with|allied with|in (?:cooperation|coordination) with)\s+(?:the\s+)?(?:\w+\s+){0,2}$", re.I)
_BETWEEN = compile_fast(r"\bbetween\s+(?:the\s+)?$", re.I)
_UNNAMED_PLACE = compile_fast(r"\b(?:a|an|the|one|two|three|four|five|several|some|\d+)\s+(?:\w+\s+){0,2}(suburb|district|neighbou?rhood|area|parts)\s+(?:\w+\s+){0,3}of\s+(?:the\s+)?(?:capital\s+|city\s+of\s+)?$", re.I)
_UNNAMED_MANY = compile_fast(r"^\W*(?:\w+\W+){0,3}?(?:two|three|four|five|six|several|a number of|\d+|dozens of|some)\s+(?:\w+\s+)?(?:towns|villages|areas|positions|hills|neighbou?rhoods|districts)\b", re.I)
_FALL_OF = r"(?:{name}'s fall|fall of (?:the )?(?:\w+ )?{name}|{name} fell)"
_ANAPHOR = compile_fast(r"\b(?:the|these|those|this|that)\s+(?:\w+\s+)?(?:attacks?|strikes?|airstrikes?|air strikes?|raids?|shelling|bombing|bombardment|blasts?|explosions?|massacre|incident|assault|clashes|fighting|battles?|offensive)\b", re.I)
_PRONOUN_SOURCE = compile_fast(r"\b(?:it|he|she|they|the monitor|the group|the observatory|the agency|the network|the ministry)\s+(?:also\s+)?(?:said|says|reported|added|cited|confirmed|stated)\b", re.I)
_CIVILIAN_TARGET = compile_fast(r"\b(?:civilians?|residential|market|hospital|school|bakery|mosque|church|homes|houses|camp for displaced|displaced|funeral|wedding|bus|convoy of civilians)\b", re.I)


@dataclass(slots=True)
class EntityHit:
    kind: str  # actor | source | place | admin1
    start: int  # offsets in the sentence
    end: int
    surface: str
    resolved_id: str | None
    place: Place | None = None
    candidates: list[Place] = field(default_factory=list)  # gazetteer places the surface may be; [] = unresolved
    admin1_hint: str | None = None  # unresolved, but a spelling variant elsewhere says which governorate
    qualifier: bool = False  # "Murak town in northern Hama": says where another place is, not an event place

    # The hot classes write their own __init__: compiled, it builds an object 6x faster than the one dataclass
    # generates (which stays interpreted); dataclass still gives them their repr and equality.
    def __init__(self, kind: str, start: int, end: int, surface: str, resolved_id: str | None,
                 place: Place | None = None, candidates: list[Place] | None = None, admin1_hint: str | None = None,
                 qualifier: bool = False) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.surface = surface
        self.resolved_id = resolved_id
        self.place = place
        self.candidates = [] if candidates is None else candidates
        self.admin1_hint = admin1_hint
        self.qualifier = qualifier


SentenceHits = tuple[list[EntityHit], list[EntityHit]]  # a sentence's entities, and its governorates apart


class _Run(NamedTuple):
    """What a capitalised run's text says by itself (ArticleExtractor._run)."""
    spelled: tuple[int, int, str] | None  # an actor's name spelled another way: span in the run, actor id
    name_words: list[tuple[int, int]] | None  # word spans, when a gazetteer name may be among them
    unresolved: tuple[int, str, list[str]] | None  # what could be a place the gazetteer lacks
    unknown_name: tuple[str, bool] | None  # a name for the unresolved list: surface, and whether it names a group


@dataclass(slots=True, unsafe_hash=True)
class Target:
    """Where an event happened: a gazetteer place, or a surface name placed by its district or governorate.
    A value: never changed once built (not frozen only because a frozen class cannot have its own __init__)."""
    location: str | None
    place: Place | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    precision: int | None
    borrowed: bool = False  # the place was not named with the cue (before it, or from context)

    def __init__(self, location: str | None, place: Place | None, admin1: str | None, admin2: str | None,
                 latitude: float | None, longitude: float | None, precision: int | None, borrowed: bool = False) -> None:
        self.location = location
        self.place = place
        self.admin1 = admin1
        self.admin2 = admin2
        self.latitude = latitude
        self.longitude = longitude
        self.precision = precision
        self.borrowed = borrowed

    def borrowed_as(self, borrowed: bool = True) -> "Target":
        """This target with `borrowed` set (dataclasses.replace, without its generic field walk)."""
        return Target(self.location, self.place, self.admin1, self.admin2, self.latitude, self.longitude,
                      self.precision, borrowed)


@dataclass(slots=True)
class Event:
    event_id: str
    kind: str
    event_type: str
    sub_event_type: str
    actor1_id: str | None
    actor2_id: str | None
    assoc1: list[str]
    assoc2: list[str]
    target: Target
    event_date: dt.date | None
    time_precision: int | None
    sentence: Sentence
    cue_start: int
    cue_end: int
    rule: str
    extent: str | None = None
    date_rule: str | None = None  # how event_date was read (sitrep.dates): "publication_date" = the text gave none
    claims: list[Claim] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)

    def __init__(self, event_id: str, kind: str, event_type: str, sub_event_type: str, actor1_id: str | None,
                 actor2_id: str | None, assoc1: list[str], assoc2: list[str], target: Target,
                 event_date: dt.date | None, time_precision: int | None, sentence: Sentence, cue_start: int,
                 cue_end: int, rule: str, extent: str | None = None, date_rule: str | None = None,
                 claims: list[Claim] | None = None, evidence: list[int] | None = None) -> None:
        self.event_id = event_id
        self.kind = kind
        self.event_type = event_type
        self.sub_event_type = sub_event_type
        self.actor1_id = actor1_id
        self.actor2_id = actor2_id
        self.assoc1 = assoc1
        self.assoc2 = assoc2
        self.target = target
        self.event_date = event_date
        self.time_precision = time_precision
        self.sentence = sentence
        self.cue_start = cue_start
        self.cue_end = cue_end
        self.rule = rule
        self.extent = extent
        self.date_rule = date_rule
        self.claims = [] if claims is None else claims
        self.evidence = [] if evidence is None else evidence


@dataclass
class ArticleExtraction:
    events: list[dict]
    claims: list[dict]
    control_changes: list[dict]
    control_observations: list[dict]
    mentions: list[tuple]  # entity_mentions rows as tuples of MENTION_COLUMNS: an article has hundreds
    unresolved: list[dict]


def stable_id(*parts) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:16]


class ArticleExtractor:
    """Applies the rules to one article at a time; holds the reference data and nothing else."""

    def __init__(self, ref: Reference):
        self.ref = ref
        self.cues = ref.cues
        self.held_words = {k.lower(): v for k, v in (ref.cues.get("held_by_words") or {}).items()}
        self.prefix_words = set(ref.cues.get("place_prefix_words") or [])
        self.suffix_words = set(ref.cues.get("place_suffix_words") or [])
        self.actor_words = {fold(w) for a in ref.actors.values() for alias in (a.name, *a.aliases)
                            for w in re.findall(r"[A-Z][\w-]{3,}", alias)}
        self.unknown_actors = {a.actor_id for a in ref.actors.values() if a.periods and a.periods[0].side == "unknown"}
        # one scan of a sentence tells which cue regexes can match it; most sentences need few or none
        # and which count patterns: one scan of an article's count text (its fold, quotes as spaces) for both
        self._cue_count = len(self.cues["cues"])
        self._literal_filter = prefilter(tuple(cue["regex"] for cue in self.cues["cues"]) + COUNT_PATTERNS, QUOTES)
        # the case-insensitive cue regexes run only where a word they need occurs (most sentences have none)
        self._irrealis, self._not_an_event, self._background, self._chemical, self._nonviolent, self._near_place = (
            Gate(self.cues[key + "_re"]) for key in ("irrealis_before", "not_an_event_before", "background",
                                                     "chemical_agents", "nonviolent_transfer", "near_place"))
        # what the gazetteer says about a capitalised surface depends on the surface alone, and the same
        # surfaces recur in sentence after sentence: looked up once per extractor (cleared when large)
        self._named_memo: dict[str, list[Place]] = {}
        self._variants_memo: dict[str, list[Place]] = {}
        self._not_a_name_memo: dict[str, bool] = {}
        self._run_memo: dict[str, _Run] = {}
        self._window_memo: dict[tuple[str, int, int], list[tuple]] = {}
        self._memos = (self._named_memo, self._variants_memo, self._not_a_name_memo, self._run_memo,
                       self._window_memo)

    # ---------- entities ----------
    def runs(self, text: str) -> list[tuple[re.Match, _Run]]:
        """A sentence's capitalised word runs (actor spellings, places, unknown names), each with what its
        text alone says (looked up once per distinct run)."""
        memo = self._run_memo
        found: list[tuple[re.Match, _Run]] = []
        for match in capitalised_runs(text):
            run = match.group()
            found.append((match, memo.get(run) or self._read_run(run)))
        return found

    def sentence_entities(self, sentence: Sentence, runs: list[tuple[re.Match, _Run]],
                          alias_hits: list[list[Hit]]) -> SentenceHits:
        """Sources, actors and places of a sentence, and its governorate names; `runs` is runs(sentence.text),
        `alias_hits` the entity_matchers' hits in it (sources, actors, governorates)."""
        text = sentence.text
        source_hits, actor_hits, admin1_hits = alias_hits
        sources = [EntityHit("source", h.start, h.end, h.surface, h.key) for h in source_hits]
        taken = [(h.start, h.end) for h in sources]
        actors = []
        for h in actor_hits:
            if any(h.start < e and h.end > s for s, e in taken):
                continue
            if _ACTOR_AS_MODIFIER.match(text, h.end, h.end + 14):
                continue
            actors.append(EntityHit("actor", h.start, h.end, h.surface, h.key))
        taken += [(h.start, h.end) for h in actors]
        spelled = self._actor_spelling_variants(text, runs, taken)
        actors = sorted(actors + spelled, key=lambda h: h.start)
        taken += [(h.start, h.end) for h in spelled]
        admin1 = [EntityHit("admin1", h.start, h.end, h.surface, h.key) for h in admin1_hits]
        places = self._place_hits(text, runs, taken, {h.resolved_id for h in admin1})
        return sorted(sources + actors + places, key=lambda h: h.start), admin1

    def _read_run(self, run: str) -> _Run:
        """What a capitalised run's text alone tells, whatever the sentence around it (kept in the run memo)."""
        known = self._run_memo[run] = _Run(self._spelled_actor(run), self._name_words(run),
                                          self._unresolved_surface(run), self._unknown_name(run))
        return known

    def _spelled_actor(self, run: str) -> tuple[int, int, str] | None:
        """A run that is a group's name spelled another way ("Suqor Al Sham", "Nour al-Din al-Zenki"), whole or
        less its first or last word: (start, end) in the run and the actor, matched on transliteration-loose keys."""
        if " " not in run:
            return None
        words = [w.span() for w in _NON_SPACE.finditer(run)]
        for i, j in ((0, len(words)), (1, len(words)), (0, len(words) - 1)):
            if j - i < 2:
                continue
            start, end = words[i][0], words[j - 1][1]
            actor_id = self.ref.actor_skeletons.get(place_skeleton(run[start:end]))
            if actor_id:
                return start, end, actor_id
        return None

    def _actor_spelling_variants(self, text: str, runs: list, taken) -> list[EntityHit]:
        """A capitalised name no alias matched that is a group's name spelled another way."""
        hits = []
        for match, run in runs:
            if run.spelled is None or any(match.start() < e and match.end() > s for s, e in taken):
                continue
            start, end = match.start() + run.spelled[0], match.start() + run.spelled[1]
            hits.append(EntityHit("actor", start, end, text[start:end], run.spelled[2]))
        return hits

    def _place_hits(self, text: str, runs: list, taken: list[tuple[int, int]],
                    sentence_admin1: set[str | None]) -> list[EntityHit]:
        """Places among capitalised word runs; a run may hold several ("Tartous Homs and Hasakeh").

        A run the gazetteer does not know, standing where a place stands ("the village of
        Tir Maallah", "Otaya town"), is kept as an unresolved place with no candidates.
        """
        hits: list[EntityHit] = []
        for match, run in runs:
            found = []
            if run.name_words is not None:
                found = self._places_in_words(text, match.start(), match.group(), run.name_words, 0,
                                              len(run.name_words), taken, sentence_admin1)
            if not found and run.unresolved is not None:
                found = self._unresolved_place(text, match, run.unresolved, taken)
            hits += found
        return hits

    def _name_words(self, run: str) -> list[tuple[int, int]] | None:
        """The run's word spans when any of its word windows may name a place (`_window_plan`); None when none
        can, and `_places_in_words` finds nothing whatever the context (most runs: "The", "Syrian Observatory")."""
        words = [w.span() for w in _NAME_WORD.finditer(run)]
        return words if self._window_plan(run, words, 0, len(words)) else None

    def _unresolved_surface(self, run: str) -> tuple[int, str, list[str]] | None:
        """The part of a run that could be a place the gazetteer lacks, by its words alone: (offset in the run,
        surface, words); None when it cannot be (a date, a title, an adjective, an actor's word)."""
        surface, start = _POSSESSIVE_END.sub("", run), 0
        words = surface.split()
        while len(words) > 1 and "-" in words[0] and _ADJECTIVE_WORD.search(words[0]):
            cut = surface.index(words[1], len(words[0]))  # "the SDF-controlled Kishkiyeh town": Kishkiyeh
            start, surface, words = start + cut, surface[cut:], words[1:]
        if len(surface) < 3:
            return None
        name_words = words[:-1] if len(words) > 1 and words[-1].lower() in _FEATURE_WORDS else words  # "Atmah Camp"
        if any(w.lower() in _NOT_PLACE_WORDS or _ADJECTIVE_WORD.search(w) for w in name_words) or \
                " ".join(words).lower() in _NOT_PLACE_WORDS or self._not_a_name(surface) or \
                fold(surface) in (self.cues.get("adjective_actors") or {}):
            return None
        return start, surface, words

    def _unknown_name(self, run: str) -> tuple[str, bool] | None:
        """The run without a possessive, and whether a group noun is in it, when it may be a name no dictionary
        knows (not a common word, a date, a title or a person of the registry)."""
        surface = _POSSESSIVE_END.sub("", run)
        if surface.lower() in _NOT_PLACE_WORDS or len(surface) < 3 or self._not_a_name(surface):
            return None
        return surface, bool(_GROUP_NAME_WORD.search(surface))

    def _unresolved_place(self, text: str, match: re.Match, unresolved: tuple[int, str, list[str]],
                          taken) -> list[EntityHit]:
        """The run's possible unresolved place (`_unresolved_surface`) where the context says a place stands."""
        offset, surface, words = unresolved
        start = match.start() + offset
        feature_after = bool(_UNRESOLVED_AFTER.match(text[match.end():match.end() + 20]))
        if (start == 0 and not feature_after) or any(start < e and match.end() > s for s, e in taken):
            return []
        if _GROUP_NOUN_AFTER.match(text[match.end():match.end() + 30]):
            return []  # "Islamist faction fighters", "Olive Branch forces": who, not where
        if feature_after or _UNRESOLVED_BEFORE.search(text[max(0, start - 40):start]) or \
                self._in_governorate_after(text[start + len(surface):start + len(surface) + 50]):
            if len(words) > 1 and words[-1].lower() in ("village", "town", "city"):  # "Sayada Village"
                surface = surface[:surface.rindex(words[-1])].rstrip()
            return [EntityHit("place", start, start + len(surface), surface, None)]
        return []

    def _in_governorate_after(self, after: str) -> bool:
        match = _IN_GOVERNORATE_AFTER.match(after)
        return match is not None and any(p.feature == "admin1" for p in self.ref.places_named(match.group(1)))

    def _window_plan(self, run: str, words: list[tuple[int, int]], lo: int, hi: int) -> list[tuple]:
        """The word windows of run words [lo, hi) that name a gazetteer place or a spelling variant of one, in
        search order (longest first, then leftmost), with what the run's text alone says of each:
        (i, size, start, end, surface, candidates, variants, needs_locative), i and spans relative to the words
        and the run. Memoized per (run, lo, hi): most windows name nothing, whatever the sentence."""
        key = (run, lo, hi)
        plan = self._window_memo.get(key)
        if plan is not None:
            return plan
        named, loose = self._named_memo, self._variants_memo
        sub = words[lo:hi]
        plan = []
        for size in range(min(len(sub), 5), 0, -1):
            for i in range(0, len(sub) - size + 1):
                s, e = sub[i][0], sub[i + size - 1][1]
                surface = run[s:e]
                if surface.endswith(("'s", "’s")):
                    surface = surface[:-2]
                if size == 1 and surface.lower() in _NOT_PLACE_WORDS:
                    continue
                candidates = named.get(surface)
                if candidates is None:
                    candidates = named[surface] = self.ref.places_named(surface)
                variants = None
                if not candidates:
                    variants = loose.get(surface)
                    if variants is None:
                        variants = loose[surface] = [c for c in self.ref.places_named(surface, loose=True)
                                                     if close_spelling(surface, c, self.ref)]
                    if not variants:
                        continue  # no name here
                if self._prefix_fragment(run, sub, i, size):
                    continue
                # a lone word's variants count only after a locative (the sentence tells)
                plan.append((i, size, s, e, surface, candidates, variants, size == 1 and not candidates))
        self._window_memo[key] = plan
        return plan

    def _places_in_words(self, text: str, offset: int, run: str, words: list[tuple[int, int]], lo: int, hi: int,
                         taken, sentence_admin1: set[str | None]) -> list[EntityHit]:
        """Longest gazetteer names first, then the words left on either side: among run words [lo, hi), the run
        starting at `offset` in the sentence and `words` its word spans (relative to the run)."""
        if lo >= hi:
            return []
        plan = self._window_plan(run, words, lo, hi)
        if not plan:
            return []
        first, last = offset + words[lo][0], offset + words[hi - 1][1]
        blocked = None  # words inside an actor or source name; spans are rarely inside this run
        for ts, te in taken:
            if ts < last and te > first:
                blocked = [b or (offset + ws < te and offset + we > ts)
                           for b, (ws, we) in zip(blocked or [False] * (hi - lo), words[lo:hi])]
        for i, size, rel_s, rel_e, surface, candidates, variants, needs_locative in plan:
            if blocked is not None and True in blocked[i:i + size]:
                continue
            s, e = offset + rel_s, offset + rel_e
            if needs_locative and not _LOCATIVE_BEFORE.search(text[max(0, s - 40):s]):
                continue
            hint = None
            if not candidates:
                # a transliteration variant is trusted where the sentence's governorate confirms it;
                # elsewhere it only hints at the governorate of a place kept unresolved
                candidates = [c for c in variants if c.admin1 in sentence_admin1]
                hints = {c.admin1 for c in variants}
                hint = hints.pop() if len(hints) == 1 and not candidates and not self._not_a_name(surface) else None
            if sentence_admin1 and not any(self._near_governorates(c, sentence_admin1) or
                                           c.feature in ("admin1", "admin2", "city") for c in candidates):
                candidates = []  # a namesake far from the governorate the sentence names
            if (candidates or hint) and _METONYM_AFTER.match(text[s + len(surface):s + len(surface) + 25]) and \
                    not _PLACE_PREPOSITION_BEFORE.search(text[max(0, s - 12):s]):
                continue  # "Damascus promised a truce": the government, not the place
            if candidates or hint:
                hit = EntityHit("place", s, s + len(surface), surface, None, candidates=list(candidates),
                                admin1_hint=hint)
                at = lo + i  # the window's first word in the run
                left = self._places_in_words(text, offset, run, words, lo, at, taken, sentence_admin1)
                right = self._places_in_words(text, offset, run, words, at + size, hi, taken, sentence_admin1)
                governorate = any(c.feature == "admin1" for c in candidates) and \
                    bool(_GOVERNORATE_AFTER.match(text[s + len(surface):s + len(surface) + 20]))
                if not left and i > 0 and governorate and self._name_word(run, words[at - 1]):
                    # "the village of Has Idleb province": an unknown name, then its governorate
                    start, stop = offset + words[lo][0], offset + words[at - 1][1]
                    left = [EntityHit("place", start, stop, text[start:stop], None)]
                if not governorate and not text[s + len(surface):e].startswith(("'", "’")) and (
                        (i > 0 and not left and self._name_word(run, words[at - 1])) or
                        (at + size < hi and not right and self._name_word(run, words[at + size]))):
                    return []  # "Dera" of "Hesan Dera": part of a name the gazetteer lacks, not Dar'a
                return left + [hit] + right
        return []

    def _name_word(self, text: str, span: tuple[int, int]) -> bool:
        """A word that can be part of a place's name, not a title, direction, feature or actor word."""
        word = fold(text[span[0]:span[1]])
        base = strip_article(word)
        return not (word.isdigit() or base in self.suffix_words or word in _NOT_PLACE_WORDS or word in _DIRECTION_WORDS or word in _FEATURE_WORDS
                    or word in _CALENDAR_WORDS or word in _GENERIC_NAME_WORDS or word in self.actor_words)

    def _not_a_name(self, surface: str) -> bool:
        """Dates, people's names from the actor registry, directions and apostrophe-less possessives
        ("Syrias", "Aleppos") are not names the reference data is missing."""
        known = self._not_a_name_memo.get(surface)
        if known is None:
            known = self._not_a_name_memo[surface] = self._not_a_name_uncached(surface)
        return known

    def _not_a_name_uncached(self, surface: str) -> bool:
        words = [re.sub(r"^(?:al|el)-", "", fold(w)) for w in surface.split() if fold(w) not in ("al", "el")] or [""]
        if words[0] in _CALENDAR_WORDS or words[0] in _TITLE_WORDS or \
                all(w in _DIRECTION_WORDS or w in self.actor_words for w in words):
            return True  # "January", "President Bashar al-Assad", "al-Assad", "Eastern Kurdish"
        return len(words) == 1 and words[0].endswith("s") and (
            words[0][:-1] in _NOT_PLACE_WORDS or bool(self.ref.places_named(words[0][:-1])))

    def _near_governorates(self, place: Place, admin1s: set[str | None]) -> bool:
        """In, or within ~30 km of, one of the governorates a sentence names (Yarmouk camp is
        in Damascus city, yet reported 'in Rural Damascus')."""
        if place.admin1 in admin1s:
            return True
        if place.latitude is None:
            return False
        return any(distance_to_governorate(a, place.latitude, place.longitude) <= NEAR_GOVERNORATE_DEGREES
                   for a in admin1s)

    def _prefix_fragment(self, text: str, words, i: int, size: int) -> bool:
        """'Tal' of 'Tal Sultan' or 'Da'el' of 'Kafr Da'el': part of a longer name, not a place."""
        prefixes = self.prefix_words
        first = fold(text[words[i][0]:words[i][1]])
        if size == 1 and first in prefixes and i + 1 < len(words):
            return True
        return i > 0 and fold(text[words[i - 1][0]:words[i - 1][1]]) in prefixes

    # ---------- the article ----------
    def extract(self, article_id: str, body: str, published: dt.date | None, outlet: str | None) -> ArticleExtraction:
        if any(len(memo) > _MEMO_LIMIT for memo in self._memos):
            for memo in self._memos:
                memo.clear()
        self._cue_memo: dict[str, list] = {}
        self._count_memo: dict[str, list] = {}
        sentences = split_sentences(body)
        # each sentence folded once, from the article's fold (folding keeps length, so spans carry over)
        folded_body = fold(body)
        matching_body = matching_form(folded_body)
        self._folded = [folded_body[s.start:s.end] for s in sentences]
        # which cue and count patterns may match each sentence, from one scan of the article each
        spans = [(s.start, s.end) for s in sentences]
        self._count_body = count_text(folded_body)
        cues = self._cue_count
        # per sentence, the cue and count patterns that may match it, with where (Prefilter.scan_by_span)
        self._cue_candidates: list[dict[int, list[int] | None]] = []
        self._count_candidates: list[dict[int, list[int] | None]] = []
        for found in self._literal_filter.scan_by_span(self._count_body, spans):
            self._cue_candidates.append({i: starts for i, starts in found.items() if i < cues})
            self._count_candidates.append({i - cues: starts for i, starts in found.items() if i >= cues})
        runs = [self.runs(s.text) for s in sentences]
        alias_hits = self.ref.entity_matchers.find_each_by_span(body, matching_body, spans)
        per_sentence = [self.sentence_entities(s, r, hits) for s, r, hits in zip(sentences, runs, alias_hits)]
        admin1_context = self._admin1_context(per_sentence)
        for sentence, (hits, admin1_hits) in zip(sentences, per_sentence):
            places = [h for h in hits if h.kind == "place"]
            for n, hit in enumerate(places):
                if hit.candidates:
                    hit.place = self._governorate_reading(sentence.text, hit, places[n - 1] if n else None, admin1_hits)
            for n, hit in enumerate(places):
                if hit.candidates and hit.place is None:
                    qualifier = places[n + 1] if n + 1 < len(places) and places[n + 1].qualifier else None
                    if qualifier is not None and qualifier.place is not None:
                        self._keep_in_governorate(hit, qualifier.place.admin1)
                    if hit.candidates:
                        context = [h.resolved_id for h in admin1_hits] + admin1_context
                        hit.place = self.ref.choose_place(hit.candidates, context)
                if hit.place is not None:
                    hit.resolved_id = hit.place.place_id
        events: list[Event] = []
        observations: list[dict] = []
        last_source: str | None = None
        for index, sentence in enumerate(sentences):
            hits, admin1_hits = per_sentence[index]
            sentence_events = self._sentence_events(article_id, sentences, per_sentence, index, published,
                                                    admin1_context, {e.kind for e in events})
            claims = self._sentence_claims(sentence, hits, last_source, outlet)
            self._attach_claims(claims, sentence_events, events, hits, sentence)
            events.extend(sentence_events)
            observations.extend(self._observations(article_id, sentence, hits, published))
            sources = [h for h in hits if h.kind == "source"]
            if sources:
                last_source = sources[-1].resolved_id
        events = merge_duplicate_events(events, self.unknown_actors)
        return self._rows(article_id, body, sentences, per_sentence, runs, events, observations, published)

    def _governorate_reading(self, text: str, hit: EntityHit, previous: EntityHit | None, admin1_hits) -> Place | None:
        """A governorate's name read as the governorate: after a direction ("northern Hama"), before
        "province" or "countryside", or qualifying the place just before it ("Murak town in Hama")."""
        if not any(c.feature == "admin1" for c in hit.candidates) or _CITY_AFTER.match(text[hit.end:hit.end + 8]):
            return None
        between = text[previous.end:hit.start] if previous is not None else ""
        qualifies = bool(_QUALIFIER_BETWEEN.match(between)) and not (
            "," in between and _LIST_CONTINUES.match(text[hit.end:hit.end + 30]))  # "Saraqab, Hama and Homs": a list
        if not (qualifies or _GOVERNORATE_BEFORE.search(text[max(0, hit.start - 25):hit.start])
                or _MANY_PLACES_IN.search(text[max(0, hit.start - 40):hit.start])
                or _GOVERNORATE_AFTER.match(text[hit.end:hit.end + 20])):
            return None
        hit.qualifier = qualifies
        named = next((a.resolved_id for a in admin1_hits if a.start <= hit.start < a.end), None)
        governorates = [c for c in hit.candidates if c.feature == "admin1"]
        if named and all(c.admin1 != named for c in governorates):
            governorates = [c for c in self.ref.places_named(named) if c.feature == "admin1"] or governorates
        return next((c for c in governorates if c.admin1 == named), governorates[0])

    def _keep_in_governorate(self, hit: EntityHit, admin1: str | None) -> None:
        """'Ras al-Ain town in southeast Idleb': only a namesake in (or within ~5 km of) the governorate that
        qualifies the name is that place; with none, the name stays unresolved in that governorate."""
        inside = [c for c in hit.candidates if c.admin1 == admin1 or (
            c.latitude is not None and distance_to_governorate(admin1, c.latitude, c.longitude) <= QUALIFIED_SLACK_DEGREES)]
        if not inside:
            hit.admin1_hint = admin1
        hit.candidates = inside

    def _admin1_context(self, per_sentence) -> list[str]:
        counts: dict[str, int] = {}
        for hits, admin1_hits in per_sentence:
            for hit in admin1_hits:
                counts[hit.resolved_id] = counts.get(hit.resolved_id, 0) + 2
            for hit in hits:
                if hit.kind == "place" and hit.candidates:
                    admins = {c.admin1 for c in hit.candidates if c.admin1}
                    if len(admins) == 1:
                        admin = admins.pop()
                        counts[admin] = counts.get(admin, 0) + 1
        return sorted(counts, key=lambda a: (-counts[a], a))

    # ---------- events ----------
    def _cue_matches(self, sentence: Sentence) -> list[tuple[int, int, dict]]:
        """Cue hits in a sentence that report an event (not quoted, not irrealis), memoized per sentence."""
        if sentence.text not in self._cue_memo:
            self._cue_memo[sentence.text] = self._find_cues(sentence.text, self._folded[sentence.idx],
                                                            self._cue_candidates[sentence.idx])
        return self._cue_memo[sentence.text]

    def _counts(self, sentence: Sentence) -> list[Count]:
        """Casualty counts of a sentence, memoized: events and claims both read them."""
        if sentence.text not in self._count_memo:
            self._count_memo[sentence.text] = counts_in(self._count_body[sentence.start:sentence.end],
                                                        self._count_candidates[sentence.idx], self.ref.casualty_rules)
        return self._count_memo[sentence.text]

    def _find_cues(self, text: str, folded: str, maybe: dict[int, list[int] | None]) -> list[tuple[int, int, dict]]:
        """`maybe`: the cues that may match, with where (Prefilter.scan_by_span)."""
        if not maybe:
            return []
        quotes = quoted_spans(text)
        found = []
        cues = self.cues["cues"]
        for index in sorted(maybe):
            cue = cues[index]
            for m in matches(cue["regex"], folded, maybe[index]):
                if inside(m.start(), quotes):
                    continue
                if cue.get("capital_after") and not text[m.end():m.end() + 1].isupper():
                    continue
                lead = max(0, m.start() - 60)
                preceding, folded_preceding = text[lead:m.start()], folded[lead:m.start()]
                if self._irrealis.search(preceding, folded_preceding) or \
                        self._not_an_event.search(preceding, folded_preceding):
                    continue
                found.append((m.start(), m.end(), cue))
        found.sort(key=lambda f: (f[0], -f[2]["priority"]))
        kept: list = []
        for start, end, cue in found:
            if kept and start < kept[-1][1]:
                continue
            if kept and kept[-1][2]["kind"] == cue["kind"] and start - kept[-1][1] < 30:
                kept[-1] = (kept[-1][0], end, cue)  # "army helicopters ... explosive barrels": one cue
                continue
            kept.append((start, end, cue))
        return kept

    def _sentence_events(self, article_id: str, sentences: list[Sentence], per_sentence: list[SentenceHits], index: int,
                         published: dt.date | None, admin1_context: list[str],
                         seen_kinds: AbstractSet[str] = frozenset()) -> list[Event]:
        sentence = sentences[index]
        text = sentence.text
        cues = self._cue_matches(sentence)
        if not cues:
            return []  # most sentences hold no cue: nothing else here needs to run for them
        folded = self._folded[index]
        if self._background.search(text, folded) or is_heading(text):
            return []
        hits, admin1_hits = per_sentence[index]
        actors = [h for h in hits if h.kind == "actor"]
        places = [h for h in hits if h.kind == "place"]
        event_date, time_precision, date_rule = resolve_event_date(text, published, folded)
        if date_rule == "old_history":
            return []
        victim_groups = {c.victim_group for c in self._counts(sentence) if c.kind == "killed"}
        events: list[Event] = []
        if any(c.get("weak") for _, _, c in cues) and (
                any(not c.get("weak") for _, _, c in cues) or (seen_kinds and _ANAPHOR.search(text))):
            cues = [(s, e, c) for s, e, c in cues if not c.get("weak")]
        for n, (start, end, cue) in enumerate(cues):
            window_end = cues[n + 1][0] if n + 1 < len(cues) else len(text)
            kind = cue["kind"]
            if cue.get("needs_object") and not (_DESCRIPTOR_OBJECT.match(text[end:end + 60]) or
                                                 any(end <= p.start < end + 60 for p in places)):
                continue
            if _THE_BEFORE.search(text[max(0, start - 5):start]) and (
                    kind in seen_kinds or EVENT_TYPES.get(kind, ("",))[0] in {EVENT_TYPES.get(k, ("",))[0] for k in seen_kinds}):
                continue  # "the blast", "the attack", "killed in the clashes" after a capture: already reported
            actor1: str | None
            actor2: str | None
            actor1, actor2 = self._attribute(kind, text, folded, start, end, window_end, actors, event_date)
            if kind in ("capture", "capture_passive", "transfer") and actor1 is None:
                continue
            targets = self._event_places(kind, text, start, end, window_end, places, admin1_hits, sentences,
                                         per_sentence, index, admin1_context)

            if targets is None:
                continue
            unnamed = bool(_UNNAMED_SETTLEMENT.search(text[end:window_end]))
            if all(t.precision == 3 for t in targets) and (unnamed or all(t.admin1 is None for t in targets)):
                named = self._named_later(sentences, per_sentence, index, {t.admin1 for t in targets},
                                          restated=not unnamed)
                if named is not None:  # "strikes on a rebel-held town in Idlib province ... the town of Ariha"
                    targets = [self._target(named, 1, [], [], admin1_context).borrowed_as()]
            if kind in ("attack", "abduction"):
                actor2 = self._actor_id_for_side("civilians")  # ANNOTATION §3: the civilians are actor2
            civilian_victims = victim_groups & {"civilians", "children", "women"}
            if kind in REMOTE_KINDS | {"attack", "abduction"} and (
                    civilian_victims or (actor2 is None and (kind in ("attack", "abduction") or _CIVILIAN_GATE.search(text, folded)))):
                actor2 = self._actor_id_for_side("civilians")
            if actor2 is None and kind in ("capture", "capture_passive", "clash"):
                actor2 = self._side_word_actor(text[start:] + " " + text[:start], actor1, actors)
            if kind == "infighting":
                rebels = [a.resolved_id for a in actors if self._side(a.resolved_id, event_date) == "rebels"]
                generic = self._actor_id_for_side("rebels")
                actor1 = rebels[0] if rebels else generic
                others = [r for r in rebels if r != actor1]
                actor2 = others[0] if others else generic
            if kind == "protest":
                actor1 = self.cues.get("protesters_actor")
            if kind == "riot":
                actor1 = self.cues.get("rioters_actor")
            if kind == "air" and self._side(actor1, event_date) not in STATE_SIDES | {None, "unknown"} and \
                    "drone" not in text[start:end].lower():
                # "70 terrorists were killed in the airstrikes": armed groups have no air force; they are the target
                actor2 = actor1 if actor2 is None else actor2
                actor1 = None
            if actor1 is None and kind not in ("agreement", "strategic", "formation"):
                actor1 = self._actor_id_for_side("unknown")
            if kind in REMOTE_KINDS and self._chemical.search(text, folded):
                kind = "chemical"  # "shells containing toxic gas": the weapon decides the sub-type
            if kind in ("capture", "capture_passive") and self._nonviolent.search(text, folded) and \
                    not any(c["kind"] in ("clash", "infighting") for _, _, c in cues):
                kind = "transfer"  # "entered X after a reconciliation agreement", "withdrew without a fight"
            event_type, sub_type = EVENT_TYPES["capture" if kind == "capture_passive" else kind]
            if sub_type is None:
                sub_type = ("Government regains territory" if self._side(actor1, event_date) == "government"
                            else "Non-state actor overtakes territory")
            extent = None
            if sub_type in CONTROL_SUB_TYPES:
                scope = text[:window_end] if kind == "capture_passive" else text[max(0, start - 30):window_end]
                extent = "partial" if self.cues["partial_extent_re"].search(scope) else "full"  # "Most of X was captured"
            for t_index, target in enumerate(targets):
                if sub_type in CONTROL_SUB_TYPES and target.precision == 3:
                    extent = "partial"
                events.append(Event(
                    event_id=stable_id(article_id, sentence.idx, start, target.location, t_index),
                    kind=kind, event_type=event_type, sub_event_type=sub_type,
                    actor1_id=actor1, actor2_id=actor2, assoc1=[], assoc2=[], target=target,
                    event_date=event_date, time_precision=time_precision, sentence=sentence,
                    cue_start=start, cue_end=end, rule=f"{EXTRACTOR}:{kind}", extent=extent, date_rule=date_rule,
                    evidence=[sentence.idx]))
        return one_event_per_episode(keep_highest_per_place(events))

    def _side(self, actor_id: str | None, day: dt.date | None) -> str | None:
        if actor_id is None:
            return None
        return self.ref.actors[actor_id].side_at(day)

    def _actor_id_for_side(self, side: str) -> str | None:
        return (self.cues.get("side_default_actor") or {}).get(side)

    def _side_word_actor(self, text: str, actor1: str | None, actors) -> str | None:
        """The actor an adjective names ("rebel infighting", "regime positions"), outside named actors."""
        adjectives = self.cues.get("adjective_actors") or {}
        for word in _LATIN_WORD.finditer(text):
            if any(a.start <= word.start() < a.end for a in actors):
                continue
            actor = adjectives.get(word.group().lower())
            if actor and actor != actor1:
                return actor
        return None

    def _attribute(self, kind: str, text: str, folded: str, start: int, end: int, window_end: int,
                   actors: list[EntityHit], day: dt.date | None) -> tuple[str | None, str | None]:
        """actor1 acts, actor2 is acted upon: active and passive voice, 'between X and Y', 'against X',
        'X and Y clashed'; allies ('backed by X') and objects ('with X, Y and Z') are not the subject."""
        armed = [a for a in actors if self._side(a.resolved_id, day) in ARMED_SIDES and not (start <= a.start < end)]
        before = [a for a in armed if a.start < start and a.end <= end]
        after = [a for a in armed if end <= a.start < window_end]
        if kind == "capture_passive":
            return (after[0].resolved_id if after else None), (before[-1].resolved_id if before else None)
        between = next((a for a in armed if _BETWEEN.search(text[:a.start])), None)
        if between is not None:
            rest = [a for a in armed if a.start > between.start and a.resolved_id != between.resolved_id]
            return between.resolved_id, (rest[0].resolved_id if rest else None)
        between_word = _BETWEEN_WORD.search(text[start:window_end])
        if between_word:  # "between rebel and Islamist fighters and/against X"
            first = (self.cues.get("adjective_actors") or {}).get(between_word.group(1).lower())
            if first:
                rest = [a for a in armed if a.start > start + between_word.end()]
                return first, (rest[0].resolved_id if rest else None)
        by_actor = next((a for a in after if _PASSIVE_BY.match(text[end:a.start])), None)
        if by_actor is not None:
            actor1 = by_actor.resolved_id
            candidates = [a for a in before if self._side(a.resolved_id, day) != self._side(actor1, day)]
            return actor1, (candidates[-1].resolved_id if candidates else None)
        roles = self._roles(text, folded, armed)
        subjects = [a for a in before if roles[id(a)] == "subject"]
        mutual = kind in ("clash", "infighting") or bool(_MUTUAL.search(text[max(0, start - 30):end + 15]))
        if mutual and len(subjects) >= 2 and \
                _AND_BETWEEN_SUBJECTS.fullmatch(text[subjects[-2].end:subjects[-1].start]):
            return subjects[-2].resolved_id, subjects[-1].resolved_id  # "HTS and Ahrar al-Sham clashed"
        if not subjects and _LEADING_CLAUSE.match(text[:start]) and "," in text[end:window_end]:
            # "Following clashes with HTS fighters, Ahrar al-Sham advanced ...": the main clause's subject acts
            comma = text.index(",", end)
            main = [a for a in armed if a.start > comma and not _BACKED_BY.search(text[max(0, a.start - 40):a.start])]
            if main:
                others = [a for a in armed if a.start < comma and a.resolved_id != main[0].resolved_id]
                return main[0].resolved_id, (others[0].resolved_id if others else None)
        actor1 = subjects[-1].resolved_id if subjects else self._adjective_actor(text, start, end)
        side1 = self._side(actor1, day)
        objects = [a for a in armed if roles[id(a)] == "object"]
        ordered = objects + [a for a in after if self._side(a.resolved_id, day) != side1] + \
            [a for a in after if roles[id(a)] != "ally"] + \
            [a for a in before[::-1] if self._side(a.resolved_id, day) != side1 and roles[id(a)] != "ally"]
        opponents = [a for a in ordered if a.resolved_id != actor1]
        return actor1, (opponents[0].resolved_id if opponents else None)

    def _roles(self, text: str, folded: str, armed: list[EntityHit]) -> dict[int, str]:
        """Each actor's role from the words before it: object ("with X", "against X"), ally ("backed by X"),
        else subject. A coordinated list ("with X, Y and Z") passes its first member's role on. `folded` is
        fold(text)."""
        def own_role(actor: EntityHit) -> str:
            lead_start = max(0, actor.start - 40)
            lead = text[lead_start:actor.start]
            backed = _BACKED_BY_GATE.search(lead, folded[lead_start:actor.start])
            return "ally" if backed else "object" if _AGAINST.search(lead) else "subject"

        chains: list[list[EntityHit]] = []
        coordinated: list[bool] = []
        for actor in armed:
            joiner = _LIST_JOIN.fullmatch(text[chains[-1][-1].end:actor.start]) if chains else None
            if joiner:
                chains[-1].append(actor)
                coordinated[-1] = True  # "with HTS, TIP and AAS", "with HTS , TIP": one list, one role
            else:
                chains.append([actor])
                coordinated.append(False)
        roles: dict[int, str] = {}
        for chain, is_list in zip(chains, coordinated):
            head = own_role(chain[0])
            for actor in chain:
                roles[id(actor)] = head if actor is chain[0] or (is_list and head != "subject") else own_role(actor)
        return roles

    def _adjective_actor(self, text: str, start: int, end: int) -> str | None:
        """'regime sniper fire', 'Turkish warplanes struck': an adjective names the actor."""
        adjectives = self.cues.get("adjective_actors") or {}
        clause_start = max(text.rfind(",", 0, start) + 1, start - 80, 0)
        for word in reversed(list(_HYPHENATED_WORD.finditer(text[clause_start:end]))):
            actor = adjectives.get(word.group().lower())
            if actor and self._modifies_force_or_cue(text, clause_start + word.end(), start):
                return actor
        hedge = _HEDGED_APPOSITIVE.search(text[:clause_start])
        if hedge:  # "Warplanes, likely regime or Russian, carried out strikes"
            named = sorted({adjectives[w.lower()] for w in _HYPHENATED_WORD.findall(hedge.group(1)) if w.lower() in adjectives})
            if len(named) > 1:
                return (self.cues.get("combined_actors") or {}).get("+".join(named))
            return named[0] if named else None
        return None

    @staticmethod
    def _modifies_force_or_cue(text: str, after_word: int, cue_start: int) -> bool:
        """'regime sniper fire', 'Turkish warplanes', 'rebel and Islamist factions': the adjective qualifies the
        cue or a fighting force, not a bystander ('a minister in the opposition government ... car bomb')."""
        if after_word >= cue_start:
            return True
        following = text[after_word:cue_start]
        return bool(_FORCE_AFTER_ADJECTIVE.match(following)) or not _BYSTANDER.search(following)

    def _event_places(self, kind: str, text: str, start: int, end: int, window_end: int, places: list[EntityHit],
                      admin1_hits: list, sentences: list[Sentence], per_sentence: list[SentenceHits],
                      index: int, admin1_context: list[str]) -> list[Target] | None:
        """Where the event happened, one Target per place; None when the text does not say (skip it)."""
        def target(hit: EntityHit, precision: int) -> Target:
            return self._target(hit, precision, places, admin1_hits, admin1_context)

        after = [p for p in places if end <= p.start < min(window_end, end + 110)]
        if not after and window_end - end <= 25:  # "clashes and exchange of shelling in X": X for both
            after = [p for p in places if window_end <= p.start < window_end + 110]
        if not after and kind != "capture_passive":  # "killed 44 ... on Wednesday in the city of Qamishli"
            after = [p for p in places if end + 110 <= p.start < window_end and p.place is not None and
                     not any(c.feature in ("admin1", "admin2", "region") for c in p.candidates) and
                     _IN_PLACE_BEFORE.search(text[max(0, p.start - 50):p.start]) and
                     not _CUE_BETWEEN_CLAUSES.search(text[end:p.start])][:1]
        if kind in ("capture", "transfer") and _UNNAMED_MANY.match(text[end:end + 60]):
            named = [p for p in places if end < p.start < window_end and _INCLUDING.search(text[max(0, p.start - 40):p.start])]
            if named:  # "took control of a number of villages in Idleb, including Rabiah and Zurzur"
                chosen = [named[0]]
                for nxt in [p for p in places if named[0].start < p.start < window_end]:
                    if not _LIST_JOINER.match(text[chosen[-1].end:nxt.start]) or nxt.qualifier:
                        break
                    chosen.append(nxt)
                return [target(p, 1) for p in chosen]
        if kind not in ("transfer", "capture", "capture_passive") and after:
            origins, previous = set(), None
            for p in places:  # "residents from the towns of Fuaa and Kafraya": where people came from
                if _ORIGIN_BEFORE.search(text[max(0, p.start - 45):p.start]) or (
                        previous is not None and id(previous) in origins and _LIST_JOINER.match(text[previous.end:p.start])):
                    origins.add(id(p))
                previous = p
            here = [p for p in after if id(p) not in origins]
            if len(here) < len(after):  # "... from Fuaa and Kafraya as they waited in Rashidin": Rashidin
                after = here or [p for p in places if end <= p.start < window_end and id(p) not in origins and
                                 _IN_PLACE_BEFORE.search(text[max(0, p.start - 50):p.start])][:1]
        if kind == "capture_passive":
            after = []
        if not after:  # "Protesters in Maarat al-Numan rallied": two cues of one kind joined around the place
            after = [p for p in places if start <= p.start and p.end <= end and not p.qualifier][:1]
        before = [p for p in places if p.end <= start]
        if any(not p.qualifier for p in before):
            before = [p for p in before if not p.qualifier]
        if after and self._governorate_level(after[0]):
            finer = [p for p in after[1:] if p.start < window_end and not self._governorate_level(p)]
            if finer and not _LIST_JOINER.match(text[after[0].end:finer[0].start]):
                after = finer  # "shelled areas in southern Idleb province near Tamanaah": Tamanaah
        if after:
            chosen = [after[0]]
            for nxt in after[1:]:
                if _LIST_JOINER.match(text[chosen[-1].end:nxt.start]) and not nxt.qualifier:
                    chosen.append(nxt)
                else:
                    break
            lead = text[end:chosen[0].start]
            unnamed = _UNNAMED_PLACE.search(lead)
            if unnamed and kind in ("capture", "transfer"):
                restated = self._restated_place(sentences, per_sentence, index)
                if restated is not None:
                    return [target(restated, 1)]
            precision = 2 if self._near(lead) or unnamed else 1
            return self._collapse_neighbourhoods([target(p, precision) for p in chosen])
        if kind in ("capture", "transfer") and _UNNAMED_MANY.match(text[end:end + 60]):
            admin1 = next((p.place.admin1 for p in reversed(before) if p.place), None) or \
                (admin1_hits[0].resolved_id if admin1_hits else None)
            if admin1:
                return [self._admin1_target(admin1)]
        if before:
            hit = before[-1]
            precision = 2 if self._near(text[max(0, hit.start - 40):hit.start]) else 1
            return [target(hit, precision).borrowed_as()]
        lowered = text.lower()
        for phrase, region in (self.cues.get("regions") or {}).items():
            if phrase in lowered:
                return [Target(region, None, None, None, None, None, 3, borrowed=True)]
        if admin1_hits:
            return [self._admin1_target(admin1_hits[0].resolved_id).borrowed_as()]
        if kind in ("capture", "capture_passive", "transfer"):
            return None
        if kind in ("agreement", "formation", "strategic", "arrests"):
            scene = [h for h in per_sentence[index - 1][0] if h.kind == "place" and h.place] if index else []
            if scene:  # "In the battle for Aleppo ... ISIS has issued a call to arms": the scene carries over
                return [self._target(scene[0], 3, [], [], admin1_context).borrowed_as()]
            return [Target(None, None, None, None, None, None, 3)]
        for back in (index - 1, index - 2):
            if back < 0:
                break
            hits_back, admin1_back = per_sentence[back]
            places_back = [h for h in hits_back if h.kind == "place"]
            named_back = [h for h in places_back if h.place and not h.qualifier and not self._governorate_level(h)] or \
                [h for h in places_back if h.place is None and not h.qualifier] or [h for h in places_back if h.place]
            if named_back:  # "Warplanes also carried out strikes on the town": the town the last sentence named
                precision = 2 if self.cues["near_place_re"].search(text) else 1
                return [self._target(named_back[0], precision, places_back, admin1_back, admin1_context).borrowed_as()]
        if admin1_context:
            return [self._admin1_target(admin1_context[0]).borrowed_as()]
        return None

    @staticmethod
    def _governorate_level(hit: EntityHit) -> bool:
        return hit.place is not None and hit.place.feature in ("admin1", "region")

    def _near(self, lead: str) -> bool:
        """A near-phrase in the last few words before a place: "on the outskirts of X", "near X"."""
        match = None
        if not self._near_place.may_match(fold(lead)):
            return False
        for match in self.cues["near_place_re"].finditer(lead):
            pass
        return match is not None and len(_WORD.findall(lead[match.end():])) <= 3

    def _named_later(self, sentences, per_sentence, index, admin1s: set[str | None], restated: bool = False) -> EntityHit | None:
        """The settlement a later sentence names in the same governorate (any, for a region), for an
        event placed at 'a town in X province' or 'a town in northern Syria'; for an event placed only
        at a region ('in the south of the country'), a later sentence restating it ('The attack
        targeted ... in Inkhil')."""
        for ahead in range(index + 1, min(index + 3, len(sentences))):
            if restated and not _ANAPHOR.search(sentences[ahead].text):
                continue
            for hit in per_sentence[ahead][0]:
                if hit.kind == "place" and hit.place is not None and (hit.place.admin1 in admin1s or None in admin1s) and \
                        hit.place.feature not in ("admin1", "admin2", "region"):
                    return hit
        return None

    def _restated_place(self, sentences, per_sentence, index) -> EntityHit | None:
        """'a flashpoint suburb of the capital' is named when a later sentence restates its fall."""
        for ahead in range(index + 1, min(index + 3, len(sentences))):
            for hit in per_sentence[ahead][0]:
                if hit.kind == "place" and hit.place and \
                        re.search(_FALL_OF.format(name=re.escape(hit.surface)), sentences[ahead].text, re.I):
                    return hit
        return None

    def _admin1_target(self, admin1: str) -> Target:
        lat, lon = self.ref.admin1_centroid(admin1)
        return Target(admin1, None, admin1, None, lat, lon, 3)

    def _target(self, hit: EntityHit, precision: int, places, admin1_hits, admin1_context) -> Target:
        """A resolved place is its own point; an unresolved one takes its district's or governorate's."""
        place = hit.place
        if place is not None:
            if place.feature in ("admin1", "region"):
                precision = 3
            return Target(place.name, place, place.admin1, place.admin2, place.latitude, place.longitude, precision)
        anchor = next((p.place for p in places if p.place and hit.end <= p.start <= hit.end + 40
                       and p.place.feature in ("admin2", "city", "town", "region")
                       and not any(a.start <= p.start < a.end for a in admin1_hits)), None)
        if anchor is not None and anchor.feature != "region":
            return Target(hit.surface, None, anchor.admin1, anchor.admin2, anchor.latitude, anchor.longitude, 2)
        admin1 = next((h.resolved_id for h in admin1_hits if not hit.start <= h.start < hit.end), None) or hit.admin1_hint or \
            next((p.place.admin1 for p in places if p.place and p.place.admin1), None) or \
            (admin1_context[0] if admin1_context else None)
        lat, lon = self.ref.admin1_centroid(admin1) if admin1 else (None, None)
        return Target(hit.surface, None, admin1, None, lat, lon, 3)

    def _collapse_neighbourhoods(self, targets: list[Target]) -> list[Target]:
        """Neighbourhoods of one city hit in one attack are one event (ACLED codes them at the city)."""
        kept, seen = [], set()
        for target in targets:
            place = target.place
            group = ("nbh", place.admin2) if place is not None and place.feature == "neighbourhood" else target.location
            if group not in seen:
                seen.add(group)
                kept.append(target)
        return kept

    # ---------- claims ----------
    def _sentence_claims(self, sentence: Sentence, hits: list, last_source: str | None,
                         outlet: str | None) -> list[Claim]:
        counts = self._counts(sentence)
        if not counts:
            return []
        sources = [h for h in hits if h.kind == "source"]
        if sources:
            source_id, source_name = sources[0].resolved_id, self.ref.sources[sources[0].resolved_id].name
        elif last_source and _PRONOUN_SOURCE.search(sentence.text):
            source_id, source_name = last_source, self.ref.sources[last_source].name
        else:
            source_id, source_name = None, outlet or "article"
        if len(sources) > 1:  # "SOHR said 14 were killed, while SANA said 30": one claim per source
            groups: dict[str, list] = {}
            for count in counts:
                said_by = next((h for h in sources[::-1] if h.start < count.start), sources[0])
                groups.setdefault(said_by.resolved_id, []).append(count)
            if len(groups) > 1:
                return [self._claim(sentence, group, sid, self.ref.sources[sid].name) for sid, group in groups.items()]
        return [self._claim(sentence, counts, source_id, source_name)]

    def _claim(self, sentence: Sentence, counts, source_id: str | None, source_name: str) -> Claim:
        killed = next((c for c in counts if c.kind == "killed"), None)
        injured = next((c for c in counts if c.kind == "injured"), None)
        first = killed or injured
        assert first is not None, "a claim has at least one count"
        return Claim(source_id=source_id, source_name=source_name,
                     source_kind=self.ref.sources[source_id].kind if source_id else "outlet",
                     source_rank=self.ref.sources[source_id].reliability_rank if source_id else 50,
                     killed=killed.value if killed else None, injured=injured.value if injured else None,
                     victim_group=first.victim_group, sentence_idx=sentence.idx,
                     char_start=sentence.start + first.start, char_end=sentence.start + first.end)

    def _attach_claims(self, claims, sentence_events, earlier_events, hits, sentence) -> None:
        """A claim belongs to its sentence's event, else to the earlier event at the place it names."""
        if not claims:
            return
        violent = [e for e in sentence_events if e.event_type not in ("Strategic developments", "Protests")]
        if violent:
            share = len([e for e in violent if e.cue_start == violent[0].cue_start])
            for position, event in enumerate(e for e in violent if e.cue_start == violent[0].cue_start):
                for claim in claims:
                    event.claims.append(claim.split(position, share))
            return
        place_ids = {h.resolved_id for h in hits if h.kind == "place" and h.resolved_id}
        if place_ids and _ANAPHOR.search(sentence.text) and not any(
                e.target.place and e.target.place.place_id in place_ids for e in earlier_events):
            place_ids = set()  # "31 were killed in the raids on al-Shaar and Tariq al-Bab": the raids already told
        for event in reversed(earlier_events):
            if event.event_type in ("Strategic developments", "Protests"):
                continue
            if (event.target.place and event.target.place.place_id in place_ids) or (
                    not place_ids and _ANAPHOR.search(sentence.text)):
                siblings = [e for e in earlier_events if e.sentence.idx == event.sentence.idx
                            and e.cue_start == event.cue_start] if not place_ids else [event]
                for position, sibling in enumerate(siblings):
                    sibling.claims.extend(claim.split(position, len(siblings)) for claim in claims)
                    if sentence.idx not in sibling.evidence:
                        sibling.evidence.append(sentence.idx)
                return
        previous = [e for e in earlier_events if e.sentence.idx == sentence.idx - 1
                    and e.event_type not in ("Strategic developments", "Protests")]
        if previous and not place_ids and not self.cues["background_re"].search(sentence.text) and \
                not any(c.killed is not None for e in previous for c in e.claims):
            # "... on the town of Saraqab. Five civilians died of asphyxiation.": the toll of the event just told
            siblings = [e for e in previous if e.cue_start == previous[0].cue_start]
            for position, sibling in enumerate(siblings):
                sibling.claims.extend(claim.split(position, len(siblings)) for claim in claims)
                sibling.evidence.append(sentence.idx)

    # ---------- control observations ----------
    def _observations(self, article_id: str, sentence: Sentence, hits: list[EntityHit],
                      published: dt.date | None) -> list[dict]:
        rows: list[dict] = []
        text = sentence.text
        if "-held" not in text and "-controlled" not in text and not any(w in text for w in _STRONGHOLD_WORDS):
            return rows  # both patterns need one of these words
        places = [h for h in hits if h.kind == "place" and h.place]
        for m in _HELD_BY.finditer(text):
            side = self.held_words.get(m.group(1).lower())
            if not side:
                continue
            following = [p for p in places if m.end() <= p.start < m.end() + 60]
            chosen = following[:1]
            for nxt in following[1:]:
                if _LIST_JOINER.match(text[chosen[-1].end:nxt.start]):
                    chosen.append(nxt)
            rows += [self._observation(article_id, sentence, p, side, published, m) for p in chosen]
        for m in _STRONGHOLD_OF.finditer(text):
            side = self.held_words.get(m.group(1).lower())
            preceding = [p for p in places if p.end <= m.start()]
            if side and preceding:
                rows.append(self._observation(article_id, sentence, preceding[-1], side, published, m))
        return rows

    def _observation(self, article_id, sentence, hit, side, published, match) -> dict:
        return {"observation_id": stable_id(article_id, sentence.idx, hit.start, side), "article_id": article_id,
                "location": hit.place.name, "place_id": hit.place.place_id, "admin1": hit.place.admin1,
                "side": side, "observed_date": published, "sentence_idx": sentence.idx,
                "char_start": sentence.start + match.start(), "char_end": sentence.start + match.end(),
                "evidence": sentence.text, "extractor": f"{EXTRACTOR}:control_observation"}

    # ---------- rows ----------
    def _rows(self, article_id: str, body: str, sentences: list[Sentence], per_sentence: list[SentenceHits],
              runs: list[list[tuple[re.Match, _Run]]], events: list[Event], observations: list[dict],
              published: dt.date | None) -> ArticleExtraction:
        event_rows, claim_rows, change_rows = [], [], []
        for event in events:
            low, best, high, injured = reconcile(event.claims, self.ref.casualty_rules)
            actor1 = self.ref.actors.get(event.actor1_id) if event.actor1_id else None
            actor2 = self.ref.actors.get(event.actor2_id) if event.actor2_id else None
            side1 = actor1.side_at(event.event_date) if actor1 else None
            side2 = actor2.side_at(event.event_date) if actor2 else None
            target = event.target
            sentence = event.sentence
            event_rows.append({
                "event_id": event.event_id, "article_id": article_id, "event_date": event.event_date,
                "time_precision": event.time_precision, "event_type": event.event_type,
                "sub_event_type": event.sub_event_type,
                "actor1": actor1.name if actor1 else None, "actor1_id": event.actor1_id, "actor1_side": side1,
                "assoc_actor_1": "; ".join(event.assoc1) or None,
                "actor2": actor2.name if actor2 else None, "actor2_id": event.actor2_id, "actor2_side": side2,
                "assoc_actor_2": "; ".join(event.assoc2) or None,
                "is_infighting": side1 == "rebels" and side2 == "rebels",
                "violence_type": violence_type(event.event_type, side1, side2),
                "civilian_targeting": side2 == "civilians",
                "location": target.location, "place_id": target.place.place_id if target.place else None,
                "admin1": target.admin1, "admin2": target.admin2,
                "latitude": target.latitude, "longitude": target.longitude, "geo_precision": target.precision,
                "fatalities_low": low, "fatalities_best": best, "fatalities_high": high, "injured_best": injured,
                "sources": "; ".join(sorted({c.source_name for c in event.claims})) or None,
                "notes": sentence.text, "sentence_idx": sentence.idx,
                "char_start": sentence.start, "char_end": sentence.end, "extractor": event.rule,
            })
            for claim in dedupe_claims(event.claims):
                claim_rows.append({
                    "claim_id": stable_id(event.event_id, claim.source_name, claim.sentence_idx, claim.char_start),
                    "event_id": event.event_id, "article_id": article_id, "source": claim.source_name,
                    "source_id": claim.source_id, "source_kind": claim.source_kind, "killed": claim.killed,
                    "injured": claim.injured, "victim_group": claim.victim_group,
                    "sentence_idx": claim.sentence_idx, "char_start": claim.char_start, "char_end": claim.char_end,
                    "evidence": sentences[claim.sentence_idx].text, "extractor": f"{EXTRACTOR}:casualty_claim"})
            if event.sub_event_type in CONTROL_SUB_TYPES and target.location:
                change_rows.append({
                    "change_id": stable_id(event.event_id, "control"), "event_id": event.event_id,
                    "article_id": article_id, "location": target.location,
                    "place_id": target.place.place_id if target.place else None, "admin1": target.admin1,
                    "from_actor": actor2.name if actor2 else None, "from_side": side2,
                    "to_actor": actor1.name if actor1 else None, "to_side": side1, "extent": event.extent,
                    "change_date": event.event_date, "time_precision": event.time_precision,
                    "sentence_idx": sentence.idx, "char_start": sentence.start, "char_end": sentence.end,
                    "extractor": f"{EXTRACTOR}:control_change"})
        mentions, unresolved = [], []
        for sentence, (hits, admin1_hits), sentence_runs in zip(sentences, per_sentence, runs):
            for hit in hits + admin1_hits:
                start = sentence.start + hit.start
                mentions.append((  # MENTION_COLUMNS; the id is stable_id(article_id, start, hit.kind), spelled out
                    sha256(f"{article_id}\x1f{start}\x1f{hit.kind}".encode()).hexdigest()[:16],
                    article_id, sentence.idx, start, sentence.start + hit.end, hit.surface, hit.kind, hit.resolved_id))
            unresolved += self._unresolved(article_id, sentence, hits + admin1_hits, sentence_runs)
        observations = list({row["observation_id"]: row for row in observations}.values())
        return ArticleExtraction(event_rows, claim_rows, change_rows, observations, mentions, unresolved)

    def _unresolved(self, article_id: str, sentence: Sentence, hits: list[EntityHit],
                    runs: list[tuple[re.Match, _Run]]) -> list[dict]:
        """Capitalised names after a locative word near an event cue that no dictionary knows."""
        text = sentence.text
        if not self._cue_matches(sentence):
            return []
        rows = [{"article_id": article_id, "sentence_idx": sentence.idx, "char_start": sentence.start + h.start,
                 "char_end": sentence.start + h.end, "surface": h.surface, "kind": "place", "sentence": text}
                for h in hits if h.kind == "place" and h.resolved_id is None]
        for m, run in runs:
            if run.unknown_name is None or m.start() == 0:
                continue
            if any(m.start() < h.end and m.end() > h.start for h in hits):
                continue
            surface, group_name = run.unknown_name
            kind = None
            if group_name:
                kind = "actor"
            elif _LOCATIVE_JUST_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
                kind = "place"
            if kind:
                rows.append({"article_id": article_id, "sentence_idx": sentence.idx,
                             "char_start": sentence.start + m.start(), "char_end": sentence.start + m.start() + len(surface),
                             "surface": surface, "kind": kind, "sentence": text})
        return rows


_CIVILIAN_GATE = Gate(_CIVILIAN_TARGET)
_BACKED_BY_GATE = Gate(_BACKED_BY)
_MEMO_LIMIT = 100_000  # surfaces an extractor remembers before starting over (a few MB per memo)
_ACTOR_AS_MODIFIER = compile_fast(r"-(?:held|controlled|backed|led|allied|linked|affiliated|run|occupied|besieged)\b", re.I)
_POSSESSIVE_END = compile_fast(r"['’]s$")
_NON_SPACE = compile_fast(r"\S+")
_NAME_WORD = compile_fast(r"[\w'’]+(?:-[\w'’]+)*")
_THE_BEFORE = compile_fast(r"\bthe\s+$", re.I)
_GROUP_NAME_WORD = compile_fast(r"\b(?:Brigades?|Battalions?|Front|Army|Movement|Division|Forces|Jaysh|Liwa|Harakat|Faylaq|"
                                  r"Ahrar|Jabhat|Kataib|Saraya|Group|Militia|Regiment)\b")
_LOCATIVE_JUST_BEFORE = compile_fast(r"\b(?:in|at|near|into|of|outside|towards?|village of|town of|city of)\s+(?:the\s+)?$")
_STRONGHOLD_WORDS = ("outpost", "stronghold", "bastion", "enclave", "pocket")
_LATIN_WORD = compile_fast(r"[A-Za-z-]+")
_BETWEEN_WORD = compile_fast(r"\bbetween\s+(?:the\s+)?([\w-]+)", re.I)
_AND_BETWEEN_SUBJECTS = compile_fast(r"\s*(?:fighters\s+)?(?:,\s*)?and\s+")
_LIST_JOIN = compile_fast(r"\s*(?:fighters\s*)?(,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)")
_HYPHENATED_WORD = compile_fast(r"[\w-]+")
_WORD = compile_fast(r"\w+")
_HELD_BY = compile_fast(r"\b([\w]+(?: [A-Z][\w]+)?)-(?:held|controlled)\b")
_STRONGHOLD_OF = compile_fast(r"\b(?:sole |last |only )?(?:remaining )?(\w+) (?:outpost|stronghold|bastion|enclave|pocket)\b")
_SENTENCE_CLOSE = compile_fast(r"[.!?\"”’')]$")


def capitalised_runs(text: str) -> list[re.Match]:
    """The matches of _PLACE_CANDIDATE.finditer(text): the runs _CAPITAL_RUN finds, each taken from the
    article before it ("al-Bab", "ash-Sham") when one stands there after the previous run."""
    found: list[re.Match] = []
    end = 0
    for match in _CAPITAL_RUN.finditer(text):
        start = match.start()
        if start >= 3 and text[start - 1] == "-":
            article = _ARTICLE_BEFORE.search(text, max(end, start - 4), start)
            if article is not None:
                widened = _PLACE_CANDIDATE.match(text, article.start())
                assert widened is not None and widened.end() == match.end()
                match = widened
        found.append(match)
        end = match.end()
    return found


def close_spelling(surface: str, place: Place, ref: Reference) -> bool:
    """A transliteration variant, not another name with the same consonants: edit distance <= 2 (1 if short),
    counted on the words after a shared prefix word ("Kafr Safra" is not "Kafr Saghir")."""
    prefixes = set(ref.cues.get("place_prefix_words") or [])

    def distinctive(key: str) -> str:
        words = key.split()
        return " ".join(words[1:]) if len(words) > 1 and words[0] in prefixes else key

    key = distinctive(place_name_key(surface))
    limit = 2 if len(key) >= 6 else 1
    names = [place.name] + [alias for pid, alias in ref.place_aliases_of(place.place_id)]
    for name in names:
        other = distinctive(place_name_key(name))
        # the distance is at least the difference in length: no need to compute it past the limit
        if abs(len(key) - len(other)) <= limit and edit_distance(key, other) <= limit:
            return True
    return False


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def is_heading(text: str) -> bool:
    """A subheading ("Rebel infighting takes its toll") names a topic; it reports no event."""
    return len(text) < 90 and not _SENTENCE_CLOSE.search(text.strip())


def violence_type(event_type: str, side1: str | None, side2: str | None) -> str | None:
    """UCDP's three kinds of organised violence; None for non-violent types."""
    if event_type not in ("Battles", "Explosions/Remote violence", "Violence against civilians"):
        return None
    if side2 == "civilians" or event_type == "Violence against civilians":
        return "one-sided"
    if side1 in STATE_SIDES or side2 in STATE_SIDES:
        return "state-based"
    if side1 and side2 and side1 != "unknown" and side2 != "unknown":
        return "non-state"
    return None


def keep_highest_per_place(events: list[Event]) -> list[Event]:
    """One sentence, one place, one day: keep the highest-ranked type (ANNOTATION.md §2)."""
    best: dict[tuple, Event] = {}
    order = []
    for event in events:
        key = (event.target.location, event.event_date)
        if key not in best:
            best[key] = event
            order.append(key)
        elif _rank(event) > _rank(best[key]):
            if not best[key].target.borrowed:
                event.target = event.target.borrowed_as(False)
            best[key] = event
    return [best[k] for k in order]


_TYPE_RANK = {"Battles": 3, "Explosions/Remote violence": 2, "Violence against civilians": 1}


def one_event_per_episode(events: list[Event]) -> list[Event]:
    """'Clashes accompanied by shelling', 'shelled X in conjunction with airstrikes': a cue whose place
    is borrowed from elsewhere in the sentence is part of the episode coded at the named place, unless
    its type ranks higher."""
    own = [e for e in events if not e.target.borrowed]
    if not own:
        return events
    top = max(_TYPE_RANK.get(e.event_type, 0) for e in own)
    return [e for e in events if not e.target.borrowed or _TYPE_RANK.get(e.event_type, 0) > top]


_PRIORITY = {"capture": 100, "capture_passive": 100, "infighting": 95, "clash": 90, "chemical": 85, "suicide": 84,
             "air": 83, "ied": 82, "grenade": 81, "shelling": 80, "attack": 70, "abduction": 69, "transfer": 60,
             "riot": 55, "protest": 50, "agreement": 30, "arrests": 25, "strategic": 20, "formation": 20}


def _rank(event: Event) -> int:
    return _PRIORITY.get(event.kind, 0)


def merge_duplicate_events(events: list[Event], unknown_actors: set[str]) -> list[Event]:
    """Restatements in one article ("had taken most of Hejeira") add evidence, not events.

    Two events merge when type, sub-type, place and date agree and their actors are
    compatible (the same, or one of them unknown).
    """
    merged: list[Event] = []
    for event in events:
        target = next((m for m in merged if _same_event(m, event, unknown_actors) or _part_of_episode(event, m)), None)
        if target is None:
            merged.append(event)
            continue
        target.claims.extend(event.claims)
        target.evidence.extend(i for i in event.evidence if i not in target.evidence)
        if event.extent == "partial":
            target.extent = "partial"
        if target.actor1_id is None or target.actor1_id in unknown_actors:
            target.actor1_id = event.actor1_id
        target.actor2_id = target.actor2_id or event.actor2_id
    return merged


def _part_of_episode(event: Event, earlier: Event) -> bool:
    """'... advanced to control X. Warplanes also carried out strikes on the town.': a lower-ranked event
    placed by the sentence before, at that sentence's event, is part of it (one_event_per_episode, across
    the sentence boundary)."""
    return (event.target.borrowed and event.sentence.idx == earlier.sentence.idx + 1
            and event.target.location == earlier.target.location
            and (event.event_date == earlier.event_date or event.date_rule == "publication_date")
            and _TYPE_RANK.get(event.event_type, 0) < _TYPE_RANK.get(earlier.event_type, 0))


def _same_event(a: Event, b: Event, unknown_actors: set[str]) -> bool:
    if (a.event_type, a.sub_event_type, a.target.location, a.event_date) != (b.event_type, b.sub_event_type, b.target.location, b.event_date):
        return False
    if a.kind in ("capture", "capture_passive"):
        return True
    unknown = unknown_actors | {None}
    return a.actor1_id == b.actor1_id or a.actor1_id in unknown or b.actor1_id in unknown


def dedupe_claims(claims: list[Claim]) -> list[Claim]:
    """One row per source claim: a source repeating the same figures is one claim."""
    seen, kept = set(), []
    for claim in claims:
        key = (claim.source_name, claim.killed, claim.injured)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept
