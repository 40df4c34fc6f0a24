#!/usr/bin/env python3
"""The error catalogue of issue 4: one small broken book per entry, built with
`colophon build --format all` over a good build of the same book in dist/.

    catalogue.py --list                                print every entry name
    catalogue.py --colophon EXE [--work-root DIR] NAME check one entry (0 pass, 1 fail, 77 skip)
    catalogue.py --colophon EXE --probe NAME           build it and print colophon's stderr

Every entry is data: how to break the base book, then what must come out.
  error    exit 1, the line `WHERE: error: ...NEEDLE...` (WHERE = file:line:col), a hint
           line right below it, and dist/ byte-identical to the good build (EPUB and PDF).
  warning  exit 0, the line `WHERE: warning: ...NEEDLE...` with its hint, and both books.
  accept   exit 0 with no error and no warning, and the books correct (CHECK says how).
  dropped  hostile markup: refused (as `error`) or dropped with a warning at WHERE; either
           way none of it reaches any file of the EPUB.
Paths in messages are as the user gave them: the book is built as `book` from the work
folder, so chapter diagnostics read `book/src/one.md:LINE:COL: error: ...`.
"""

import argparse
import hashlib
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

SKIP = 77  # ctest SKIP_RETURN_CODE
EPOCH = "1700000000"


class Fail(Exception):
    """Raised when an entry's expectation is not met."""


def check(cond, message):
    if not cond:
        raise Fail(message)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --------------------------------------------------------------------------- the base book

# Line numbers in the entries below depend on these texts: keep them in step.
BASE_BOOK = {
    "book.toml": ('[book]\n'                                 # 1
                  'title = "Broken Book"\n'                  # 2
                  'authors = ["Tester"]\n'                   # 3
                  'language = "en"\n'),                      # 4
    "src/SUMMARY.md": ("# Summary\n"                         # 1
                       "\n"                                  # 2
                       "- [One](one.md)\n"                   # 3
                       "- [Two](two.md)\n"),                 # 4
    "src/one.md": ("# One\n"                                 # 1
                   "\n"                                      # 2
                   "Intro paragraph.[^a]\n"                  # 3
                   "\n"                                      # 4
                   "## Section\n"                            # 5
                   "\n"                                      # 6
                   "See [two](two.md#second-section).\n"     # 7
                   "\n"                                      # 8
                   "![A dot](images/dot.png)\n"              # 9
                   "\n"                                      # 10
                   "[^a]: A note.\n"),                       # 11
    "src/two.md": "# Two\n\n## Second section\n\nText.\n",
}


def png(width, height, depth=8, color=0, rows=None):
    """Returns a PNG file: greyscale (color 0) of DEPTH bits, rows of zero bytes."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    if rows is None:
        row = b"\x00" + b"\x00" * ((width * depth + 7) // 8)
        rows = zlib.compress(row * height)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) +
            chunk(b"IEND", b""))


DOT_PNG = png(1, 1)


class Ctx:
    """An entry's work folder (book/, dist/) and the executable."""

    def __init__(self, exe, work):
        self.exe, self.work = exe, work
        self.out = "dist"          # the -o folder the broken build writes to
        self.limit_file_bytes = None

    def path(self, rel):
        return os.path.join(self.work, rel)

    def colophon(self, args):
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC")

        def limit():
            if self.limit_file_bytes is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE,
                                   (self.limit_file_bytes, self.limit_file_bytes))

        proc = subprocess.run([self.exe] + args, cwd=self.work, env=env, capture_output=True,
                              timeout=300, preexec_fn=limit)
        return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                proc.stderr.decode("utf-8", "replace"))

    def build(self):
        return self.colophon(["build", "book", "-o", self.out, "--format", "all"])


def set_line(ctx, rel, line, text):
    """Replaces line LINE (from 1) of book file REL with TEXT (str or bytes)."""
    path = ctx.path(os.path.join("book", rel))
    lines = read(path).split(b"\n")
    lines[line - 1] = text.encode("utf-8") if isinstance(text, str) else text
    write(path, b"\n".join(lines))


def put(ctx, rel, data):
    write(ctx.path(os.path.join("book", rel)), data)


def include_error_inside(ctx):
    """A chapter includes a file whose second line links to a missing chapter: the warning
    (a dead link is one by default, as mdBook builds the book) names the included file's
    line and column."""
    put(ctx, "src/part.md", "Included text.\nSee [x](missing.md).\n")
    set_line(ctx, "src/one.md", 3, "{{#include part.md}}")


def outside_png(ctx):
    path = ctx.path("outside.png")
    write(path, DOT_PNG)
    return path


# --------------------------------------------------------------------------- breakers

def symlink_out(ctx):
    os.symlink(outside_png(ctx), ctx.path("book/src/images/link.png"))
    set_line(ctx, "src/one.md", 9, "![A dot](images/link.png)")


def absolute_path(ctx):
    set_line(ctx, "src/one.md", 9, f"![A dot]({outside_png(ctx)})")


def dotdot_path(ctx):
    outside_png(ctx)
    set_line(ctx, "src/one.md", 9, "![A dot](../../outside.png)")


def missing_font(ctx):
    put(ctx, "pdf-style.toml", '# fonts\n[fonts.text]\nitalic = "fonts/NoSuchSerif-Italic.ttf"\n')
    put(ctx, "book.toml", BASE_BOOK["book.toml"] + '\n[output.pdf]\nstyle = "pdf-style.toml"\n')


def unwritable_output(ctx):
    # root ignores permission bits, so the output folder sits under a regular file:
    # creating it fails with ENOTDIR for every user.
    write(ctx.path("blocker"), "a file where the output folder should be\n")
    ctx.out = "blocker/out"


def directory_in_the_way(ctx):
    # A directory where the EPUB goes: neither book is replaced (not even the PDF).
    os.makedirs(ctx.path("dist2/broken-book.epub/inside"))
    ctx.out = "dist2"


def disk_full(ctx):
    # A file-size limit (ulimit -f) below the books' size: writes fail with EFBIG as on
    # a full disk (colophon ignores SIGXFSZ). The EPUB and PDF of the good build are
    # a few KB, so the noise makes the new ones larger than the limit.
    noise = " ".join(hashlib.sha256(str(i).encode()).hexdigest()[:8] for i in range(4000))
    set_line(ctx, "src/two.md", 5, noise)
    ctx.limit_file_bytes = 8192


def bom_everywhere(ctx):
    for rel in ("src/one.md", "src/SUMMARY.md", "book.toml"):
        put(ctx, rel, b"\xef\xbb\xbf" + read(ctx.path(os.path.join("book", rel))))


def crlf_everywhere(ctx):
    for rel in BASE_BOOK:
        put(ctx, rel, read(ctx.path(os.path.join("book", rel))).replace(b"\n", b"\r\n"))


# --------------------------------------------------------------------------- checks of accepted books

def epub_text(ctx):
    """Returns the text of every XHTML chapter of the new EPUB, joined."""
    epubs = [f for f in os.listdir(ctx.path(ctx.out)) if f.endswith(".epub")]
    check(len(epubs) == 1, f"expected one EPUB in {ctx.out}/, found {epubs}")
    with zipfile.ZipFile(os.path.join(ctx.path(ctx.out), epubs[0])) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml")).decode("utf-8")


def pdf_text(ctx):
    if not shutil.which("pdftotext"):
        return None
    pdfs = [f for f in os.listdir(ctx.path(ctx.out)) if f.endswith(".pdf")]
    check(len(pdfs) == 1, f"expected one PDF in {ctx.out}/, found {pdfs}")
    t = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.join(ctx.path(ctx.out), pdfs[0]),
                        "-"], capture_output=True)
    return t.stdout.decode("utf-8", "replace")


def same_book(ctx):
    """The books of an accepted variant read like the base book's: no BOM, no CR."""
    text = epub_text(ctx)
    for needle in ("Intro paragraph", "Second section", "A note."):
        check(needle in text, f"the EPUB lacks {needle!r}")
    check("\ufeff" not in text and "\r" not in text, "a BOM or a CR reached the EPUB")
    pdf = pdf_text(ctx)
    if pdf is not None:
        check("Intro paragraph" in pdf and "\ufeff" not in pdf, "the PDF text is wrong")
    rc, out, err = ctx.colophon(["dump", "book"])
    check(rc == 0 and "\ufeff" not in out and "\r" not in out, "a BOM or CR reached the model")


def image_in_books(ctx):
    epubs = [f for f in os.listdir(ctx.path(ctx.out)) if f.endswith(".epub")]
    with zipfile.ZipFile(os.path.join(ctx.path(ctx.out), epubs[0])) as z:
        check(any(n.endswith("dot.png") for n in z.namelist()), "the image is not in the EPUB")
    pdfs = [f for f in os.listdir(ctx.path(ctx.out)) if f.endswith(".pdf")]
    data = read(os.path.join(ctx.path(ctx.out), pdfs[0]))
    check(b"/Subtype /Image" in data, "the PDF has no image XObject")


# --------------------------------------------------------------------------- the catalogue

ONE = "book/src/one.md"
HOSTILE = [b"<script", b"javascript:", b"onclick", b"onerror", b"data:text/html", b"alert("]

# name: (breaker, kind, WHERE, NEEDLE (regex, on the diagnostic's line), extra check)
CATALOGUE = {
    # book.toml and SUMMARY.md
    "toml-malformed": (lambda c: set_line(c, "book.toml", 2, 'title = "Broken Book'),
                       "error", "book/book.toml:2:21", r"", None),
    "summary-missing-file": (lambda c: put(c, "src/SUMMARY.md", BASE_BOOK["src/SUMMARY.md"] +
                                           "- [Three](three.md)\n"),
                             "error", "book/src/SUMMARY.md:5:3", r"three\.md", None),
    "summary-same-file-twice": (lambda c: put(c, "src/SUMMARY.md", BASE_BOOK["src/SUMMARY.md"] +
                                              "- [Again](one.md)\n"),
                                "error", "book/src/SUMMARY.md:5:3", r"one\.md", None),
    # (no line:col: the reader names only the file; see the note in the report of issue 4)
    "no-chapters": (lambda c: put(c, "src/SUMMARY.md", "# Summary\n"),
                    "error", "book/src/SUMMARY.md:2:1", r"no chapters", None),
    # encodings
    "invalid-utf8": (lambda c: set_line(c, "src/one.md", 3, b"Intro \xff paragraph.[^a]"),
                     "error", ONE + ":3:7", r"byte (offset )?13\b", None),
    "nul-byte": (lambda c: set_line(c, "src/one.md", 3, b"Intro \x00 paragraph.[^a]"),
                 "error", ONE + ":3:7", r"NUL|U\+0000|null", None),
    "bom": (bom_everywhere, "accept", None, None, same_book),
    "crlf": (crlf_everywhere, "accept", None, None, same_book),
    # raw HTML and script
    "raw-html-unclosed": (lambda c: set_line(c, "src/one.md", 5, '<div class="unclosed">'),
                          "error", ONE + ":5:1", r"div", None),
    "raw-html-unknown-element": (lambda c: set_line(c, "src/one.md", 3,
                                                    "Intro <foo>paragraph</foo>."),
                                 "warning", ONE + ":3:7", r"<foo> is not an HTML element", None),
    "script": (lambda c: set_line(c, "src/one.md", 5, "<script>alert(1)</script>"),
               "dropped", ONE + ":5:1", r"script", None),
    "event-handler": (lambda c: set_line(c, "src/one.md", 3,
                                         'Intro <span onclick="alert(1)">paragraph</span>.[^a]'),
                      "dropped", ONE + ":3:13", r"onclick", None),
    "javascript-url": (lambda c: set_line(c, "src/one.md", 7, "See [two](javascript:alert(1))."),
                       "dropped", ONE + ":7:5", r"javascript", None),
    "data-url": (lambda c: set_line(c, "src/one.md", 7, "See [two](data:text/html,<b>x</b>)."),
                 "dropped", ONE + ":7:5", r"data", None),
    "img-onerror": (lambda c: set_line(c, "src/one.md", 3,
                                       'Intro <img src="images/dot.png" onerror="alert(1)" alt="x"/>.[^a]'),
                    "dropped", ONE + ":3:33", r"onerror", None),
    # images
    "image-missing": (lambda c: set_line(c, "src/one.md", 9, "![A dot](images/nothing.png)"),
                      "error", ONE + ":9:1", r"nothing\.png", None),
    "image-not-an-image": (lambda c: put(c, "src/images/dot.png", "this is text, not a PNG\n"),
                           "error", ONE + ":9:1", r"dot\.png", None),
    "image-corrupt": (lambda c: put(c, "src/images/dot.png",
                                    png(1, 1, rows=b"\x78\x9c garbage, not deflate")),
                      "error", ONE + ":9:1", r"dot\.png", None),
    "image-16-bit": (lambda c: put(c, "src/images/dot.png", png(1, 1, depth=16)),
                     "accept", None, None, image_in_books),
    "image-100000-px": (lambda c: put(c, "src/images/dot.png",
                                      png(100000, 1, rows=zlib.compress(b"\x00" * 100001))),
                        "error", ONE + ":9:1", r"100000", None),
    # mdBook's links preprocessor and pandoc's metadata block (issue 9)
    "include-missing": (lambda c: set_line(c, "src/one.md", 3, "{{#include nothing.md}}"),
                        "error", ONE + ":3:1", r"nothing\.md", None),
    "include-self": (lambda c: set_line(c, "src/one.md", 7, "See {{#include one.md}}."),
                     "error", ONE + ":7:5", r"include cycle", None),
    "include-error-inside": (include_error_inside, "warning", "book/src/part.md:2:5",
                             r"missing\.md", None),
    "yaml-metadata-bad": (lambda c: put(c, "src/one.md", "---\ntitle: [Broken\n---\n\n" +
                                        BASE_BOOK["src/one.md"]),
                          "error", ONE + ":3:1", r"YAML", None),
    "yaml-metadata-wrong-type": (lambda c: put(c, "src/one.md",
                                               "---\nlang: [en, de]\n---\n\n" +
                                               BASE_BOOK["src/one.md"]),
                                 "error", ONE + ":2:7", r"'lang'", None),
    # paths that leave the book
    "path-dotdot": (dotdot_path, "error", ONE + ":9:1", r"outside\.png", None),
    "path-absolute": (absolute_path, "error", ONE + ":9:1", r"outside\.png", None),
    "path-symlink-out": (symlink_out, "error", ONE + ":9:1", r"link\.png", None),
    # notes and links
    "footnote-undefined": (lambda c: set_line(c, "src/one.md", 3, "Intro paragraph.[^zz][^a]"),
                           "error", ONE + ":3:17", r"\[\^zz\] is not defined", None),
    "footnote-unused": (lambda c: set_line(c, "src/one.md", 3, "Intro paragraph."),
                        "warning", ONE + ":11:1", r"\[\^a\] is never referenced", None),
    # (a warning, the second definition ignored: see the note in the report of issue 4)
    "footnote-duplicate": (lambda c: set_line(c, "src/one.md", 11, "[^a]: A note.\n\n[^a]: Again."),
                           "warning", ONE + ":13:1", r"defined twice", None),
    "link-broken": (lambda c: set_line(c, "src/one.md", 7, "See [two](twelve.md)."),
                    "warning", ONE + ":7:5", r"twelve\.md", None),
    "link-fragment": (lambda c: set_line(c, "src/one.md", 7, "See [two](two.md#no-such-place)."),
                      "warning", ONE + ":7:5", r"no-such-place", None),
    # fonts and output
    "font-missing": (missing_font, "error", "book/pdf-style.toml:3:10", r"NoSuchSerif", None),
    # (a warning: the EPUB is right, and tests/books' torture book, with Chinese, Japanese
    # and Korean text in Noto Serif, must build)
    "font-missing-glyph": (lambda c: set_line(c, "src/one.md", 3, "Intro \ue000 paragraph.[^a]"),
                           "warning", ONE + ":3:7", r"U\+E000", None),
    "output-unwritable": (unwritable_output, "error", "blocker/out", r"output directory", None),
    "output-file-is-a-directory": (directory_in_the_way, "error", "dist2/broken-book.epub",
                                   r"directory", None),
    "disk-full": (disk_full, "error", "dist/broken-book.epub", r"File too large", None),
}


# --------------------------------------------------------------------------- running an entry

def snapshot(folder):
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, folder)] = hashlib.sha256(read(p)).hexdigest()
    return out


def build_good(ctx):
    for rel, text in BASE_BOOK.items():
        put(ctx, rel, text)
    put(ctx, "src/images/dot.png", DOT_PNG)
    rc, _, err = ctx.build()
    check(rc == 0, f"the base book does not build (exit {rc}):\n{err}")
    before = snapshot(ctx.path("dist"))
    check(sorted(os.path.splitext(f)[1] for f in before) == [".epub", ".pdf"],
          f"the good build wrote {sorted(before)}, expected one EPUB and one PDF")
    return before


def find_diagnostic(stderr, where, severity, needle):
    """Returns (line, next line) of the first diagnostic at WHERE of SEVERITY whose
    message matches NEEDLE, or None."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith(where):
            continue
        # WHERE is the whole of file:line:col (or the file alone where there is no line).
        m = re.match(": " + severity + r": (.*)", line[len(where):])
        if m and re.search(needle, m.group(1)):
            return line, lines[i + 1] if i + 1 < len(lines) else ""
    return None


def run_entry(name, exe, work, probe=False):
    breaker, kind, where, needle, extra = CATALOGUE[name]
    ctx = Ctx(exe, work)
    before = build_good(ctx)
    breaker(ctx)
    rc, _, err = ctx.build()
    if probe:
        print(f"exit {rc}\n{err}")
        return
    check(rc >= 0, f"colophon was killed by signal {-rc}:\n{err}")
    check("internal error" not in err and "bug in colophon" not in err,
          f"colophon reported an internal error:\n{err}")
    after = snapshot(ctx.path("dist"))

    if kind == "dropped":
        kind = "error" if rc == 1 else "warning"
        if kind == "warning":
            with zipfile.ZipFile(os.path.join(ctx.path("dist"), next(
                    f for f in os.listdir(ctx.path("dist")) if f.endswith(".epub")))) as z:
                for entry in z.namelist():
                    data = z.read(entry).lower()
                    found = [h.decode() for h in HOSTILE if h in data]
                    check(not found, f"{found} reached {entry} of the EPUB")
    if kind == "accept":
        check(rc == 0, f"expected exit 0 (accepted), got {rc}:\n{err}")
        check(": error:" not in err and ": warning:" not in err,
              f"expected no diagnostic:\n{err}")
        extra(ctx)
        print(f"accepted: exit 0, no diagnostic")
        return
    want_rc = 1 if kind == "error" else 0
    check(rc == want_rc, f"expected exit {want_rc}, got {rc}:\n{err}")
    found = find_diagnostic(err, where, kind, needle)
    check(found, f"no `{where}: {kind}: ` line matching /{needle}/ in stderr:\n{err}")
    line, below = found
    check(below.startswith("  hint: ") and len(below) > len("  hint: ") + 10,
          f"the diagnostic has no hint line below it:\n{line}\n{below}")
    if kind == "error":
        check(after == before, f"dist/ changed after a failed build: {before} -> {after}")
    else:
        check(sorted(os.path.splitext(f)[1] for f in after) == [".epub", ".pdf"],
              f"a build with a warning wrote {sorted(after)}")
    print(f"exit {rc}; {line}\n{below}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--colophon")
    ap.add_argument("--work-root")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("name", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CATALOGUE))
        return 0
    if args.name not in CATALOGUE or not args.colophon:
        ap.error("give --colophon EXE and an entry NAME (see --list)")
    if args.work_root:
        os.makedirs(args.work_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=args.name + "-", dir=args.work_root)
    try:
        run_entry(args.name, os.path.abspath(args.colophon), work, args.probe)
    except (Fail, subprocess.TimeoutExpired) as e:
        print(f"FAILED catalogue.{args.name}: {e}\n(work folder kept: {work})")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"PASSED catalogue.{args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
