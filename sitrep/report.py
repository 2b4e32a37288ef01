"""The analyst report: warehouse queries -> chart data -> matplotlib charts (inline SVG + PNG) -> one HTML page.

No Dagster here. `build_charts(con)` queries the warehouse and renders every chart; `report_html`
assembles a self-contained page (charts inlined as SVG, no scripts, fonts or styles fetched from
the network); `write_report` writes the page and a PNG of each chart beside it.

Every chart carries a title, labelled axes and a caption "Data: <first date> to <last date>, N events"
stating what it covers.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Polygon  # noqa: E402

from sitrep.geography import BOUNDARIES  # noqa: E402

REPORT_FILE = "sitrep.html"
PNG_DPI = 100

EVENT_TYPE_COLORS = {  # Okabe-Ito, colour-blind safe; ACLED's six event types in ACLED's order
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#0072B2",
    "Violence against civilians": "#CC79A7",
    "Protests": "#009E73",
    "Riots": "#E69F00",
    "Strategic developments": "#7F7F7F",
}
SIDE_COLORS = {
    "government": "#C0392B", "rebels": "#2E8B57", "kurdish": "#E6AB02", "us_coalition": "#1F77B4",
    "turkey": "#8C564B", "civilians": "#9467BD", "other": "#7F7F7F", "unknown": "#BBBBBB",
}
_FALLBACK_COLORS = ["#17BECF", "#BCBD22", "#FF9896", "#AEC7E8", "#C49C94", "#F7B6D2"]
_RC = {"svg.fonttype": "none",  # text stays text in the SVG: searchable, selectable, testable
       "font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 13, "axes.titleweight": "bold",
       "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
       "axes.axisbelow": True}


@dataclass(frozen=True)
class Coverage:
    """What a chart covers: first and last event date and how many events."""
    first: dt.date | None
    last: dt.date | None
    events: int
    note: str = ""

    @property
    def caption(self) -> str:
        first = self.first.isoformat() if self.first else "n/a"
        last = self.last.isoformat() if self.last else "n/a"
        text = f"Data: {first} to {last}, {self.events:,} events"
        return f"{text} ({self.note})" if self.note else text


@dataclass
class Chart:
    name: str
    title: str
    xlabel: str
    ylabel: str
    coverage: Coverage
    description: str
    svg: str = ""
    png: bytes = b""
    table_columns: list[str] = field(default_factory=list)
    table_rows: list[tuple] = field(default_factory=list)


@dataclass
class Report:
    charts: list[Chart]
    summary: dict
    generated_at: str


# ---------------------------------------------------------------- queries

def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _coverage(con, where: str = "TRUE", note: str = "", table: str = "fact_events",
              date_col: str = "event_date", count_expr: str = "count(*)") -> Coverage:
    first, last, n = con.execute(f"SELECT min({date_col}), max({date_col}), {count_expr} FROM {table} "
                                 f"WHERE {date_col} IS NOT NULL AND ({where})").fetchone()
    return Coverage(first, last, int(n or 0), note)


GAP_MONTHS = 24  # a stretch this long without data splits a time series into separate periods


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def main_period(period_counts: dict[dt.date, int]) -> tuple[dt.date, dt.date] | None:
    """First and last period of the run of periods (no gap over GAP_MONTHS) holding the most events.

    Time-series charts show this run, so one stray date (a 1982 massacre recalled in a 2016 article) does not
    squeeze seven years of war into the right edge of a 35-year axis; the caption says what was left out."""
    periods = sorted(p for p, n in period_counts.items() if n)
    if not periods:
        return None
    runs, current = [], [periods[0]]
    for previous, period in zip(periods, periods[1:]):
        if _month_index(period) - _month_index(previous) > GAP_MONTHS:
            runs.append(current)
            current = []
        current.append(period)
    runs.append(current)
    best = max(runs, key=lambda run: (sum(period_counts[p] for p in run), run[-1]))
    return best[0], best[-1]


def _windowed_coverage(con, where: str, window: tuple[dt.date, dt.date] | None, months_per_period: int,
                       note: str = "", table: str = "fact_events", date_col: str = "event_date",
                       count_expr: str = "count(*)") -> Coverage:
    """Coverage of the events inside the chart's period, noting those outside it."""
    if window is None:
        return _coverage(con, where, note, table, date_col, count_expr)
    start, end = window[0], _add_months(window[1], months_per_period)
    inside = f"({where}) AND {date_col} >= DATE '{start}' AND {date_col} < DATE '{end}'"
    outside = f"({where}) AND ({date_col} < DATE '{start}' OR {date_col} >= DATE '{end}')"
    shown = _coverage(con, inside, note, table, date_col, count_expr)
    left_out = con.execute(f"SELECT {count_expr}, string_agg(DISTINCT {date_col}::VARCHAR, ', ' ORDER BY "
                           f"{date_col}::VARCHAR) FROM {table} WHERE {date_col} IS NOT NULL AND {outside}").fetchone()
    if left_out[0]:
        dates = left_out[1].split(", ")
        listed = ", ".join(dates[:3]) + (", ..." if len(dates) > 3 else "")
        extra = f"{left_out[0]:,} event{'s' if left_out[0] > 1 else ''} outside this period not shown: {listed}"
        note = f"{note}; {extra}" if note else extra
    return Coverage(shown.first, shown.last, shown.events, note)


def _in_window(period: dt.date, window: tuple[dt.date, dt.date] | None) -> bool:
    return window is None or window[0] <= period <= window[1]


def summary_numbers(con) -> dict:
    one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
    first, last, events = one("SELECT min(event_date), max(event_date), count(*) FROM fact_events")
    return {
        "articles": one("SELECT count(*) FROM raw_articles")[0],
        "events": events,
        "first_event": first.isoformat() if first else None,
        "last_event": last.isoformat() if last else None,
        "fatalities_best": int(one("SELECT coalesce(sum(fatalities_best), 0) FROM fact_events")[0]),
        "casualty_claims": one("SELECT count(*) FROM fact_casualty_claims")[0],
        "control_changes": one("SELECT count(*) FROM fact_control_changes")[0],
        "infighting_incidents": int(one("SELECT coalesce(sum(incidents), 0) FROM infighting_incidents_monthly")[0]),
        "events_with_coordinates": one("SELECT count(*) FROM fact_events WHERE latitude IS NOT NULL "
                                       "AND longitude IS NOT NULL")[0],
    }


# ---------------------------------------------------------------- chart helpers

def _new_figure(width: float, height: float) -> tuple[Figure, "plt.Axes"]:
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def _finish(fig: Figure, ax, chart: Chart, legend: bool = True, legend_kw: dict | None = None) -> None:
    ax.set_title(chart.title, loc="left", pad=12)
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(**({"frameon": False, "fontsize": 9} | (legend_kw or {})))
    fig.text(0.01, 0.012, chart.coverage.caption, ha="left", va="bottom", fontsize=9, color="#444444")
    fig.tight_layout(rect=(0, 0.045, 1, 1))


def _month_axis(ax, months: list[dt.date]) -> None:
    if months:
        ax.set_xlim(_add_months(min(months), -1), _add_months(max(months), 2))
    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _color(palette: dict, key: str, index: int) -> str:
    return palette.get(key) or _FALLBACK_COLORS[index % len(_FALLBACK_COLORS)]


def _stacked_bars(ax, periods: list[dt.date], series: dict[str, dict[dt.date, int]], palette: dict,
                  width_days: float) -> None:
    """Stacked bars, one collection of rectangles per series: drawn as thousands of bar patches, two charts of
    months took 2 s at 100,000 articles. Empty bars are left out (they draw nothing)."""
    bottom = {p: 0 for p in periods}
    ax.xaxis_date()
    for i, (key, values) in enumerate(series.items()):
        rectangles = []
        for period, left in zip(periods, mdates.date2num(periods) if periods else []):
            height = values.get(period, 0)
            if height:
                low = bottom[period]
                rectangles.append([(left, low), (left + width_days, low), (left + width_days, low + height),
                                   (left, low + height)])
                bottom[period] += height
        bars = PolyCollection(rectangles, facecolors=_color(palette, key, i), edgecolors="none", linewidths=0,
                              label=key)
        bars.sticky_edges.y.append(0)  # as bars: the axis starts at zero, no margin below
        ax.add_collection(bars)
    ax.autoscale_view()


def _shorten(text: str | None, limit: int = 34) -> str:
    text = text or "(none)"
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------- the charts

def infighting_chart(con) -> Chart:
    rows = _rows(con, "SELECT month, admin1, incidents FROM infighting_incidents_monthly ORDER BY month, admin1")
    per_month = Counter()
    for month, _, n in rows:
        per_month[month] += n
    window = main_period(per_month)
    rows = [r for r in rows if _in_window(r[0], window)]
    chart = Chart("infighting_monthly", "Rebel infighting incidents per month", "Month", "Incidents (events)",
                  _windowed_coverage(con, "is_infighting", window, 1),
                  "Events whose two actors were both on the rebels side at the event date (e.g. Islamic State "
                  "against other opposition groups), per month, stacked by governorate.",
                  table_columns=["month", "admin1", "incidents"], table_rows=rows)
    totals = Counter()
    for _, admin1, n in rows:
        totals[admin1] += n
    top = [name for name, _ in totals.most_common(6)]
    series: dict[str, dict] = {}
    for month, admin1, n in rows:
        key = admin1 if admin1 in top else "other governorates"
        series.setdefault(key, Counter())[month] += n
    months = sorted({r[0] for r in rows})
    fig, ax = _new_figure(10, 4.6)
    palette = dict(zip(top, ["#2E8B57", "#D55E00", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9"])) | \
        {"other governorates": "#999999"}
    _stacked_bars(ax, months, series, palette, width_days=27)
    _month_axis(ax, months)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if not rows:
        ax.text(0.5, 0.5, "no infighting incidents in the data", transform=ax.transAxes, ha="center")
    _finish(fig, ax, chart, legend_kw={"title": "Governorate", "title_fontsize": 9, "loc": "upper left",
                                       "bbox_to_anchor": (1.01, 1.0)})
    return _render(fig, chart)


def events_by_type_chart(con) -> Chart:
    rows = _rows(con, "SELECT month, event_type, events FROM events_monthly_by_type ORDER BY month, event_type")
    per_month = Counter()
    for month, _, n in rows:
        per_month[month] += n
    window = main_period(per_month)
    rows = [r for r in rows if _in_window(r[0], window)]
    chart = Chart("events_by_type_monthly", "Events by type per month", "Month", "Events",
                  _windowed_coverage(con, "TRUE", window, 1),
                  "All dated events per month, stacked by ACLED event type.",
                  table_columns=["month", "event_type", "events"], table_rows=rows)
    series: dict[str, dict] = {t: {} for t in EVENT_TYPE_COLORS}
    for month, event_type, n in rows:
        series.setdefault(event_type, {})[month] = n
    series = {k: v for k, v in series.items() if v}
    months = sorted({r[0] for r in rows})
    fig, ax = _new_figure(10, 4.8)
    _stacked_bars(ax, months, series, EVENT_TYPE_COLORS, width_days=27)
    _month_axis(ax, months)
    _finish(fig, ax, chart, legend_kw={"loc": "upper left"})
    return _render(fig, chart)


def fatalities_chart(con) -> Chart:
    rows = _rows(con, """
        SELECT admin1, sum(fatalities_low) AS low, sum(fatalities_best) AS best, sum(fatalities_high) AS high,
               sum(events) AS events
        FROM casualties_monthly_by_admin1 GROUP BY admin1 ORDER BY best, admin1""")
    rows = [(a, int(lo), int(b), int(hi), int(n)) for a, lo, b, hi, n in rows]
    chart = Chart("fatalities_by_governorate", "Reported fatalities by governorate (low / best / high)",
                  "Fatalities (sum over events)", "Governorate",
                  _coverage(con),
                  "Sum over events of the reconciled best estimate (bar) and of each event's lowest and highest "
                  "source claim (whisker). 'unknown': the place was not resolved to a governorate.",
                  table_columns=["admin1", "fatalities_low", "fatalities_best", "fatalities_high", "events"],
                  table_rows=list(reversed(rows)))
    fig, ax = _new_figure(10, max(4.0, 0.42 * len(rows) + 1.6))
    names = [r[0] for r in rows]
    best = [r[2] for r in rows]
    err = [[max(r[2] - r[1], 0) for r in rows], [max(r[3] - r[2], 0) for r in rows]]
    ax.barh(names, best, color="#0072B2", height=0.6, label="best estimate")
    ax.errorbar(best, names, xerr=err, fmt="none", ecolor="#222222", elinewidth=1.2, capsize=3,
                label="low to high range")
    top = max([r[3] for r in rows], default=0)
    for name, _, b, lo_hi, _ in rows:
        ax.text(lo_hi + top * 0.01, name, f"{b:,}", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, top * 1.12 if top else 1)
    ax.grid(axis="y", visible=False)
    _finish(fig, ax, chart, legend_kw={"loc": "lower right"})
    return _render(fig, chart)


def control_changes_chart(con) -> Chart:
    rows = _rows(con, """
        SELECT date_trunc('quarter', valid_from)::DATE AS quarter, side, count(*) AS changes
        FROM control_timeline WHERE kind = 'change' GROUP BY ALL ORDER BY quarter, side""")
    per_quarter = Counter()
    for quarter, _, n in rows:
        per_quarter[quarter] += n
    window = main_period(per_quarter)
    rows = [r for r in rows if _in_window(r[0], window)]
    n_changes = sum(r[2] for r in rows)
    chart = Chart("control_changes_by_side", "Territorial control changes per quarter, by side gaining control",
                  "Quarter", "Places changing hands",
                  _windowed_coverage(con, "to_side IS NOT NULL", window, 3, note=f"{n_changes:,} control changes",
                                     table="fact_control_changes", date_col="change_date",
                                     count_expr="count(DISTINCT event_id)"),
                  "Each reported change of control (full or partial), counted in the quarter it happened and "
                  "coloured by the side that took the place.",
                  table_columns=["quarter", "side", "changes"], table_rows=rows)
    totals = Counter()
    for _, side, n in rows:
        totals[side] += n
    series: dict[str, dict] = {side: {} for side, _ in totals.most_common()}
    for quarter, side, n in rows:
        series[side][quarter] = n
    quarters = sorted({r[0] for r in rows})
    fig, ax = _new_figure(10, 4.6)
    _stacked_bars(ax, quarters, series, SIDE_COLORS, width_days=85)
    _month_axis(ax, quarters)
    if quarters:
        ax.set_xlim(_add_months(min(quarters), -2), _add_months(max(quarters), 5))
    ax.yaxis.get_major_locator().set_params(integer=True)
    _finish(fig, ax, chart, legend_kw={"title": "Side gaining control", "title_fontsize": 9, "loc": "upper left"})
    return _render(fig, chart)


def _outline_rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _marker_area(events: int) -> float:
    """Marker area in points^2, proportional to the number of events at the point."""
    return 8 + 3 * events


def event_map_chart(con, boundaries: Path = BOUNDARIES) -> Chart:
    points = _rows(con, """
        SELECT round(longitude, 3) AS lon, round(latitude, 3) AS lat, event_type, count(*) AS events
        FROM fact_events WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY ALL""")
    missing = con.execute("SELECT count(*) FROM fact_events WHERE latitude IS NULL OR longitude IS NULL").fetchone()[0]
    chart = Chart("event_map", "Where events happened (by coordinates)", "Longitude (°E)", "Latitude (°N)",
                  _coverage(con, "latitude IS NOT NULL AND longitude IS NOT NULL",
                            note=f"{missing:,} events without coordinates not shown"),
                  "One circle per distinct point; its area is proportional to the number of events there and "
                  "its colour is the most frequent event type at that point. Grey outlines: OCHA COD-AB "
                  "governorates (simplified).")
    by_point: dict[tuple, Counter] = {}
    for lon, lat, event_type, n in points:
        by_point.setdefault((lon, lat), Counter())[event_type] += n
    features = json.loads(Path(boundaries).read_text(encoding="utf-8"))["features"]
    fig, ax = _new_figure(9.5, 8.6)
    from shapely.geometry import shape  # local: only the map needs it
    for feature in features:
        for ring in _outline_rings(feature["geometry"]):
            ax.add_patch(Polygon(ring, closed=True, facecolor="#F2F0EB", edgecolor="#8A8A8A", linewidth=0.8,
                                 zorder=1))
        label_at = shape(feature["geometry"]).representative_point()
        ax.text(label_at.x, label_at.y, feature["properties"]["admin1"], fontsize=8, color="#4A4A4A",
                ha="center", va="center", zorder=4, style="italic",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.65})
    ordered = sorted(by_point.items(), key=lambda item: -sum(item[1].values()))
    for (lon, lat), types in ordered:
        total = sum(types.values())
        dominant = types.most_common(1)[0][0]
        ax.scatter([lon], [lat], s=_marker_area(total), color=EVENT_TYPE_COLORS.get(dominant, "#333333"),
                   alpha=0.55, edgecolors="white", linewidths=0.5, zorder=3)
    chart.table_columns = ["longitude", "latitude", "events", "most frequent type"]
    chart.table_rows = [(lon, lat, sum(t.values()), t.most_common(1)[0][0]) for (lon, lat), t in ordered]
    ax.set_xlim(35.5, 42.5)
    ax.set_ylim(32.2, 37.5)
    ax.set_aspect(1 / math.cos(math.radians(35)))
    ax.grid(alpha=0.15)
    present = [t for t in EVENT_TYPE_COLORS if any(t in c for c in by_point.values())]
    type_handles = [Line2D([], [], marker="o", linestyle="", markersize=8, color=EVENT_TYPE_COLORS[t], alpha=0.7,
                           label=t) for t in present]
    size_handles = [Line2D([], [], marker="o", linestyle="", color="#999999", alpha=0.5,
                           markersize=math.sqrt(_marker_area(n)), label=f"{n:,} event{'s' if n > 1 else ''}")
                    for n in (1, 10, 100, 300)]
    first = ax.legend(handles=type_handles, title="Most frequent event type", loc="upper left", fontsize=8,
                      title_fontsize=8, frameon=True, framealpha=0.9)
    ax.add_artist(first)
    ax.legend(handles=size_handles, title="Events at the point", loc="lower right", fontsize=8, title_fontsize=8,
              frameon=True, framealpha=0.9, labelspacing=2.4, borderpad=1.4, handletextpad=1.8)
    _finish(fig, ax, chart, legend=False)
    return _render(fig, chart)


def dyads_chart(con, top: int = 15) -> Chart:
    rows = _rows(con, f"""
        WITH pairs AS (
            SELECT least(actor1, actor2) AS pair_a, greatest(actor1, actor2) AS pair_b, actor1, actor2,
                   is_infighting, events, fatalities_best
            FROM actor_dyads),
        shown AS (  -- show each pair in the direction it was reported most often
            SELECT pair_a, pair_b, actor1, actor2,
                   row_number() OVER (PARTITION BY pair_a, pair_b ORDER BY events DESC, actor1) AS rank
            FROM pairs)
        SELECT s.actor1, s.actor2, bool_or(p.is_infighting) AS infighting, sum(p.events) AS events,
               sum(p.fatalities_best) AS fatalities
        FROM pairs p JOIN shown s ON s.pair_a = p.pair_a AND s.pair_b = p.pair_b AND s.rank = 1
        GROUP BY s.actor1, s.actor2
        ORDER BY events DESC, fatalities DESC, s.actor1, s.actor2 LIMIT {int(top)}""")
    rows = [(a, b, bool(inf), int(n), int(f or 0)) for a, b, inf, n, f in rows]
    chart = Chart("top_actor_dyads", f"Top {top} actor dyads by number of events", "Events", "Actor pair",
                  _coverage(con, "actor1 IS NOT NULL AND actor2 IS NOT NULL", note="events naming two actors"),
                  "Pairs of actors named together in an event (either order, shown in the order reported most "
                  "often), with the events' reconciled deaths. Red: rebel infighting (both actors rebels).",
                  table_columns=["actor1", "actor2", "infighting", "events", "fatalities_best"], table_rows=rows)
    rows_plot = list(reversed(rows))
    labels = [f"{_shorten(a, 46)} — {_shorten(b, 46)}" for a, b, *_ in rows_plot]
    fig, ax = _new_figure(10, max(4.0, 0.36 * len(rows) + 1.6))
    colors = ["#C0392B" if inf else "#4C72B0" for _, _, inf, _, _ in rows_plot]
    ax.barh(range(len(rows_plot)), [r[3] for r in rows_plot], color=colors, height=0.65)
    ax.set_yticks(range(len(rows_plot)), labels, fontsize=8)
    most = max([r[3] for r in rows_plot], default=0)
    for i, (_, _, _, n, f) in enumerate(rows_plot):
        ax.text(n + most * 0.01, i, f"{n:,} events · {f:,} killed", va="center", fontsize=8, color="#333333")
    ax.set_xlim(0, most * 1.38 if most else 1)
    ax.grid(axis="y", visible=False)
    handles = [Patch(color="#4C72B0", label="other dyads")]
    if any(r[2] for r in rows):
        handles.append(Patch(color="#C0392B", label="rebel infighting"))
    ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=9)
    _finish(fig, ax, chart, legend=False)
    return _render(fig, chart)


CHART_BUILDERS = (infighting_chart, events_by_type_chart, fatalities_chart, control_changes_chart, event_map_chart,
                  dyads_chart)


# ---------------------------------------------------------------- rendering

def _render(fig: Figure, chart: Chart) -> Chart:
    """Render a figure to SVG (text kept as text) and PNG; deterministic ids per chart."""
    with plt.rc_context(_RC | {"svg.hashsalt": f"sitrep-{chart.name}"}):
        svg_buffer = io.StringIO()
        fig.savefig(svg_buffer, format="svg", metadata={"Date": None})
        png_buffer = io.BytesIO()
        fig.savefig(png_buffer, format="png", dpi=PNG_DPI, facecolor="white")
    chart.svg = inline_svg(svg_buffer.getvalue(), chart)
    chart.png = png_buffer.getvalue()
    return chart


def build_charts(con: duckdb.DuckDBPyConnection, boundaries: Path = BOUNDARIES) -> list[Chart]:
    with plt.rc_context(_RC):
        charts = []
        for builder in CHART_BUILDERS:
            charts.append(builder(con, boundaries) if builder is event_map_chart else builder(con))
    return charts


def inline_svg(svg: str, chart: Chart) -> str:
    """matplotlib's SVG document made fit to inline in HTML: no prolog, DOCTYPE, metadata or namespace URLs
    (the HTML parser supplies SVG's namespaces), scaled to the page width, labelled for screen readers."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    root = re.match(r"<svg\b[^>]*>", svg).group(0)
    new_root = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", root)
    new_root = re.sub(r'\s(width|height)="[^"]*"', "", new_root)
    new_root = new_root[:-1] + (f' width="100%" preserveAspectRatio="xMidYMid meet" role="img" class="chart" '
                                f'data-chart="{chart.name}" aria-label="{html.escape(chart.title)}">')
    return new_root + svg[len(root):].rstrip() + "\n"


def build_report(con: duckdb.DuckDBPyConnection, boundaries: Path = BOUNDARIES,
                 generated_at: str | None = None) -> Report:
    return Report(charts=build_charts(con, boundaries), summary=summary_numbers(con),
                  generated_at=generated_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


_CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; background: #f4f4f1;
       color: #222; line-height: 1.45; }
header, main, footer { max-width: 1060px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.lede { color: #555; margin: 0 0 16px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 0 0 16px;
         padding: 0; list-style: none; }
.stats li { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.stats b { display: block; font-size: 20px; }
nav ol { margin: 0 0 8px; padding-left: 22px; columns: 2; }
figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 18px 0; padding: 14px 16px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: #444; font-size: 14px; margin-top: 8px; }
details { margin-top: 6px; font-size: 13px; }
table { border-collapse: collapse; margin-top: 6px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 2px 10px 2px 0; text-align: left; }
td.num { text-align: right; }
footer { color: #666; font-size: 13px; padding-bottom: 30px; }
"""


def _table_html(chart: Chart, limit: int = 60) -> str:
    if not chart.table_rows:
        return ""
    def cell(value) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<td class="num">{value:,}</td>' if isinstance(value, int) else f'<td class="num">{value}</td>'
        return f"<td>{html.escape(str(value))}</td>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in chart.table_columns)
    body = "\n".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in chart.table_rows[:limit])
    more = (f"<p>First {limit} of {len(chart.table_rows):,} rows.</p>" if len(chart.table_rows) > limit else "")
    return (f"<details><summary>The numbers behind this chart</summary><table><thead><tr>{head}</tr></thead>"
            f"<tbody>\n{body}\n</tbody></table>{more}</details>")


def report_html(report: Report) -> str:
    s = report.summary
    stats = [("articles", s["articles"]), ("events", s["events"]), ("fatalities (best)", s["fatalities_best"]),
             ("casualty claims", s["casualty_claims"]), ("control changes", s["control_changes"]),
             ("infighting incidents", s["infighting_incidents"])]
    nav = "\n".join(f'<li><a href="#{c.name}">{html.escape(c.title)}</a></li>' for c in report.charts)
    figures = []
    for c in report.charts:
        figures.append(f"""<figure id="{c.name}">
{c.svg}<figcaption>{html.escape(c.description)}
PNG: <a href="{c.name}.png">{c.name}.png</a>.
{_table_html(c)}</figcaption>
</figure>""")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sitrep: Syrian war situation report, {s['first_event']} to {s['last_event']}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>sitrep: Syrian war situation report</h1>
<p class="lede">Events extracted from news articles, coded in ACLED's taxonomy. Data: {s['first_event']} to
{s['last_event']}, {s['events']:,} events ({s['events_with_coordinates']:,} with coordinates). Generated
{html.escape(report.generated_at)}.</p>
<ul class="stats">
{"".join(f"<li><b>{v:,}</b>{html.escape(k)}</li>" for k, v in stats)}
</ul>
<nav><ol>
{nav}
</ol></nav>
</header>
<main>
{"".join(figures)}
</main>
<footer>
<p>Counts are what the news corpus reports, extracted by rules, not a census. Fatalities: best = the most
reliable monitor's claim (else the median of the claims), low / high = the lowest / highest claim.
Sides are the actor registry's at the event date. Governorate outlines: OCHA COD-AB (simplified).
Articles: FA-KES (Abu Salem et al., ICWSM 2019, CC BY 4.0) and the seed article.</p>
</footer>
</body>
</html>
"""


EXTERNAL_REFERENCE = re.compile(r"""https?://|(?:src|href)\s*=\s*["']?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


def external_references(page: str) -> list[str]:
    """Anything in the page that would make a browser reach the network (should be empty)."""
    return [m.group(0) for m in EXTERNAL_REFERENCE.finditer(page)]


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """Write sitrep.html and one PNG per chart into out_dir; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = report_html(report)
    leaks = external_references(page)
    if leaks:
        raise ValueError(f"report would load external resources: {leaks[:5]}")
    paths = {}
    for chart in report.charts:
        png = out / f"{chart.name}.png"
        png.write_bytes(chart.png)
        paths[chart.name] = png
    html_path = out / REPORT_FILE
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html_path)
    paths["html"] = html_path
    return paths


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG from its IHDR chunk, or None when it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
