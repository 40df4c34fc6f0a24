#!/usr/bin/env python3
"""End-to-end tests of `colophon watch` and `colophon serve`, one ctest test per case.

    live.py --colophon EXE --source REPO CASE     run one case (exit 0 pass, 1 fail, 77 skip)
    live.py --list                                print every case name, one a line

The commands run in the background while a case edits the book and waits for what they
print. Timeouts are generous and only catch a hang; the seconds each rebuild took are
printed, never asserted.
"""

import fcntl
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import EPOCH, Fail, Skip, cases, check, read, run_case, sha256, write  # noqa: E402

HANG = 60  # seconds after which a wait is a hang


def png(width, height, rgb):
    """Returns a WIDTH x HEIGHT PNG of one colour RGB."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def make_book(root, title="Watched"):
    """Writes a book whose first chapter includes a file and shows an image."""
    write(os.path.join(root, "book.toml"),
          f'[book]\ntitle = "{title}"\nauthors = ["A. Writer"]\nlanguage = "en"\n')
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n- [Harbour](harbour.md)\n- [Sea](sea.md)\n")
    write(os.path.join(root, "src", "harbour.md"),
          "# Harbour\n\nThe boats come in at dusk.\n\n{{#include parts/tide.md}}\n\n"
          "![The harbour](images/harbour.png)\n")
    write(os.path.join(root, "src", "parts", "tide.md"), "The tide is low.\n")
    write(os.path.join(root, "src", "sea.md"), "# Sea\n\nGrey water.\n")
    write(os.path.join(root, "src", "images", "harbour.png"), png(8, 6, (20, 60, 120)))


class Live:
    """A colophon command running in the background, its standard error read line by
    line on a thread."""

    def __init__(self, exe, args, cwd, env=None):
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC", NO_COLOR="1", **(env or {}))
        self.proc = subprocess.Popen([exe] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stderr:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def text(self):
        return "\n".join(self.seen)

    def next_line(self, deadline):
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise Fail(f"no output for {HANG} s (a hang?); so far:\n{self.text()}")
        if line is None:
            raise Fail(f"colophon ended (exit {self.proc.wait()}); it printed:\n{self.text()}")
        self.seen.append(line)
        return line

    def wait_for(self, pattern):
        """Returns the next line matching PATTERN."""
        deadline = time.monotonic() + HANG
        while True:
            line = self.next_line(deadline)
            if re.search(pattern, line):
                return line

    def stop(self):
        """Sends SIGINT (Ctrl-C) and returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Fail(f"colophon did not stop within {HANG} s of SIGINT")
        while True:  # what it printed last
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return code


def epub_entry(path, suffix):
    """Returns the bytes of the entry of the EPUB at PATH whose name ends in SUFFIX."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith(suffix)]
        check(len(names) == 1, f"{path}: expected one entry ending in {suffix}, got {names}")
        return z.read(names[0])


def case_watch(ctx, name):
    """Edits a chapter, an included file (in the book, then outside it), an image and
    book.toml in turn, each seen and rebuilt; then a broken edit, reported with its
    place, the last good EPUB kept."""
    book = os.path.join(ctx.work, "book")
    make_book(book)
    # A file outside the book, in its git work tree (which mdBook books include from).
    os.makedirs(os.path.join(ctx.work, ".git"))
    write(os.path.join(ctx.work, "shared", "boiler.md"), "Printed on grey paper.\n")
    write(os.path.join(book, "src", "sea.md"),
          "# Sea\n\nGrey water.\n\n{{#include ../../shared/boiler.md}}\n")
    out = os.path.join(ctx.work, "out")
    live = Live(ctx.exe, ["watch", "book", "-o", "out/", "--target", "epub"], ctx.work)
    try:
        live.wait_for(r"^colophon: watching book for changes")
        epub = os.path.join(out, "watched.epub")
        check(os.path.exists(epub), f"the first build wrote no {epub}:\n{live.text()}")

        def edit(label, path, data, expect):
            started = time.monotonic()
            write(os.path.join(book, path), data)
            live.wait_for(r"^colophon: changed: .*" + re.escape(os.path.basename(path)))
            line = live.wait_for(r"^colophon: (watching|wrote|nothing written)")
            if line.startswith("colophon: wrote"):
                live.wait_for(r"^colophon: watching")
            problem = expect()
            check(problem is None, f"after {label}: {problem}\n{live.text()}")
            print(f"{label}: rebuilt in {time.monotonic() - started:.2f} s")

        def has_text(file, text):
            def test():
                found = epub_entry(epub, file)
                return None if text.encode() in found else f"{file} lacks {text!r}"
            return test

        edit("chapter", "src/harbour.md",
             "# Harbour\n\nThe boats come in at midnight.\n\n{{#include parts/tide.md}}\n\n"
             "![The harbour](images/harbour.png)\n",
             has_text("harbour.xhtml", "at midnight"))
        edit("included file", "src/parts/tide.md", "The tide is turning.\n",
             has_text("harbour.xhtml", "tide is turning"))
        edit("file outside the book", "../shared/boiler.md", "Printed on white paper.\n",
             has_text("sea.xhtml", "white paper"))
        red = png(8, 6, (200, 30, 30))
        edit("image", "src/images/harbour.png", red,
             lambda: None if epub_entry(epub, "harbour.png") == red
             else "the EPUB still has the old image")
        edit("book.toml", "book.toml",
             '[book]\ntitle = "Watched Again"\nauthors = ["A. Writer"]\nlanguage = "en"\n',
             lambda: None if os.path.exists(os.path.join(out, "watched-again.epub"))
             else "no watched-again.epub after the title changed")
        epub = os.path.join(out, "watched-again.epub")
        good = sha256(epub)
        write(os.path.join(book, "src", "sea.md"), "# Sea\n\n{{#include parts/missing.md}}\n")
        line = live.wait_for(r"error")
        check(re.search(r"src/sea\.md:3:1: error: ", line),
              f"the error does not name file:line:col: {line!r}\n{live.text()}")
        live.wait_for(r"^colophon: watching")
        check(sha256(epub) == good, "a broken edit changed the last good EPUB")
        staged = [f for f in os.listdir(out) if f.startswith(".")]
        check(not staged, f"staged files left in {out}: {staged}")
        # Fixed again: built again.
        write(os.path.join(book, "src", "sea.md"), "# Sea\n\nCalm water.\n")
        live.wait_for(r"^colophon: wrote .*watched-again\.epub")
        check(b"Calm water" in epub_entry(epub, "sea.xhtml"), "the fixed chapter is not built")
    finally:
        code = live.stop()
    check(code == 0, f"watch exited {code} on SIGINT:\n{live.text()}")
    check("stopped watching" in live.text(), f"no last word on SIGINT:\n{live.text()}")
    staged = [f for f in os.listdir(out) if f.startswith(".")]
    check(not staged, f"staged files left in {out}: {staged}")


def case_incremental(ctx, name):
    """An edit to one chapter's Markdown renders only that chapter's XHTML again (the
    count watch prints), anything that moves ids, notes or print pages renders more, and
    every output of each build is byte for byte a full build of the same sources."""
    book = os.path.join(ctx.work, "book")
    write(os.path.join(book, "book.toml"),
          '[book]\ntitle = "Steps"\nauthors = ["A. Writer"]\nlanguage = "en"\n\n'
          "[output.epub]\n[output.kobo]\n[output.kindle]\n[output.pdf]\n")
    write(os.path.join(book, "src", "SUMMARY.md"),
          "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n- [Three](three.md)\n")
    write(os.path.join(book, "src", "one.md"),
          "# One\n\nThe first step.[^a] See [the third](three.md#stairs).\n\n"
          "[^a]: A note of the first chapter.\n")
    write(os.path.join(book, "src", "two.md"), "# Two\n\nThe second step.\n")
    write(os.path.join(book, "src", "three.md"),
          "# Three\n\n## Stairs\n\nThe third step, back to [one](one.md).\n")
    out = os.path.join(ctx.work, "out")
    live = Live(ctx.exe, ["watch", "book", "-o", "out/"], ctx.work)

    def same_as_full_build(label):
        full = os.path.join(ctx.work, "full-" + label.replace(" ", "-"))
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC", NO_COLOR="1")
        done = subprocess.run([ctx.exe, "build", "book", "-o", full + "/"], cwd=ctx.work,
                              env=env, capture_output=True, text=True, timeout=HANG)
        check(done.returncode == 0, f"the full build after {label} failed:\n{done.stderr}")
        names = sorted(os.listdir(full))
        check(names == sorted(f for f in os.listdir(out) if not f.startswith(".")),
              f"after {label}: watch wrote {sorted(os.listdir(out))}, a build {names}")
        for f in names:
            check(read(os.path.join(out, f)) == read(os.path.join(full, f)),
                  f"after {label}: {f} differs from a full build of the same sources")

    def rendered():
        line = live.wait_for(r"^colophon: chapters rendered: ")
        counts = dict(re.findall(r"(\w+) (\d+) of 3", line))
        check(set(counts) == {"epub", "kobo", "kindle"}, f"not every EPUB counted: {line!r}")
        live.wait_for(r"^colophon: watching")
        return {k: int(v) for k, v in counts.items()}

    def edit(label, path, data, expect):
        write(os.path.join(book, path), data)
        live.wait_for(r"^colophon: changed: ")
        counts = rendered()
        print(f"{label}: chapters rendered {counts}")
        check(expect(counts["epub"]) and counts["kobo"] == counts["epub"] ==
              counts["kindle"], f"after {label}: chapters rendered {counts}\n{live.text()}")
        same_as_full_build(label)

    try:
        check(rendered() == {"epub": 3, "kobo": 3, "kindle": 3}, "the first build is not full")
        same_as_full_build("the first build")
        edit("a word in one chapter", "src/two.md", "# Two\n\nThe second stride.\n",
             lambda n: n == 1)
        edit("a new heading (a new id)", "src/two.md",
             "# Two\n\nThe second stride.\n\n## Landing\n\nA rest.\n", lambda n: n == 3)
        edit("a new note", "src/three.md",
             "# Three\n\n## Stairs\n\nThe third step,[^b] back to [one](one.md).\n\n"
             "[^b]: Counted after the first.\n", lambda n: n == 3)
        # Notes are numbered through the book: one added before another chapter's
        # renumbers that one, whose XHTML is rendered again.
        edit("a note before another chapter's", "src/two.md",
             "# Two\n\nThe second stride.[^c]\n\n## Landing\n\nA rest.\n\n"
             "[^c]: Between the others.\n", lambda n: n == 3)
        # Pages of print: the first chapter grows by pages, so the page breaks of the
        # later ones move; their XHTML (which marks them) is rendered again.
        long = "".join(f"Paragraph {i} of a long first step, to fill some pages of print.\n\n"
                       for i in range(300))
        edit("pages added before the others", "src/one.md",
             "# One\n\nThe first step.[^a] See [the third](three.md#stairs).\n\n" + long +
             "[^a]: A note of the first chapter.\n", lambda n: n == 3)
        edit("the last chapter's words", "src/three.md",
             "# Three\n\n## Stairs\n\nThe third stride,[^b] back to [one](one.md).\n\n"
             "[^b]: Counted after the first.\n", lambda n: n == 1)
        # A broken edit builds nothing; once fixed, what changed since the last good build
        # is rendered again.
        write(os.path.join(book, "src", "two.md"), "# Two\n\n{{#include nowhere.md}}\n")
        live.wait_for(r"error")
        live.wait_for(r"^colophon: watching")
        edit("a fix after a broken edit", "src/two.md",
             "# Two\n\nThe second stride, again.[^c]\n\n## Landing\n\nA rest.\n\n"
             "[^c]: Between the others.\n", lambda n: n == 1)
        edit("book.toml", "book.toml",
             '[book]\ntitle = "Steps"\nauthors = ["A. Writer", "B. Reader"]\n'
             'language = "en"\n\n[output.epub]\n[output.kobo]\n[output.kindle]\n'
             "[output.pdf]\n", lambda n: n == 3)
    finally:
        code = live.stop()
    check(code == 0, f"watch exited {code} on SIGINT:\n{live.text()}")


# --------------------------------------------------------------------------- serve


class Serve(Live):
    """`colophon serve` on a free port; knows its address once it says it."""

    def __init__(self, exe, args, cwd, env=None):
        super().__init__(exe, ["serve"] + args + ["--port", "0"], cwd, env)
        line = self.wait_for(r"^colophon: serving the preview at ")
        m = re.search(r"http://127\.0\.0\.1:(\d+)/$", line)
        check(m, f"no address in {line!r}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path, host=None):
        """Returns (status, headers, body) of a GET of PATH, sent as written."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HANG)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            res = conn.getresponse()
            return res.status, dict(res.getheaders()), res.read()
        finally:
            conn.close()


def listening_addresses(port):
    """Returns the local addresses of the TCP sockets listening on PORT (from /proc)."""
    found = []
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            addr, hexport = fields[1].split(":")
            if int(hexport, 16) == port and fields[3] == "0A":  # LISTEN
                if family == 4:
                    found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(addr[i:i + 8])[::-1] for i in range(0, 32, 8))
                    found.append(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def case_serve(ctx, check_served):
    """Serves a book and runs CHECK_SERVED(ctx, book, serve) on it; serve stops cleanly."""
    book = os.path.join(ctx.work, "book")
    make_book(book)
    serve = Serve(ctx.exe, ["book", "-o", "out/"], ctx.work)
    try:
        check_served(ctx, book, serve)
    finally:
        code = serve.stop()
    check(code == 0, f"serve exited {code} on SIGINT:\n{serve.text()}")


def case_open(ctx, name):
    """--open runs $BROWSER with the preview's address and does not wait for it (the
    opener here stays running while the preview is served); with no opener that can
    start, a warning, and the preview is served all the same."""
    book = os.path.join(ctx.work, "book")
    make_book(book)
    opened = os.path.join(ctx.work, "opened.txt")
    opener = os.path.join(ctx.work, "opener.sh")
    write(opener, f'#!/bin/sh\nprintf "%s\\n" "$$" "$@" > {opened}.part\n'
                  f"mv {opened}.part {opened}\nexec sleep {HANG}\n")
    os.chmod(opener, 0o755)
    # As xdg-open reads $BROWSER: commands tried in turn (one that is not there, one
    # that fails at once, then ours), %s standing for the address.
    serve = Serve(ctx.exe, ["book", "-o", "out/", "--target", "epub", "--open"], ctx.work,
                  {"BROWSER": f"{os.path.join(ctx.work, 'missing-browser')}:false:"
                              f"{opener} --new %s"})
    pid = None
    try:
        serve.wait_for(r"^colophon: watching")
        deadline = time.monotonic() + HANG
        while not os.path.exists(opened) and time.monotonic() < deadline:
            time.sleep(0.05)
        check(os.path.exists(opened), f"$BROWSER was not run:\n{serve.text()}")
        words = read(opened).decode().splitlines()
        pid = int(words[0])
        check(words[1:] == ["--new", serve.url + "/"],
              f"the opener got {words[1:]}, not the preview's address {serve.url}/")
        check("warning" not in serve.text(), f"a warning although a browser opened:\n"
              f"{serve.text()}")
        # The address it was given answers (while the opener still runs) with the
        # preview: a redirect to the first chapter, which shows the book.
        check(words[2].startswith("http://127.0.0.1:"), f"not a 127.0.0.1 address: {words[2]}")
        status, headers, _ = serve.get(urllib.parse.urlsplit(words[2]).path)
        location = headers.get("Location", "")
        check(status in (301, 302, 303) and location.endswith("harbour.xhtml"),
              f"{words[2]} does not lead to the first chapter: {status} {headers}")
        status, _, body = serve.get(urllib.parse.urljoin(words[2], location)[len(serve.url):])
        check(status == 200 and b"The boats come in" in body,
              f"{location}, where {words[2]} leads, gave {status}, not the chapter")
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        code = serve.stop()
    check(code == 0, f"serve exited {code} on SIGINT:\n{serve.text()}")
    # No opener at all: a warning naming what was tried, and the preview all the same.
    serve = Serve(ctx.exe, ["book", "-o", "out/", "--target", "epub", "--open"], ctx.work,
                  {"BROWSER": os.path.join(ctx.work, "no-such-browser")})
    try:
        line = serve.wait_for(r"warning")
        check("could not open a browser" in line and "no-such-browser" in line,
              f"the warning does not say what failed: {line!r}")
        serve.wait_for(r"^colophon: watching")
        status, _, _ = serve.get("/harbour.xhtml")
        check(status == 200, f"no preview without a browser: {status}")
    finally:
        code = serve.stop()
    check(code == 0, f"serve without a browser exited {code}:\n{serve.text()}")


def serve_preview(ctx, book, serve):
    """The page over HTTP: the chapter with its sidebar, its images and stylesheet, the
    built books; an edit answers the waiting request with a new generation."""
    status, headers, body = serve.get("/")
    check(status in (301, 302, 303) and headers.get("Location", "").endswith("harbour.xhtml"),
          f"/ does not lead to the first chapter: {status} {headers}")
    status, headers, body = serve.get("/harbour.xhtml")
    page = body.decode()
    check(status == 200 and "xhtml" in headers.get("Content-Type", ""),
          f"/harbour.xhtml: {status} {headers}")
    for needle in ("The boats come in at dusk", "The tide is low", 'id="colophon-sidebar"',
                   'href="/sea.xhtml"', "/_colophon/live.js", "/_colophon/files/watched.epub",
                   "/_colophon/files/watched.pdf"):
        check(needle in page, f"the page lacks {needle!r}:\n{page[:3000]}")
    m = re.search(r'data-generation="(\d+)"', page)
    check(m, "the page does not say which build it shows")
    generation = int(m.group(1))
    img = re.search(r'<img[^>]* src="([^"]+)"', page)
    check(img, "the chapter shows no image")
    status, headers, body = serve.get("/" + img.group(1))
    check(status == 200 and body == read(os.path.join(book, "src", "images", "harbour.png")),
          f"the image {img.group(1)}: {status}")
    css = re.search(r'<link[^>]* href="([^"/][^"]*\.css)"', page)
    check(css, "the chapter links no stylesheet of its own")
    status, _, body = serve.get("/" + css.group(1))
    check(status == 200 and body, f"the stylesheet {css.group(1)}: {status}")
    for name in ("watched.epub", "watched.pdf"):
        status, _, body = serve.get("/_colophon/files/" + name)
        check(status == 200 and body == read(os.path.join(ctx.work, "out", name)),
              f"/_colophon/files/{name}: {status}, not the built file")
    # An edit to one chapter's words renders only that chapter's page again.
    write(os.path.join(book, "src", "sea.md"), "# Sea\n\nGrey and green water.\n")
    line = serve.wait_for(r"^colophon: preview: \d+ of 2 chapters rendered")
    check(line.startswith("colophon: preview: 1 of 2 "), f"not only the edited chapter: {line!r}")
    serve.wait_for(r"^colophon: watching")
    for page, needle in (("/sea.xhtml", "green water"), ("/harbour.xhtml", "The tide is low")):
        status, _, body = serve.get(page)
        check(status == 200 and needle in body.decode(), f"{page} after the edit lacks {needle!r}")
    generation = int(re.search(r'data-generation="(\d+)"', body.decode()).group(1))
    # A request for the next build waits; an edit answers it.
    answer = {}

    def wait():
        answer["reply"] = serve.get(f"/_colophon/wait?since={generation}")
    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)  # the request is waiting (were it not, the check below still holds)
    started = time.monotonic()
    write(os.path.join(book, "src", "harbour.md"), "# Harbour\n\nThe boats come in at noon.\n")
    waiter.join(HANG)
    check("reply" in answer, "the waiting request was not answered after an edit")
    status, _, body = answer["reply"]
    state = json.loads(body)
    check(status == 200 and state["generation"] > generation and state["ok"],
          f"the reload signal: {status} {body!r}")
    print(f"reload signal {time.monotonic() - started:.2f} s after the edit")
    status, _, body = serve.get("/harbour.xhtml")
    check(b"at noon" in body, "the page after the reload signal is not the new build")
    # A broken edit: the signal comes, the last good page stays, with a notice.
    write(os.path.join(book, "src", "harbour.md"), "# Harbour\n\n{{#include nowhere.md}}\n")
    status, _, body = serve.get(f"/_colophon/wait?since={state['generation']}")
    check(not json.loads(body)["ok"], f"a broken build is reported good: {body!r}")
    status, _, body = serve.get("/harbour.xhtml")
    check(b"at noon" in body and b"colophon-failed" in body,
          "after a broken edit the last good page with a notice is not served")


def serve_paths(ctx, book, serve):
    """Paths outside the preview are refused; only 127.0.0.1 listens; other hosts are refused."""
    secret = os.path.join(ctx.work, "secret.txt")
    write(secret, "do not serve me\n")
    # Ways out of the preview are refused as such (403); paths that stay inside it but
    # name no file of the EPUB are not found (404).
    attempts = {403: ["/../secret.txt", "/../../etc/passwd", "/%2e%2e/secret.txt",
                      "/%2E%2E%2Fsecret.txt", "/images/..%2f..%2fbook.toml",
                      "/%252e%252e/secret.txt", "//etc/passwd", "/%2Fetc%2Fpasswd",
                      "/images/%5c..%5c..%5cbook.toml", "/./harbour.xhtml",
                      "/harbour.xhtml%00.png", "/..", "/_colophon/files/../book.toml"],
                404: ["/" + secret.lstrip("/"), "/src/harbour.md", "/book.toml",
                      "/_colophon/files/book.toml"]}
    for expected, paths in attempts.items():
        for path in paths:
            status, _, body = serve.get(path)
            check(status == expected, f"GET {path} gave {status}, not {expected}")
            check(b"do not serve me" not in body and b"[book]" not in body and
                  b"root:" not in body, f"GET {path} leaked a file")
    status, _, _ = serve.get("/harbour.xhtml")
    check(status == 200, f"a good path is refused: {status}")
    status, _, _ = serve.get("/harbour.xhtml", host=f"evil.example:{serve.port}")
    check(status == 403, f"a request for another host name gave {status}")
    addresses = listening_addresses(serve.port)
    check(addresses == ["127.0.0.1"], f"port {serve.port} listens on {addresses}")
    print(f"{len(attempts[403])} escapes refused, {len(attempts[404])} not found; "
          f"listening on {addresses}")


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe
    (--remote-debugging-pipe: commands to its fd 3, answers from its fd 4, each message
    JSON ended by a NUL), with only the standard library."""

    def __init__(self, exe, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # Above the descriptors the child's 3 and 4 are made from.
        high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 100)
        high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 100)
        os.close(to_child_r)
        os.close(from_child_w)

        def plumb():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=plumb)
        os.close(high_r)
        os.close(high_w)
        self.next_id = 0
        self.answers = {}
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            chunk = os.read(self.from_child, 65536)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self.cond:
                        self.answers[msg["id"]] = msg
                        self.cond.notify_all()
        with self.cond:
            self.answers[None] = "closed"
            self.cond.notify_all()

    def send(self, method, params=None, session=None):
        """Sends one command and returns its result."""
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + HANG
        with self.cond:
            while mid not in self.answers:
                check(None not in self.answers, f"Chromium went away during {method}")
                left = deadline - time.monotonic()
                check(left > 0, f"Chromium gave no answer to {method} within {HANG} s")
                self.cond.wait(left)
            answer = self.answers.pop(mid)
        check("error" not in answer, f"{method}: {answer.get('error')}")
        return answer["result"]

    def close(self):
        try:
            if self.proc.poll() is None:
                os.write(self.to_child, json.dumps(
                    {"id": 0, "method": "Browser.close", "params": {}}).encode() + b"\0")
                self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)


def serve_browser(ctx, book, serve):
    """A real browser shows the chapter with its sidebar and reloads it after an edit."""
    exe = shutil.which("chromium")
    if not exe:
        raise Skip("chromium is not installed (Debian package chromium, in tools/dev's "
                   "test_packages): the preview is not tried in a real browser")
    browser = Chromium(exe, os.path.join(ctx.work, "profile"))
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]

        def page_state():
            expr = ("JSON.stringify({ready: document.readyState, reloads: window.colophonMark "
                    "=== undefined, sidebar: !!document.getElementById('colophon-sidebar') && "
                    "document.getElementById('colophon-sidebar').innerText, current: "
                    "(document.querySelector('#colophon-sidebar a.colophon-current') || "
                    "{}).textContent || '', "
                    "text: document.body ? document.body.innerText : ''})")
            result = browser.send("Runtime.evaluate", {"expression": expr, "returnByValue": True},
                                  session)
            return json.loads(result["result"].get("value") or "{}")

        def until(test, what):
            deadline = time.monotonic() + HANG
            while time.monotonic() < deadline:
                state = page_state()
                if state.get("ready") == "complete" and test(state):
                    return state
                time.sleep(0.1)
            raise Fail(f"the browser never showed {what}; last: {page_state()}")

        browser.send("Page.navigate", {"url": serve.url + "/"}, session)
        state = until(lambda s: "The boats come in at dusk" in s["text"],
                      "the first chapter")
        check(state["sidebar"] and "Sea" in state["sidebar"] and "Harbour" in state["sidebar"]
              and "EPUB" in state["sidebar"] and "PDF" in state["sidebar"],
              f"the sidebar lacks the contents or the books: {state['sidebar']!r}")
        check(state["current"] == "Harbour", f"the sidebar marks {state['current']!r} as the "
              "page shown, not Harbour")
        browser.send("Runtime.evaluate", {"expression": "window.colophonMark = 1"}, session)
        started = time.monotonic()
        write(os.path.join(book, "src", "harbour.md"),
              "# Harbour\n\nThe boats stay out all night.\n")
        until(lambda s: s["reloads"] and "stay out all night" in s["text"],
              "the page reloaded with the edited chapter")
        print(f"the browser showed the edit {time.monotonic() - started:.2f} s after it")
    finally:
        browser.close()


# --------------------------------------------------------------------------- driver

GROUPS = {
    "watch": cases(case_watch, ["edits"]),
    "incremental": cases(case_incremental, ["chapters"]),
    "serve": {"preview": (case_serve, serve_preview), "paths": (case_serve, serve_paths),
              "browser": (case_serve, serve_browser)},
    "open": cases(case_open, ["browser-command"]),
}


if __name__ == "__main__":
    sys.exit(run_case(GROUPS, __doc__))
