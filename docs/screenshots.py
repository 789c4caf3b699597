"""Screenshots of Lanes' main pages, from the demo, for the README.

    .venv/bin/python docs/screenshots.py

builds the demo district in a new SQLite database (as `python3 dev.py run` does, without
touching `lanes.sqlite3`), serves it, signs in as the demo's `editor` and saves each page
at 1280x800 as a PNG in docs/screenshots/. With `--url http://127.0.0.1:8000` it uses a
server already running the demo instead. It needs Chromium (`LANES_CHROMIUM`, else
/usr/bin/chromium, else Playwright's own) and reduces each image to 256 colours when
Pillow is installed.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = os.environ.get("LANES_DEMO_PASSWORD", "lanes-demo")
SLUG = "cps"
METRIC_CODE = "student_attendance_pct"
NETWORK_NAME = "Network 1"
ENTRY_PERIOD = "2018-06-30"


@contextmanager
def demo_server():
    """A new demo database and a development server on a free port."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "on",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.sqlite3'}",
            "LANES_DEMO_PASSWORD": PASSWORD,
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "-v0"], ["load_demo"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def first_id(page, base: str, path: str) -> int:
    """The id of the first object of an API list, read with the browser's session."""
    answer = page.request.get(f"{base}/api/v1/{path}")
    return json.loads(answer.text())["results"][0]["id"]


def pages(page, base: str) -> list[tuple[str, str]]:
    """(file name, path) of each page to show."""
    metric = first_id(page, base, f"metrics/?district={SLUG}&code={METRIC_CODE}")
    network = first_id(
        page, base, f"networks/?district={SLUG}&search={NETWORK_NAME}&ordering=name"
    )
    district = f"/districts/{SLUG}"
    return [
        ("home", "/"),
        ("dashboard", f"{district}/dashboard/"),
        ("metric", f"{district}/metrics/{metric}/"),
        ("network-scorecard", f"{district}/networks/{network}/"),
        ("matrix", f"{district}/matrix/"),
        (
            "entry-grid",
            f"{district}/metrics/{metric}/entry/?period_end={ENTRY_PERIOD}"
            f"&scope=school&network={network}",
        ),
        ("import", f"{district}/measurements/import/"),
        ("tokens", "/account/tokens/"),
        ("api-docs", "/api/v1/docs/"),
    ]


def shrink(path: Path) -> None:
    """256 colours instead of millions: a third of the size, the same to the eye."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256)
    reduced.save(path, optimize=True)


def chromium_path() -> str | None:
    path = os.environ.get("LANES_CHROMIUM", "/usr/bin/chromium")
    return path if Path(path).exists() else None


def take(base: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox"]
        )
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        # The tokens page shows one token, as a reader would have after docs/api.md.
        page.goto(f"{base}/account/tokens/")
        if (
            page.get_by_role("link", name="Revoke token warehouse nightly…").count()
            == 0
        ):
            page.get_by_label("Name").fill("warehouse nightly")
            page.get_by_label("Scope").select_option("write")
            page.get_by_role("button", name="Create token").click()
        for name, path in pages(page, base):
            page.goto(f"{base}{path}", wait_until="networkidle")
            if name == "api-docs":
                page.locator(".opblock").first.wait_for(timeout=30_000)
            target = OUT / f"{name}.png"
            page.screenshot(path=target)
            shrink(target)
            saved.append(target)
            print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KB")
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a server already running the demo")
    args = parser.parse_args()
    if args.url:
        take(args.url.rstrip("/"))
    else:
        with demo_server() as base:
            take(base)


if __name__ == "__main__":
    main()
