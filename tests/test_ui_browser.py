"""End to end through a real browser: `dagster dev` on a free loopback port, driven by Debian's Chromium.

A small warehouse is built first (the seed article only, recorded in a temp DAGSTER_HOME so the UI has
materializations and check results to show), then `dagster dev` serves the project and headless Chromium
(Selenium + Debian's chromedriver, no browser downloads) opens the asset graph, reads the fact assets and
their checks off the page, launches a materialization of dim_source from its page and waits for the run to
succeed. Screenshots go to screenshots/ (git-ignored; SITREP_SCREENSHOTS to change).

Skips, saying why, when Chromium or chromedriver is missing (SITREP_CHROMIUM / SITREP_CHROMEDRIVER override
/usr/bin/chromium and /usr/bin/chromedriver) or selenium is not installed. `make ui-test` installs them.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from dagster import DagsterInstance

PROJECT = Path(__file__).resolve().parent.parent
SEED_FILE = PROJECT / "seeds" / "articles" / "000_af55ad7c63556384.txt"
CHROMIUM = os.environ.get("SITREP_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SITREP_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("SITREP_SCREENSHOTS") or PROJECT / "screenshots")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_TIMEOUT = 120  # seconds for dagster dev to serve the loaded code location
RUN_TIMEOUT = 90      # seconds for the UI-launched run to finish
UI_TIMEOUT = 30       # seconds for any one thing to appear on a page
GROUPS = ("reference", "ingest", "entities", "facts", "views", "outputs")
FACTS = ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations")
MATERIALIZED_FROM_UI = "dim_source"

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None


def why_no_browser() -> str | None:
    """The reason this machine cannot run the test, or None."""
    for what, path in (("Chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return (f"browser test skipped: {what} not found at {path}; install them with `apt-get install chromium "
                    f"chromium-driver` (`make ui-test` does), or point SITREP_CHROMIUM / SITREP_CHROMEDRIVER at them")
    if webdriver is None:
        return "browser test skipped: selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    """Runs before the module's other fixtures: no warehouse, no server when there is no browser."""
    reason = why_no_browser()
    if reason:
        pytest.skip(reason)


# --- the server -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """Temp articles folder (the seed article and its manifest line), warehouse and DAGSTER_HOME."""
    root = tmp_path_factory.mktemp("ui")
    articles, home = root / "articles", root / "dagster_home"
    articles.mkdir()
    home.mkdir()
    shutil.copy(SEED_FILE, articles / SEED_FILE.name)
    (articles / "manifest.csv").write_text(f"file,published,outlet,url\n{SEED_FILE.name},2013-11-13,Arutz Sheva,\n")
    # nux: the "Join the Dagster community" dialog a first visit shows over every page.
    (home / "dagster.yaml").write_text("nux:\n  enabled: false\ntelemetry:\n  enabled: false\n")
    # Dagster creates and stamps its SQLite storage on first use; dagster dev and the headless run starting at
    # once on a fresh home could both stamp it ("alembic_version has more than one head"), so create it here.
    with DagsterInstance.from_config(str(home)):
        pass
    return {**os.environ, "SITREP_ARTICLES": str(articles), "SITREP_WAREHOUSE": str(root / "warehouse.duckdb"),
            "DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def build_warehouse(env: dict[str, str]) -> None:
    """sitrep_job run headless into the temp instance, as `make run` does, so the UI has runs to show."""
    done = subprocess.run([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^checks\s+\d+ passed, 0 failed$", done.stdout, re.M), done.stdout[-2000:]


class Server:
    def __init__(self, base: str, process: subprocess.Popen, log: Path):
        self.base, self.process, self.log = base, process, log
        self.location = ""  # the code location's name, once loaded

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(f"{self.base}/graphql", data=json.dumps(
            {"query": query, "variables": variables or {}}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = json.load(response)
        assert "errors" not in payload, payload["errors"]
        return payload["data"]

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


LOCATION_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def wait_until_served(server: Server) -> str:
    """Poll /server_info, then the workspace, until the code location is loaded; its name."""
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"dagster dev exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base}/server_info", timeout=5) as response:
                json.load(response)
            for entry in server.graphql(LOCATION_QUERY)["workspaceOrError"]["locationEntries"]:
                loaded = entry["locationOrLoadError"]
                if loaded and loaded["__typename"] == "PythonError":
                    pytest.fail(f"code location {entry['name']} failed to load: {loaded['message']}")
                if entry["loadStatus"] == "LOADED" and loaded and loaded["__typename"] == "RepositoryLocation":
                    return entry["name"]
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        time.sleep(0.5)
    pytest.fail(f"dagster dev did not serve the project within {SERVER_TIMEOUT}s:\n{server.log_tail()}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM dagster dev (it stops its webserver, daemon and code servers), then SIGKILL what is left of
    its process group: the group is ours, started with start_new_session."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(env, tmp_path_factory) -> Server:
    """dagster dev on a free port; the warehouse is built while it boots (a `make run` beside `make ui`)."""
    port = free_port()
    log = tmp_path_factory.mktemp("dagster_dev") / "dagster_dev.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port),
                                    "-m", "orchestration.definitions"], cwd=PROJECT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    running = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        build_warehouse(env)
        running.location = wait_until_served(running)
        yield running
    finally:
        stop(process)


# --- the browser ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium_profile')}",
                                  "--window-size=1600,1100"]:
        options.add_argument(flag)
    # A Service path means Selenium Manager never runs: nothing is looked up or downloaded.
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver, condition, message: str, timeout: float = UI_TIMEOUT):
    """WebDriverWait that retries through React re-renders (stale elements) and names what it waited for."""
    def attempt(d):
        try:
            return condition(d)
        except StaleElementReferenceException:
            return False
    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(attempt, message)


def visible(driver, xpath: str) -> list:
    return [element for element in driver.find_elements(By.XPATH, xpath) if element.is_displayed()]


def text_is(text: str) -> str:
    return f"normalize-space(.)='{text}'"


def graph_label(name: str) -> str:
    """A node label drawn in the asset graph (an SVG foreignObject), not the sidebar or a list."""
    return f"//*[local-name()='foreignObject']//*[{text_is(name)} and not(*[{text_is(name)}])]"


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def no_spinners(driver) -> bool:
    return not visible(driver, f"//*[{text_is('Loading...')}]")


def shoot(driver, name: str) -> Path:
    path = SCREENSHOTS / name
    assert driver.save_screenshot(str(path)), path
    return path


@contextmanager
def screenshot_on_failure(driver, name: str):
    try:
        yield
    except BaseException:
        try:
            shoot(driver, f"FAILED_{name}.png")
        except WebDriverException:
            pass
        raise


def open_page(driver, server: Server, path: str, height: int = 1100) -> None:
    driver.set_window_size(1600, height)
    driver.get(server.base + path)


# --- the tests ------------------------------------------------------------------------------------------

def test_asset_graph_shows_the_layer_groups_and_the_fact_assets_with_checks(server, browser):
    with screenshot_on_failure(browser, "asset_graph"):
        open_page(browser, server, "/asset-groups")
        for group in GROUPS:
            wait(browser, lambda d: visible(d, graph_label(group)), f"group {group} in the global asset graph")
        wait(browser, lambda d: "fetching statuses" not in page_text(d), "the groups' asset statuses")
        shoot(browser, "ui_01_global_lineage.png")

        # Tall enough that the graph draws all four fact nodes (it renders only what is in view).
        open_page(browser, server, f"/locations/{server.location}/asset-groups/facts", height=2000)
        for fact in FACTS:
            wait(browser, lambda d: visible(d, graph_label(fact)), f"{fact} node in the facts group graph")
        wait(browser, no_spinners, "asset nodes' live data (materializations, checks)")
        for fact in FACTS:
            node = browser.find_element(By.XPATH, graph_label(fact) + "/ancestor::*[local-name()='foreignObject'][1]")
            wait(browser, lambda d: "Passed" in node.text and "Materialized" in node.text,
                 f"{fact} node showing its passed checks and materialization")
            assert {"DuckDB", "Polars"} <= set(node.text.splitlines()), node.text
        shoot(browser, "ui_02_facts_group_lineage.png")


def defined_checks(asset: str) -> dict[str, str]:
    """The checks the code location defines on an asset, name to description: what the UI must list."""
    from orchestration.definitions import defs
    graph = defs.resolve_asset_graph()
    return {key.name: graph.get_check_spec(key).description or "" for key in graph.asset_check_keys
            if key.asset_key.to_user_string() == asset}


@pytest.mark.parametrize("asset, shown, screenshot", [
    ("fact_events", "event_points_inside_governorate", "ui_04_fact_events_checks.png"),
    ("fact_casualty_claims", "claims_reference_events", "ui_05_fact_casualty_claims_checks.png"),
])
def test_fact_checks_are_listed_with_their_results(server, browser, asset, shown, screenshot):
    expected = defined_checks(asset)
    assert {f"{asset}_schema", shown} <= set(expected), expected
    with screenshot_on_failure(browser, f"{asset}_checks"):
        if asset == "fact_events":  # its overview first: description, metadata, owners, kinds
            open_page(browser, server, f"/assets/{asset}")
            wait(browser, lambda d: all(text in page_text(d) for text in (
                "One row per event", "Row count", "preview", "events_by_type", "DuckDB", "Polars", "sitrep")),
                 "fact_events description, owner, kinds and its materialization's metadata")
            wait(browser, no_spinners, "fact_events overview loaded")
            shoot(browser, "ui_03_fact_events_overview.png")
        open_page(browser, server, f"/assets/{asset}?view=checks")
        wait(browser, lambda d: f"Checks ({len(expected)})" in page_text(d), f"{len(expected)} checks on {asset}")
        for check in sorted(expected, key=lambda name: name == shown):  # the one to show last
            # Long names are middle-truncated in the list; the full name sits in a hidden measure div.
            row = wait(browser, lambda d: d.find_element(By.XPATH, f"//*[{text_is(check)}]/parent::*"),
                       f"{check} in the checks list")
            row.click()
            wait(browser, lambda d: visible(d, f"//span[{text_is(check)}]"), f"{check} detail heading")
            wait(browser, lambda d: expected[check] in page_text(d), f"{check} description in its detail")
            wait(browser, lambda d: "Evaluation result\nPassed" in page_text(d), f"{check} evaluation: Passed")
        assert f"checkDetail={shown}" in browser.current_url
        shoot(browser, screenshot)


RUNS_QUERY = """{ runsOrError { ... on Runs { results { runId status assetSelection { path } } } } }"""
LATEST_MATERIALIZATION = """query ($key: AssetKeyInput!) { assetOrError(assetKey: $key) {
    ... on Asset { assetMaterializations(limit: 1) { runId } } } }"""


def runs(server: Server) -> dict[str, dict]:
    return {run["runId"]: run for run in server.graphql(RUNS_QUERY)["runsOrError"]["results"]}


def test_materialize_an_asset_from_its_page_and_the_run_succeeds(server, browser):
    before = set(runs(server))
    with screenshot_on_failure(browser, "materialize"):
        open_page(browser, server, f"/assets/{MATERIALIZED_FROM_UI}")

        def click_materialize(d) -> bool:  # the button renders disabled until the asset's data has loaded
            buttons = [b for b in visible(d, f"//button[{text_is('Materialize')}]") if b.is_enabled()]
            if buttons:
                buttons[0].click()
            return bool(buttons)
        wait(browser, click_materialize, f"an enabled Materialize button on {MATERIALIZED_FROM_UI}'s page")
        toast = wait(browser, lambda d: re.search(r"Launched run ([0-9a-f]{8})", page_text(d)), "'Launched run' toast")
        shoot(browser, "ui_06_materialize_launched.png")

        launched = wait(browser, lambda d: set(runs(server)) - before, "the launched run in the instance")
        assert len(launched) == 1, launched
        run_id = launched.pop()
        assert run_id.startswith(toast.group(1)), (run_id, toast.group(0))
        assert runs(server)[run_id]["assetSelection"] == [{"path": [MATERIALIZED_FROM_UI]}]

        def finished(d) -> str | None:
            status = runs(server)[run_id]["status"]
            return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None
        status = wait(browser, finished, f"run {run_id} to finish", timeout=RUN_TIMEOUT)
        assert status == "SUCCESS", f"run {run_id} ended {status}:\n{server.log_tail()}"
        latest = server.graphql(LATEST_MATERIALIZATION, {"key": {"path": [MATERIALIZED_FROM_UI]}})
        assert latest["assetOrError"]["assetMaterializations"][0]["runId"] == run_id

        open_page(browser, server, f"/runs/{run_id}")
        wait(browser, lambda d: visible(d, f"//*[{text_is('Success')}]"), "the run page's Success tag")
        wait(browser, lambda d: "RUN_SUCCESS" in page_text(d), "RUN_SUCCESS in the run's event log")
        shoot(browser, "ui_07_materialize_run_success.png")
