"""The analyst report: built by the real job, one inline SVG per chart with title, axis labels and date range,
a valid PNG of each chart beside the page, nothing loaded from the network, and (when Chromium is
installed) a page a browser renders."""
import html
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image


PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# chart file name -> (title, x axis label, y axis label)
CHARTS = {
    "infighting_monthly": ("Rebel infighting incidents per month", "Month", "Incidents (events)"),
    "events_by_type_monthly": ("Events by type per month", "Month", "Events"),
    "fatalities_by_governorate": ("Reported fatalities by governorate (low / best / high)",
                                  "Fatalities (sum over events)", "Governorate"),
    "control_changes_by_side": ("Territorial control changes per quarter, by side gaining control", "Quarter",
                                "Places changing hands"),
    "event_map": ("Where events happened (by coordinates)", "Longitude (°E)", "Latitude (°N)"),
    "top_actor_dyads": ("Top 15 actor dyads by number of events", "Events", "Actor pair"),
}
DATE_RANGE = re.compile(r"Data: (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2}), ([\d,]+) events")


@pytest.fixture(scope="module")
def built(bundled_slice_build):
    return bundled_slice_build.warehouse, bundled_slice_build.reports, bundled_slice_build.result


@pytest.fixture(scope="module")
def page(built) -> str:
    _, reports, _ = built
    return (reports / "sitrep.html").read_text(encoding="utf-8")


def _svgs(page: str) -> dict[str, str]:
    blocks = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    named = {}
    for block in blocks:
        name = re.search(r'data-chart="([^"]+)"', block[:block.index(">")])
        assert name, "an <svg> without its chart name"
        named[name.group(1)] = html.unescape(block)
    assert len(named) == len(blocks)
    return named


def _texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]


def test_job_materializes_the_report_with_path_url_and_chart_list(built):
    _, reports, result = built
    assert result.success
    [materialization] = [m for m in result.asset_materializations_for_node("outputs") if m.asset_key.path == ["report"]]
    metadata = materialization.metadata
    assert metadata["path"].value == str(reports / "sitrep.html")
    assert metadata["url"].value == (reports / "sitrep.html").as_uri()
    assert metadata["chart_names"].value == list(CHARTS)
    assert metadata["rows"].value > 0


def test_page_has_one_svg_per_chart_with_title_axis_labels_and_date_range(page):
    svgs = _svgs(page)
    assert list(svgs) == list(CHARTS)
    for name, (title, xlabel, ylabel) in CHARTS.items():
        texts = _texts(svgs[name])
        assert title in texts, name
        assert xlabel in texts and ylabel in texts, name
        ranges = [DATE_RANGE.match(t) for t in texts if DATE_RANGE.match(t)]
        assert len(ranges) == 1, name
        first, last, events = ranges[0].groups()
        assert first <= last and int(events.replace(",", "")) > 0, name


def _caption(svg: str) -> tuple[str, str, int, int]:
    """(first, last, events shown, events left out) from a chart's 'Data: ...' caption."""
    [text] = [t for t in _texts(svg) if DATE_RANGE.match(t)]
    first, last, shown = DATE_RANGE.match(text).groups()
    left_out = re.search(r"([\d,]+) events? outside this period not shown", text)
    return first, last, int(shown.replace(",", "")), int(left_out.group(1).replace(",", "")) if left_out else 0


def test_date_range_is_the_datas(built, page):
    warehouse, _, _ = built
    svgs = _svgs(page)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, last, n = con.execute("SELECT min(event_date), max(event_date), count(*) FROM fact_events "
                                     "WHERE event_date IS NOT NULL").fetchone()
        assert f"Data: {first} to {last}, {n:,} events" in _texts(svgs["fatalities_by_governorate"])
        for chart, where in (("events_by_type_monthly", "TRUE"), ("infighting_monthly", "is_infighting")):
            c_first, c_last, shown, left_out = _caption(svgs[chart])
            total, dates = con.execute(f"SELECT count(*), list(DISTINCT event_date::VARCHAR) FROM fact_events "
                                       f"WHERE event_date IS NOT NULL AND {where}").fetchone()
            assert shown + left_out == total > 0, chart  # a stray far-off date may be left out, and is then said
            assert left_out <= total * 0.05, chart
            assert c_first in dates and c_last in dates, chart


def test_map_draws_the_governorate_outlines_and_event_points(page):
    svg = _svgs(page)["event_map"]
    for governorate in ("Aleppo", "Damascus", "Deir-ez-Zor", "Al-Hasakeh"):
        assert governorate in _texts(svg)
    assert svg.count("<path") > 14 + 50


def test_a_valid_png_of_each_chart_is_written_beside_the_page(built, page):
    _, reports, _ = built
    for name in CHARTS:
        png = reports / f"{name}.png"
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        with Image.open(png) as image:
            image.verify()
        with Image.open(png) as image:
            assert image.format == "PNG" and image.width >= 600 and image.height >= 300, name
        assert f'href="{name}.png"' in page


def test_page_loads_nothing_from_the_network(page):
    assert not re.search(r"https?://", page, flags=re.I)
    assert not re.search(r"<script\b[^>]*\bsrc=", page, flags=re.I)
    assert not re.search(r"<link\b", page, flags=re.I)
    assert not re.search(r"""url\(\s*['"]?(?!#)|@import""", page, flags=re.I)  # only url(#clip-id) inside the SVG
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:[a-z][a-z0-9+.-]*:|//)""", page, flags=re.I)
    assert not re.search(r"<img\b", page, flags=re.I)


def test_chromium_renders_the_page(built, tmp_path):
    if not CHROMIUM.exists():
        print(f"skipping the browser render: {CHROMIUM} is not installed")
        pytest.skip(f"{CHROMIUM} is not installed")
    _, reports, _ = built
    screenshot = tmp_path / "report.png"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", "--window-size=1280,4000",
               (reports / "sitrep.html").as_uri()]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert screenshot.is_file(), completed.stderr[-2000:]
    with Image.open(screenshot) as image:
        assert image.size == (1280, 4000)
        colours = image.convert("RGB").resize((64, 200)).getcolors(maxcolors=64 * 200)
    assert colours and len(colours) > 20  # charts drew something, not a blank page


def test_time_series_show_the_main_period_and_not_a_stray_date():
    import datetime as dt
    from sitrep.report import main_period
    counts = {dt.date(1982, 2, 1): 1, dt.date(2011, 3, 1): 4, dt.date(2012, 1, 1): 2, dt.date(2014, 1, 1): 300}
    assert main_period(counts) == (dt.date(2011, 3, 1), dt.date(2014, 1, 1))  # gaps of up to 24 months are kept
    assert main_period({dt.date(2011, 1, 1): 5, dt.date(2016, 1, 1): 9}) == (dt.date(2016, 1, 1), dt.date(2016, 1, 1))
    assert main_period({}) is None


def test_outputs_go_to_the_env_folder_else_beside_the_warehouse(tmp_path, monkeypatch):
    from assets.exports import exports_dir_from_env
    from assets.report import reports_dir_from_env
    monkeypatch.delenv("SITREP_REPORTS", raising=False)
    monkeypatch.delenv("SITREP_EXPORTS", raising=False)
    assert reports_dir_from_env(str(PROJECT / "warehouse.duckdb")) == PROJECT / "reports"
    assert exports_dir_from_env(str(PROJECT / "warehouse.duckdb")) == PROJECT / "exports"
    assert reports_dir_from_env(str(tmp_path / "w.duckdb")) == tmp_path / "reports"
    monkeypatch.setenv("SITREP_REPORTS", str(tmp_path / "elsewhere"))
    assert reports_dir_from_env(str(PROJECT / "warehouse.duckdb")) == tmp_path / "elsewhere"


def test_a_failing_output_leaves_the_others_materialized_and_fails_the_step(built, tmp_path, monkeypatch):
    """The exports and the report share one step (the report drawn while the exports are written): a report that
    cannot be written must not take the exports with it, and the step must still fail, naming the report."""
    import shutil

    import dagster as dg
    from orchestration.definitions import build_defs
    warehouse, _, _ = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    (tmp_path / "not_a_folder").write_text("a file where the reports folder should be")
    monkeypatch.setenv("SITREP_REPORTS", str(tmp_path / "not_a_folder"))
    monkeypatch.setenv("SITREP_EXPORTS", str(tmp_path / "exports"))
    result = build_defs(str(copy), str(tmp_path)).resolve_job_def("outputs_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success
    written = {m.asset_key.path[0] for m in result.asset_materializations_for_node("outputs")}
    assert written == {"acled_export", "events_geojson"}
    assert (tmp_path / "exports" / "sitrep_events_acled.csv").is_file()
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "not_a_folder" in str(failure.step_failure_data.error)

    monkeypatch.setenv("SITREP_REPORTS", str(tmp_path / "reports"))
    only_report = build_defs(str(copy), str(tmp_path)).resolve_job_def("outputs_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=[dg.AssetKey("report")])
    assert only_report.success
    assert [m.asset_key.path[0] for m in only_report.asset_materializations_for_node("outputs")] == ["report"]
