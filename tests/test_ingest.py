"""Tests for sitrep.ingest: every input ends as an article or a rejection with a reason."""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from sitrep.ingest import Article, read_articles

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "articles"
TODAY = dt.date(2024, 1, 1)
ARTICLE = "Rebels shell Aleppo\n\nShells hit the old city on Monday.\n\nTwo people were killed, a monitor said.\n"


def ingest(folder: Path, **kw):
    """read_articles plus the invariant every case must keep."""
    result = read_articles(folder, kw.pop("today", TODAY), **kw)
    assert result.inputs_seen == len(result.articles) + len(result.rejections)
    keys = [(x.source_file, x.row_ref) for x in result.articles]
    assert keys == sorted(keys, key=lambda k: (k[0], int(k[1].split()[-1]) if k[1] else 0))
    return result


def only_rejection(result, reason: str):
    assert not result.articles
    assert [r.reason for r in result.rejections] == [reason], result.rejections
    return result.rejections[0]


def only_article(result) -> Article:
    assert not result.rejections, result.rejections
    assert len(result.articles) == 1
    return result.articles[0]


def test_empty_file_is_rejected(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    assert "0 bytes" in only_rejection(ingest(tmp_path), "empty_file").detail


def test_whitespace_only_file_is_rejected(tmp_path):
    (tmp_path / "a.txt").write_text("  \n\t\n   \n")
    only_rejection(ingest(tmp_path), "whitespace_only")


def test_png_renamed_to_txt_is_binary(tmp_path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "PNG" in only_rejection(ingest(tmp_path), "binary_file").detail


def test_nul_bytes_without_bom_are_binary(tmp_path):
    (tmp_path / "blob.txt").write_bytes(b"abc\x00def" * 10)
    assert "NUL" in only_rejection(ingest(tmp_path), "binary_file").detail


def test_bytes_invalid_in_utf8_and_cp1252_are_undecodable(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"Title line\n\nSome text \x81\x8d\x8f\x90\x9d more text.\n")
    detail = only_rejection(ingest(tmp_path), "undecodable_text").detail
    assert "UTF-8" in detail and "Windows-1252" in detail


def test_cp1252_text_decodes_correctly(tmp_path):
    text = "Caf\u00e9 shelled\n\nThe caf\u00e9\u2019s owner said \u201cenough\u201d.\n"
    (tmp_path / "win.txt").write_bytes(text.encode("cp1252"))
    art = only_article(ingest(tmp_path))
    assert art.title == "Caf\u00e9 shelled"
    assert art.body == "The caf\u00e9\u2019s owner said \u201cenough\u201d."


def test_utf16_with_bom_decodes(tmp_path):
    (tmp_path / "u16.txt").write_bytes(ARTICLE.encode("utf-16"))  # writes a BOM
    (tmp_path / "u16be.txt").write_bytes(b"\xfe\xff" + "Other title\n\nOther body.".encode("utf-16-be"))
    result = ingest(tmp_path)
    assert not result.rejections
    assert {a.title for a in result.articles} == {"Rebels shell Aleppo", "Other title"}


def test_arabic_only_text_is_ingested(tmp_path):
    text = "قصف على حلب\n\nقتل شخصان في قصف على المدينة القديمة يوم الاثنين.\n"
    (tmp_path / "ar.txt").write_text(text, encoding="utf-8")
    art = only_article(ingest(tmp_path))
    assert art.title == "قصف على حلب"
    assert art.body.startswith("قتل شخصان")


def test_file_over_max_bytes_is_too_large(tmp_path):
    (tmp_path / "big.txt").write_text("Title\n\n" + "word " * 500)
    assert "1,000-byte limit" in only_rejection(ingest(tmp_path, max_bytes=1000), "too_large").detail


def test_sparse_file_over_50mb_is_rejected_without_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(50_000_001)

    def refuse(*args, **kwargs):
        raise AssertionError("an oversized file was opened")

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    only_rejection(ingest(tmp_path), "too_large")


def test_html_drops_script_style_nav_and_reads_metadata(tmp_path):
    page = """<!doctype html><html><head><title>Site | Strike on Idlib</title>
    <meta property="og:title" content="Strike on Idlib kills five">
    <meta property="article:published_time" content="2017-04-04T09:00:00Z">
    <style>p { color: red }</style><script>alert('pwned'); var secret = 1;</script></head>
    <body><nav><a href="/">Home</a> News</nav><header>Breaking banner</header>
    <article><h1>Strike on Idlib kills five</h1>
    <figure><img src="x.jpg"><figcaption>Smoke over Idlib</figcaption></figure>
    <p>Five people were killed in an air strike on Idlib, a monitor said.</p>
    <p>The strike hit a market &amp; a school.</p><script>document.write('injected')</script></article>
    <footer>Copyright</footer></body></html>"""
    (tmp_path / "page.html").write_text(page)
    art = only_article(ingest(tmp_path))
    assert art.title == "Strike on Idlib kills five"
    assert art.published_date == dt.date(2017, 4, 4) and art.date_source == "metadata"
    assert art.body == ("Five people were killed in an air strike on Idlib, a monitor said.\n\n"
                        "The strike hit a market & a school.")
    for junk in ("alert", "pwned", "injected", "color", "Home", "Breaking", "Smoke", "Copyright"):
        assert junk not in art.body


def test_malformed_json_is_rejected_with_position(tmp_path):
    (tmp_path / "bad.json").write_text('{"title": "x", "body": "y",,}')
    detail = only_rejection(ingest(tmp_path), "malformed_json").detail
    assert "line 1" in detail and "column" in detail


def test_jsonl_bad_line_among_good_ones(tmp_path):
    lines = [json.dumps({"id": "a1", "title": "One", "body": "First body.", "published": "2016-07-01"}),
             '{"id": "a2", "title": "Two", "body": ',
             "",
             json.dumps({"id": "a3", "title": "Three", "text": "Third body.", "source": "SANA"})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    result = ingest(tmp_path)
    assert [a.row_ref for a in result.articles] == ["line 1", "line 4"]
    assert [a.external_id for a in result.articles] == ["a1", "a3"]
    assert result.articles[1].outlet == "SANA"
    [bad] = result.rejections
    assert (bad.reason, bad.row_ref) == ("malformed_json", "line 2")
    assert "line 2" in bad.detail


def test_json_list_and_missing_body(tmp_path):
    data = [{"id": 7, "title": "T", "content": "Body seven."}, {"id": 8, "title": "No body"}, 3]
    (tmp_path / "list.json").write_text(json.dumps(data))
    result = ingest(tmp_path)
    assert [(a.external_id, a.row_ref) for a in result.articles] == [("7", "item 1")]
    assert [(r.reason, r.row_ref) for r in result.rejections] == [
        ("empty_body", "item 2"), ("malformed_json", "item 3")]


def test_csv_without_body_column_is_one_rejection(tmp_path):
    (tmp_path / "c.csv").write_text("id,title,published\n1,a,2016-01-01\n2,b,2016-01-02\n")
    result = ingest(tmp_path)
    detail = only_rejection(result, "missing_columns").detail
    assert result.inputs_seen == 1
    assert "'title'" in detail and "body" in detail


def test_csv_with_renamed_columns_and_quoted_newline(tmp_path):
    (tmp_path / "c.csv").write_text(
        'id,title,text,published,source\n'
        'x1,Siege,"First paragraph.\n\nSecond, with a comma.",2015-02-03,Reuters\n'
        'x2,Empty,"   ",2015-02-04,AFP\n', encoding="utf-8")
    result = ingest(tmp_path)
    [art] = result.articles
    assert art.body == "First paragraph.\n\nSecond, with a comma."
    assert (art.external_id, art.row_ref, art.outlet) == ("x1", "row 1", "Reuters")
    assert art.published_date == dt.date(2015, 2, 3) and art.date_source == "metadata"
    [rej] = result.rejections
    assert (rej.reason, rej.row_ref) == ("empty_body", "row 2")


def test_same_article_under_two_names_is_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE.replace("Shells", "SHELLS").replace("  ", " ") + "\n\n")
    result = ingest(tmp_path)
    assert [a.source_file for a in result.articles] == ["a.txt"]
    [dup] = result.rejections
    assert (dup.reason, dup.source_file) == ("duplicate_content", "b.txt")
    assert "a.txt" in dup.detail


def test_no_date_anywhere_still_ingests(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    art = only_article(ingest(tmp_path))
    assert (art.published_date, art.date_source, art.date_note) == (None, None, None)
    assert art.article_id == art.content_hash[:16]


def test_future_date_is_kept_without_date(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,published,outlet,url\na.txt,2031-05-01,SANA,\n")
    (tmp_path / "a.txt").write_text(ARTICLE)
    art = only_article(ingest(tmp_path))
    assert art.published_date is None and art.date_source is None
    assert "manifest date 2031-05-01 is after the ingest day; not used" in art.date_note
    assert str(TODAY) not in art.date_note  # the note does not name the day: the same on every day before 2031-05-01


def test_dateline_wins_over_metadata_and_disagreement_is_noted(tmp_path):
    (tmp_path / "c.csv").write_text("unit_id,article_title,article_content,source,date\n"
                                    "9,Blast in Homs,Fri 07 Apr 2017 at 0914 A blast hit Homs.,nna,4/6/17\n")
    art = only_article(ingest(tmp_path))
    assert (art.published_date, art.date_source, art.body) == (dt.date(2017, 4, 7), "dateline", "A blast hit Homs.")
    assert art.date_note == "corpus date 2017-04-06 disagrees with dateline 2017-04-07; dateline kept"


def test_wire_dateline_takes_year_from_metadata(tmp_path):
    body = "DAMASCUS, April 5 (Reuters) - Jets struck Idlib."
    (tmp_path / "a.json").write_text(json.dumps({"title": "Jets strike", "body": body, "date": "2017-04-06"}))
    art = only_article(ingest(tmp_path))
    assert (art.published_date, art.body) == (dt.date(2017, 4, 5), "Jets struck Idlib.")


def test_twenty_thousand_word_sentence_is_fast(tmp_path):
    sentence = " ".join(f"word{i % 97}" for i in range(20_000)) + "."
    (tmp_path / "long.txt").write_text("A long one\n\n" + sentence + "\n")
    (tmp_path / "only.txt").write_text(sentence.replace("word1 ", "term1 "))
    start = time.perf_counter()
    result = ingest(tmp_path)
    assert time.perf_counter() - start < 2
    assert not result.rejections and len(result.articles) == 2
    assert result.articles[1].title is None  # a 20,000-word line is text, not a headline


def test_manifest_row_outside_folder_is_rejected_and_never_opened(tmp_path, monkeypatch):
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret\n\nDo not read.")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "manifest.csv").write_text("file,published,outlet,url\n../../etc/passwd,2016-01-01,x,\n"
                                         f"{outside},2016-01-01,x,\nlink.txt,,,\nmissing.txt,,,\na.txt,,AFP,\n")
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    result = ingest(folder)
    assert [a.source_file for a in result.articles] == ["a.txt"] and result.articles[0].outlet == "AFP"
    got = [(r.source_file, r.row_ref, r.reason) for r in result.rejections]
    assert got == [("link.txt", "", "path_outside_folder"),
                   ("manifest.csv", "manifest row 1", "path_outside_folder"),
                   ("manifest.csv", "manifest row 2", "path_outside_folder"),
                   ("manifest.csv", "manifest row 3", "path_outside_folder"),
                   ("manifest.csv", "manifest row 4", "manifest_file_missing")]
    assert result.inputs_seen == 6
    assert "secret.txt" not in opened and "passwd" not in opened and "link.txt" not in opened


def test_sql_text_in_title_body_and_file_name_is_just_text(tmp_path):
    sql = "x'); DROP TABLE fact_events; --"
    (tmp_path / f"{sql}.txt").write_text(f"{sql}\n\nThe body says {sql} and nothing else.\n")
    art = only_article(ingest(tmp_path))
    assert art.source_file == f"{sql}.txt" and art.external_id == f"{sql}.txt"
    assert art.title == sql and sql in art.body


def test_unsupported_hidden_quarantine_and_subfolders(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"whatever")
    (tmp_path / ".hidden.txt").write_text(ARTICLE)
    (tmp_path / ".quarantine").mkdir()
    (tmp_path / ".quarantine" / "q.txt").write_text(ARTICLE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.TXT").write_text(ARTICLE)
    result = ingest(tmp_path)
    assert [a.source_file for a in result.articles] == ["sub/deep.TXT"]
    assert [(r.source_file, r.reason) for r in result.rejections] == [("notes.docx", "unsupported_format")]


def test_seed_txt_article_is_clean_and_dated_from_manifest():
    result = ingest(SEEDS)
    assert result.inputs_seen == 805
    art = next(a for a in result.articles if a.source_file == "000_af55ad7c63556384.txt")
    assert art.title == "Syria: Rebels in Crisis as Regime Forces Continue to Make Gains"
    assert (art.published_date, art.date_source, art.outlet) == (dt.date(2013, 11, 13), "manifest", "Arutz Sheva")
    assert "Contact Editor" not in art.body and "Ari Soffer" not in art.body
    assert "Syrian rebels battle regime troops in Aleppo" not in art.body
    assert art.body.startswith("Capitalizing on rebel infighting")
    assert "\n\nRebel infighting takes its toll\n\n" in art.body
    assert art.body.endswith("liberated by its forces.")


def test_seed_fakes_row_gets_its_dateline_date():
    result = ingest(SEEDS)
    art = next(a for a in result.articles if a.external_id == "1914947530")
    assert art.published_date == dt.date(2017, 4, 5) and art.date_source == "dateline"
    assert not art.body.startswith("Wed 05 Apr 2017")
    assert art.outlet == "nna" and art.source_file == "fakes.csv" and art.row_ref == "row 1"
    assert {r.reason for r in result.rejections} == {"duplicate_content"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), ext=st.sampled_from([".txt", ".json", ".jsonl", ".csv", ".html"]))
def test_arbitrary_bytes_never_raise(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "input" + ext).write_bytes(data)
        result = ingest(Path(tmp))
        assert result.inputs_seen >= 1


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400), ext=st.sampled_from([".txt", ".json", ".csv", ".html"]))
def test_arbitrary_text_never_raises(text, ext):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "input" + ext).write_text(text, encoding="utf-8")
        ingest(Path(tmp))
