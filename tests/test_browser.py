"""The HTML page in a real browser: Debian's chromium, driven by selenium through chromium-driver, with the
network off. The page must load without a console error, its search must find an op inside a function
another calls and link to it, and a hostile name must show as text. A screenshot of each page is kept
in the test's folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from fixtures import catalog
from inspector.render.html import SEARCH_SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and DRIVER):
        pytest.skip(
            "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    # No network at all: the page must need none.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


def _open(browser: Any, page: Path, shot: Path) -> list[dict[str, Any]]:
    browser.get(page.as_uri())
    browser.save_screenshot(str(shot))
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_report_page_loads_offline_and_its_search_links_to_an_op_in_a_called_function(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "report.html"
    assert (
        run_cli(
            "report", catalog.get("custom_ops").path, "--whitelist", "Acme", "--format", "html", "-o", page
        ).code
        == 1
    )
    assert _open(browser, page, tmp_path / "report.png") == []
    box = browser.find_element(By.ID, "inspector-search")
    box.send_keys("Beta>Shift@")  # the flagged op, in postprocess, which the serving function calls
    links = browser.find_elements(By.CSS_SELECTOR, "#inspector-hit-list a")
    assert links and "__inference_postprocess_" in links[0].text
    target = links[0].get_attribute("href").rsplit("#", 1)[1]
    links[0].click()
    hit = browser.find_element(By.ID, target)
    assert hit.is_displayed() and "hit" in hit.get_attribute("class")
    assert browser.execute_script("return location.hash") == f"#{target}"
    browser.save_screenshot(str(tmp_path / "report-search.png"))


def test_a_hostile_name_is_text_in_the_page(browser: Any, tmp_path: Path, model_copy: Any) -> None:
    from selenium.webdriver.common.by import By
    from test_hostile import INJECTION, saved_model, write_model

    path = model_copy("custom_ops")
    message = saved_model(path)
    for function in message.meta_graphs[0].graph_def.library.function:
        for node in function.node_def:
            if node.op == "Beta>Shift":
                node.name = INJECTION
    write_model(path, message)
    page = tmp_path / "hostile.html"
    assert run_cli("report", path, "--whitelist", "Acme", "--format", "html", "-o", page).code == 1
    assert _open(browser, page, tmp_path / "hostile.png") == []
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert (
        browser.find_elements(By.TAG_NAME, "script")
        and len(browser.find_elements(By.TAG_NAME, "script")) == 1
    )
    assert "<img src=x onerror=alert(1)>" in browser.find_element(By.CLASS_NAME, "inspector").text


def test_the_search_script_is_the_only_code_the_page_runs() -> None:
    """What the browser tests exercise is the script the CSP hash admits."""
    assert (
        "fetch(" not in SEARCH_SCRIPT
        and "XMLHttpRequest" not in SEARCH_SCRIPT
        and "innerHTML" not in SEARCH_SCRIPT
    )
