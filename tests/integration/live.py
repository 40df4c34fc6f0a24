#!/usr/bin/env python3
"""End-to-end tests of `colophon watch` and `colophon serve`, one ctest test per case.

    live.py --colophon EXE --source REPO CASE     run one case (exit 0 pass, 1 fail, 77 skip)
    live.py --list                                print every case name, one a line

The commands run in the background while a case edits the book and waits for what they
print. Timeouts are generous and only catch a hang; the seconds each rebuild took are
printed, never asserted.
"""

import argparse
import os
import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import EPOCH, Fail, Skip, check, read, sha256, write  # noqa: E402

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

    def __init__(self, exe, args, cwd):
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC", NO_COLOR="1")
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
    """Edits a chapter, an included file, an image and book.toml in turn, each seen and
    rebuilt; then a broken edit, reported with its place, the last good EPUB kept."""
    book = os.path.join(ctx.work, "book")
    make_book(book)
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


# --------------------------------------------------------------------------- driver

GROUPS = {
    "watch": (case_watch, ["edits"]),
}


def all_cases():
    return [f"{g}:{n}" for g, (_, names) in GROUPS.items() for n in names]


class Ctx:
    def __init__(self, exe, source, work):
        self.exe, self.source, self.work = exe, source, work


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--colophon")
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--work-root", help="folder for work folders (default: system temp)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(all_cases()))
        return 0
    if not args.case or not args.colophon:
        ap.error("give --colophon EXE and a CASE (see --list)")
    group, _, name = args.case.partition(":")
    if group not in GROUPS or name not in GROUPS[group][1]:
        ap.error(f"unknown case {args.case!r} (see --list)")
    if args.work_root:
        os.makedirs(args.work_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=args.case.replace(":", "-") + "-", dir=args.work_root)
    ctx = Ctx(os.path.abspath(args.colophon), os.path.abspath(args.source), work)
    try:
        GROUPS[group][0](ctx, name)
    except Skip as e:
        print(f"*** SKIPPED {args.case}: {e} ***")
        shutil.rmtree(work, ignore_errors=True)
        return 77
    except Fail as e:
        print(f"FAILED {args.case}: {e}\n(work folder kept: {work})")
        return 1
    if os.environ.get("KEEP"):
        print(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"PASSED {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
