"""Open a local HTML file in headless Chromium and record every network request (test tooling, not part of geo).

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON), so it needs no websocket package.
Child frames (``<iframe srcdoc>`` maps, possibly out-of-process) are
auto-attached so their requests are seen too.

Usage::

    res = open_page(Path("report.html"), screenshot=Path("shot.png"))
    assert res.external == [] and res.failed == [] and res.exceptions == []
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)
_LOCAL_SCHEMES = ("data:", "about:", "blob:", "chrome:", "devtools:")


def chromium_path() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


@dataclasses.dataclass
class PageResult:
    """What happened while a page loaded.

    Attributes
    ----------
    requests : list of str
        Every URL the page (and its frames) requested, including ``data:``.
    external : list of str
        Requests that left the file: anything but ``data:``/``about:``/
        ``blob:`` and the page's own ``file://`` URL.
    failed : list of (url, error)
        Requests that failed.
    exceptions : list of str
        Uncaught JavaScript exceptions.
    console_errors : list of str
        Console/log entries at level error.
    screenshot : bytes or None
        PNG of the viewport.
    """

    requests: list[str]
    external: list[str]
    failed: list[tuple[str, str]]
    exceptions: list[str]
    console_errors: list[str]
    screenshot: bytes | None


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc = proc
        self.w = write_fd
        self.r = read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read_one(self, deadline: float) -> dict[str, Any] | None:
        import select

        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.r], [], [], min(left, 0.2))
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 20.0
    ) -> dict[str, Any]:
        mid = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_one(deadline)
            if msg is None:
                raise TimeoutError(f"no reply to {method} within {timeout} s")
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            msg = self._read_one(deadline)
            if msg is None:
                return
            if "method" in msg:
                self.events.append(msg)


def open_page(
    path: Path,
    *,
    screenshot: Path | None = None,
    width: int = 1200,
    height: int = 900,
    settle_s: float = 2.5,
    timeout_s: float = 30.0,
    full_page: bool = False,
) -> PageResult:
    """Load ``path`` in headless Chromium, wait for load + ``settle_s``, record requests, take a screenshot."""
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    page_url = Path(path).resolve().as_uri()
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds() -> None:  # runs in the child: DevTools reads fd 3, writes fd 4
        import fcntl

        # copy above 10 first: the pipe ends may themselves be fds 3/4, and dup2(fd, fd) would keep CLOEXEC
        a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.dup2(a, 3, inheritable=True)
        os.dup2(b, 4, inheritable=True)

    with tempfile.TemporaryDirectory(prefix="geo-chromium-") as profile:
        args = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
        try:
            return _drive(pipe, page_url, screenshot, width, height, settle_s, timeout_s, full_page)
        finally:
            with contextlib.suppress(Exception):
                pipe.send("Browser.close")
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            os.close(to_chrome_w)
            os.close(from_chrome_r)


def _drive(
    pipe: _Pipe,
    page_url: str,
    screenshot: Path | None,
    width: int,
    height: int,
    settle_s: float,
    timeout_s: float,
    full_page: bool,
) -> PageResult:
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    sessions = {session}

    def enable(sid: str) -> None:
        pipe.call("Network.enable", {}, sid)
        pipe.call("Runtime.enable", {}, sid)
        pipe.call("Log.enable", {}, sid)
        pipe.call("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True}, sid)

    enable(session)
    pipe.call("Page.enable", {}, session)
    pipe.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session,
    )
    pipe.call("Page.navigate", {"url": page_url}, session)
    deadline = time.monotonic() + timeout_s
    loaded = False
    seen = 0

    def process() -> bool:
        nonlocal seen
        done = False
        while seen < len(pipe.events):  # enable() below may append more events while we iterate
            ev = pipe.events[seen]
            seen += 1
            if ev["method"] == "Page.loadEventFired" and ev.get("sessionId") == session:
                done = True
            if ev["method"] == "Target.attachedToTarget":
                sid = ev["params"]["sessionId"]
                if sid not in sessions:
                    sessions.add(sid)
                    with contextlib.suppress(Exception):
                        enable(sid)
                        pipe.call("Runtime.runIfWaitingForDebugger", {}, sid)
        return done

    while time.monotonic() < deadline and not loaded:
        loaded = process() or loaded
        if not loaded:
            pipe.pump(0.3)
    if not loaded:
        raise TimeoutError(f"{page_url} did not finish loading within {timeout_s} s")
    settle_end = time.monotonic() + settle_s
    while time.monotonic() < settle_end:
        pipe.pump(min(0.3, max(settle_end - time.monotonic(), 0.01)))
        process()
    shot = None
    params: dict[str, Any] = {"format": "png"}
    if full_page:
        params["captureBeyondViewport"] = True
    data = pipe.call("Page.captureScreenshot", params, session)["data"]
    shot = base64.b64decode(data)
    if screenshot is not None:
        Path(screenshot).write_bytes(shot)

    requests, failed, exceptions, console = [], [], [], []
    req_url: dict[str, str] = {}
    for ev in pipe.events:
        m, p = ev["method"], ev.get("params", {})
        if m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            req_url[p["requestId"]] = url
            requests.append(url)
        elif m == "Network.loadingFailed":
            failed.append((req_url.get(p["requestId"], "?"), str(p.get("errorText"))))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exceptions.append(str(d.get("exception", {}).get("description") or d.get("text")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            console.append(f"{p['entry'].get('url', '')}: {p['entry'].get('text', '')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") == "error":
            console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
    external = [u for u in requests if not u.startswith(_LOCAL_SCHEMES) and u.split("#")[0] != page_url]
    return PageResult(requests, external, failed, exceptions, console, shot)
