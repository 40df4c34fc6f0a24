#!/usr/bin/env python3
"""End-to-end tests of the colophon executable, one ctest test per case.

    run.py --colophon EXE --source REPO CASE     run one case (exit 0 pass, 1 fail, 77 skip)
    run.py --list                                print every case name, one a line

Cases are GROUP:NAME. Groups: epubcheck:<book>, pdf:<book> (qpdf, pdffonts, pdftotext),
bad:<error> (exit 1, file:line:col diagnostic with a hint, previous EPUB untouched),
hostile:<markup> (script never reaches the EPUB), accept:<input>, usage:<error> (exit 2), cli:<command>, determinism:<format>.
Books: sample (the repository's book/), torture (tests/books/gen_torture.py), corpus
(../shared/corpus/ten-days, skipped when absent), scaffold (`colophon new`) and single
(one Markdown file). Set KEEP=1 to keep the work folder of a passing case.
"""

import argparse
import glob
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile

SKIP = 77  # ctest SKIP_RETURN_CODE
EPOCH = "1700000000"
VERSION_LINE = "colophon 0.1.0"


class Skip(Exception):
    """Raised to skip a case whose prerequisite (a tool, the corpus) is missing."""


class Fail(Exception):
    """Raised when a case fails; the message says what was expected and what came."""


def check(cond, message):
    if not cond:
        raise Fail(message)


class Ctx:
    """What every case needs: the executable, the repository and a private work folder."""

    def __init__(self, exe, source, work):
        self.exe, self.source, self.work = exe, source, work

    def colophon(self, args, cwd=None, env=None, limit_file_bytes=None, timeout=300):
        """Runs colophon with ARGS; returns the CompletedProcess (text stdout/stderr)."""
        full_env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC")
        full_env.update(env or {})

        def limit():
            if limit_file_bytes is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

        proc = subprocess.run([self.exe] + args, cwd=cwd or self.work, env=full_env,
                              capture_output=True, timeout=timeout, preexec_fn=limit)
        proc.stdout = proc.stdout.decode("utf-8", "replace")
        proc.stderr = proc.stderr.decode("utf-8", "replace")
        return proc

    def build(self, book, out, fmt="epub", cwd=None, env=None, expect=0, **kw):
        """Builds BOOK into OUT; fails the case unless the exit code is EXPECT."""
        args = ["build", book, "-o", out, "--format", fmt] + getattr(self, "build_flags", [])
        proc = self.colophon(args, cwd=cwd, env=env, **kw)
        check(proc.returncode == expect,
              f"`colophon build {book} -o {out} --format {fmt}` exited {proc.returncode}, "
              f"expected {expect}; stderr:\n{proc.stderr}")
        return proc


def describe(proc):
    return f"exit {proc.returncode}\n--- stderr:\n{proc.stderr}--- stdout:\n{proc.stdout[:2000]}"


def need_tool(*names):
    for name in names:
        if not shutil.which(name):
            raise Skip(f"{name} is not installed")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(folder):
    """Returns {file name: sha256} of every file in FOLDER (recursively)."""
    out = {}
    for d, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, folder)] = sha256(p)
    return out


def only_file(folder, ext):
    found = sorted(glob.glob(os.path.join(folder, "*." + ext)))
    check(len(found) == 1, f"expected one .{ext} in {folder}, found {found}")
    return found[0]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --------------------------------------------------------------------------- books

SINGLE_FILE = """# An Essay on Margins

Margins frame the text block.[^m] A page without them reads like a shout.

## Proportions

The classic canon puts the inner margin at half the outer one; see
[the start](#an-essay-on-margins).

[^m]: Tschichold measured many medieval books to find the canon.
"""


def prepare_book(ctx, kind):
    """Makes book KIND under the work folder; returns (input argument, words in its text)."""
    if kind == "sample":
        src = os.path.join(ctx.source, "book")
        check(os.path.isfile(os.path.join(src, "book.toml")), f"{src}/book.toml is missing")
        shutil.copytree(src, os.path.join(ctx.work, "book"), symlinks=True)
        with open(os.path.join(src, "book.toml"), "rb") as f:
            title = tomllib.load(f).get("book", {}).get("title", "")
        words = [w for w in re.findall(r"[A-Za-z]{4,}", title)][:3]
        check(words, f"the sample book's title {title!r} has no word to look for")
        return "book", words
    if kind == "torture":
        gen = os.path.join(ctx.source, "tests", "books", "gen_torture.py")
        subprocess.run([sys.executable, gen, os.path.join(ctx.work, "book")], check=True)
        return "book", ["Quillwort", "Marchpane", "Zephyrine", "Torture"]
    if kind == "corpus":
        corpus = os.path.normpath(os.path.join(ctx.source, "..", "shared", "corpus", "ten-days"))
        if not os.path.isfile(os.path.join(corpus, "book.toml")):
            raise Skip(f"the corpus book is absent ({corpus})")
        # Two of its links point at ids its conversion dropped (#chapter-3-p-6,
        # #chapter-11-blockquote-8): an error by default, so build it as a user would.
        ctx.build_flags = ["--missing-anchors=warning"]
        return corpus, ["Petrograd", "Smolny", "Kerensky"]
    if kind == "scaffold":
        proc = ctx.colophon(["new", "book"])
        check(proc.returncode == 0, f"`colophon new book` failed: {describe(proc)}")
        return "book", ["Preface", "Second", "Chapter"]
    if kind == "single":
        write(os.path.join(ctx.work, "essay.md"), SINGLE_FILE)
        return "essay.md", ["Margins", "Proportions", "Tschichold"]
    raise Fail(f"unknown book {kind}")


BOOKS = ["sample", "torture", "corpus", "scaffold", "single"]

# --------------------------------------------------------------------------- epubcheck


def case_epubcheck(ctx, kind):
    need_tool("java")
    jar = "/usr/bin/epubcheck"
    if not os.path.isfile(jar):
        raise Skip("epubcheck is not installed (apt-get install epubcheck)")
    book, _ = prepare_book(ctx, kind)
    ctx.build(book, "out")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    report = os.path.join(ctx.work, "epubcheck.json")
    proc = subprocess.run(["java", "-jar", jar, epub, "--json", report],
                          capture_output=True, text=True, timeout=600)
    check(os.path.isfile(report), f"epubcheck wrote no report: {proc.stdout}{proc.stderr}")
    with open(report, encoding="utf-8") as f:
        messages = json.load(f).get("messages", [])
    bad = [m for m in messages if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
    lines = []
    for m in bad:
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                          for loc in m.get("locations", [])[:3])
        lines.append(f"  {m.get('severity')} {m.get('ID')}: {m.get('message')} [{where}]")
    check(not bad, f"epubcheck found {len(bad)} errors/warnings in {epub}:\n" + "\n".join(lines))
    check(proc.returncode == 0, f"epubcheck exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    print(f"epubcheck: {os.path.basename(epub)}: 0 errors, 0 warnings")


# --------------------------------------------------------------------------- PDF


def pdf_words(text):
    """Joins words hyphenated across lines and collapses white space."""
    text = text.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text)


def case_pdf(ctx, kind):
    need_tool("qpdf", "pdffonts", "pdftotext")
    book, words = prepare_book(ctx, kind)
    ctx.build(book, "out", fmt="pdf")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")

    q = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    check(q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout,
          f"qpdf --check exited {q.returncode}:\n{q.stdout}{q.stderr}")

    f = subprocess.run(["pdffonts", pdf], capture_output=True, text=True)
    check(f.returncode == 0, f"pdffonts failed: {f.stderr}")
    rows = f.stdout.splitlines()
    check(len(rows) >= 3, f"pdffonts lists no font:\n{f.stdout}")
    col = rows[0].index("emb")
    not_embedded = [r for r in rows[2:] if r[col:col + 3] != "yes"]
    check(not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded))

    t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True)
    text = pdf_words(t.stdout.decode("utf-8", "replace"))
    check(t.returncode == 0 and text.strip(), f"pdftotext gave no text (exit {t.returncode})")
    missing = [w for w in words if w not in text]
    check(not missing, f"pdftotext output lacks {missing}; it begins: {text[:600]!r}")
    print(f"pdf: {os.path.basename(pdf)}: qpdf clean, {len(rows) - 2} fonts embedded, "
          f"{len(text)} characters of text")


# --------------------------------------------------------------------------- bad input

# The small book every bad-input case starts from; line numbers below depend on it.
BASE_BOOK = {
    "book.toml": '[book]\ntitle = "Broken Book"\nauthors = ["Tester"]\nlanguage = "en"\n',
    "src/SUMMARY.md": "# Summary\n\n- [One](one.md)\n- [Two](two.md)\n",
    "src/one.md": ("# One\n"                                # 1
                   "\n"                                     # 2
                   "Intro paragraph.[^a]\n"                 # 3
                   "\n"                                     # 4
                   "## Section\n"                           # 5
                   "\n"                                     # 6
                   "See [two](two.md#second-section).\n"    # 7
                   "\n"                                     # 8
                   "![A dot](images/dot.png)\n"             # 9
                   "\n"                                     # 10
                   "[^a]: A note.\n"),                      # 11
    "src/two.md": "# Two\n\n## Second section\n\nText.\n",
}
# A 1x1 black PNG, 8-bit greyscale.
DOT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a4944415478da6360000000020001e527defc0000000049454e44ae426082")


def replace_line(ctx, rel, line, text):
    path = os.path.join(ctx.work, "book", rel)
    lines = read(path).split(b"\n")
    lines[line - 1] = text.encode("utf-8") if isinstance(text, str) else text
    write(path, b"\n".join(lines))


def outside_png(ctx):
    """Writes an image outside the book folder and returns its absolute path."""
    path = os.path.join(ctx.work, "outside.png")
    write(path, DOT_PNG)
    return path


def break_symlink(ctx):
    os.symlink(outside_png(ctx), os.path.join(ctx.work, "book", "src", "images", "link.png"))
    replace_line(ctx, "src/one.md", 9, "![A dot](images/link.png)")


def break_absolute(ctx):
    replace_line(ctx, "src/one.md", 9, f"![A dot]({outside_png(ctx)})")


def break_dotdot(ctx):
    outside_png(ctx)
    replace_line(ctx, "src/one.md", 9, "![A dot](../../outside.png)")


# name: (how to break the book, expected diagnostic regex, extra build arguments).
# Paths in messages are as the user named them: the book is built as `book` from the
# work folder, so chapter diagnostics read `book/src/one.md:LINE:COL: error: ...`.
POS = r":\d+: error: "
BAD_CASES = {
    "toml-malformed": (lambda c: replace_line(c, "book.toml", 2, 'title = "Broken Book'),
                       r"book/book\.toml:2" + POS),
    "summary-missing-file": (lambda c: write(os.path.join(c.work, "book/src/SUMMARY.md"),
                                             BASE_BOOK["src/SUMMARY.md"] + "- [Three](three.md)\n"),
                             r"book/src/SUMMARY\.md:5" + POS + r".*three\.md"),
    "summary-same-file-twice": (lambda c: write(os.path.join(c.work, "book/src/SUMMARY.md"),
                                                BASE_BOOK["src/SUMMARY.md"] + "- [Again](one.md)\n"),
                                r"book/src/SUMMARY\.md:5" + POS + r".*one\.md"),
    "no-chapters": (lambda c: write(os.path.join(c.work, "book/src/SUMMARY.md"), "# Summary\n"),
                    r"book/src/SUMMARY\.md(:\d+(:\d+)?)?: error: "),
    "invalid-utf8": (lambda c: replace_line(c, "src/one.md", 3, b"Intro \xff paragraph.[^a]"),
                     r"book/src/one\.md:3" + POS + r".*\b1[34]\b"),  # byte offset 13 (or 14 from 1)
    "nul-byte": (lambda c: replace_line(c, "src/one.md", 3, b"Intro \x00 paragraph.[^a]"),
                 r"book/src/one\.md:3" + POS),
    "broken-link": (lambda c: replace_line(c, "src/one.md", 7, "See [two](twelve.md)."),
                    r"book/src/one\.md:7" + POS + r".*twelve\.md"),
    "missing-fragment": (lambda c: replace_line(c, "src/one.md", 7, "See [two](two.md#no-such-place)."),
                         r"book/src/one\.md:7" + POS + r".*no-such-place"),
    "missing-image": (lambda c: replace_line(c, "src/one.md", 9, "![A dot](images/nothing.png)"),
                      r"book/src/one\.md:9" + POS + r".*nothing\.png"),
    "image-dotdot": (break_dotdot, r"book/src/one\.md:9" + POS),
    "image-absolute": (break_absolute, r"book/src/one\.md:9" + POS),
    "image-symlink-out": (break_symlink, r"book/src/one\.md:9" + POS),
    "image-not-an-image": (lambda c: write(os.path.join(c.work, "book/src/images/dot.png"),
                                           "this is text, not a PNG\n"),
                           r"book/src/one\.md:9" + POS + r".*dot\.png"),
    "undefined-footnote": (lambda c: replace_line(c, "src/one.md", 3, "Intro paragraph.[^zz]"),
                           r"book/src/one\.md:3" + POS + r".*zz"),
    "raw-html-unclosed": (lambda c: replace_line(c, "src/one.md", 5, '<div class="unclosed">'),
                          r"book/src/one\.md:5" + POS),
    "raw-html-unknown-element": (lambda c: replace_line(c, "src/one.md", 3, "Intro <foo>paragraph</foo>."),
                                 r"book/src/one\.md:3" + POS + r".*foo"),
}


def build_good(ctx):
    """Writes the base book, builds it into dist/ and returns dist's snapshot."""
    for rel, text in BASE_BOOK.items():
        write(os.path.join(ctx.work, "book", rel), text)
    write(os.path.join(ctx.work, "book", "src", "images", "dot.png"), DOT_PNG)
    ctx.build("book", "dist")
    only_file(os.path.join(ctx.work, "dist"), "epub")
    return snapshot(os.path.join(ctx.work, "dist"))


def expect_failure(ctx, proc, pattern, before, want_hint=True):
    """Checks exit 1, a diagnostic matching PATTERN with a hint, and dist/ unchanged."""
    after = snapshot(os.path.join(ctx.work, "dist"))
    kept = "dist/ kept as it was" if after == before else f"dist/ CHANGED: {before} -> {after}"
    check(proc.returncode >= 0, f"colophon was killed by signal {-proc.returncode} ({kept})")
    check(proc.returncode == 1, f"expected exit 1, got {describe(proc)}")
    match = re.search(pattern, proc.stderr, re.MULTILINE)
    check(match, f"no diagnostic matching /{pattern}/ in stderr:\n{proc.stderr}")
    if want_hint:
        check("hint: " in proc.stderr, f"the diagnostic has no hint line:\n{proc.stderr}")
    check("internal error" not in proc.stderr, f"colophon reported an internal error:\n{proc.stderr}")
    check(after == before, kept)
    start = proc.stderr.rfind("\n", 0, match.start()) + 1
    end = proc.stderr.find("\n", match.end())
    print(f"diagnostic: {proc.stderr[start:end if end >= 0 else None]}")


def case_bad(ctx, name):
    if name in BAD_CASES:
        breaker, pattern = BAD_CASES[name]
        before = build_good(ctx)
        breaker(ctx)
        proc = ctx.colophon(["build", "book", "-o", "dist", "--format", "epub"])
        expect_failure(ctx, proc, pattern, before)
    elif name == "output-is-a-file":
        before = build_good(ctx)
        write(os.path.join(ctx.work, "blocker"), "a file where the output folder should be\n")
        proc = ctx.colophon(["build", "book", "-o", "blocker/out", "--format", "epub"])
        expect_failure(ctx, proc, r"blocker(/out)?.*error: ", before)
    elif name == "output-file-is-a-directory":
        before = build_good(ctx)
        epub = only_file(os.path.join(ctx.work, "dist"), "epub")
        target = os.path.join(ctx.work, "dist2", os.path.basename(epub))
        os.makedirs(os.path.join(target, "inside"))
        proc = ctx.colophon(["build", "book", "-o", "dist2", "--format", "epub"])
        expect_failure(ctx, proc, r"dist2/.*\.epub.*error: |error: .*dist2/", before)
        check(os.path.isdir(os.path.join(target, "inside")), "the directory in the way was removed")
    elif name == "disk-full":
        before = build_good(ctx)
        # A file-size limit below the EPUB's size: writes fail (EFBIG, or SIGXFSZ if not
        # ignored) as on a full disk. colophon must report it and keep the old EPUB.
        noise = " ".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(2000))
        replace_line(ctx, "src/two.md", 5, noise)
        proc = ctx.colophon(["build", "book", "-o", "dist", "--format", "epub"],
                            limit_file_bytes=4096)
        expect_failure(ctx, proc, r"error: ", before, want_hint=False)
    else:
        raise Fail(f"unknown case bad:{name}")


# --------------------------------------------------------------------------- hostile markup

# Script in any form must never reach the EPUB: refused (exit 1 at its line) or
# dropped with a warning (exit 0, and no trace of it in any file of the EPUB).
HOSTILE = [b"<script", b"javascript:", b"onclick", b"onerror", b"data:text/html"]


def case_hostile(ctx, name):
    lines = {
        "script": (3, "<script>alert(1)</script>"),
        "event-handler": (3, 'Intro <span onclick="alert(1)">paragraph</span>.'),
        "javascript-url": (7, "See [two](javascript:alert(1))."),
        "data-url": (7, "See [two](data:text/html,<b>x</b>)."),
        "raw-img-onerror": (3, 'Intro <img src="x" onerror="alert(1)" alt="x"/>.'),
    }
    check(name in lines, f"unknown case hostile:{name}")
    line, text = lines[name]
    before = build_good(ctx)
    replace_line(ctx, "src/one.md", line, text)
    proc = ctx.colophon(["build", "book", "-o", "dist", "--format", "epub"])
    if proc.returncode == 1:
        expect_failure(ctx, proc, rf"book/src/one\.md:{line}" + POS, before)
        return
    check(proc.returncode == 0, f"expected exit 0 (dropped) or 1 (refused), got {describe(proc)}")
    check("warning" in proc.stderr, f"dropped without a warning:\n{proc.stderr}")
    with zipfile.ZipFile(only_file(os.path.join(ctx.work, "dist"), "epub")) as z:
        for entry in z.namelist():
            data = z.read(entry).lower()
            found = [h.decode() for h in HOSTILE if h in data]
            check(not found, f"{found} reached {entry} of the EPUB")
    warning = next(l for l in proc.stderr.splitlines() if "warning" in l)
    print(f"dropped with a warning: {warning}")


# --------------------------------------------------------------------------- accepted input


def case_accept(ctx, name):
    build_good(ctx)
    root = os.path.join(ctx.work, "book")
    if name == "bom":
        for rel in ("src/one.md", "src/SUMMARY.md", "book.toml"):
            write(os.path.join(root, rel), b"\xef\xbb\xbf" + read(os.path.join(root, rel)))
    elif name == "crlf":
        for rel in BASE_BOOK:
            write(os.path.join(root, rel), read(os.path.join(root, rel)).replace(b"\n", b"\r\n"))
    else:
        raise Fail(f"unknown case accept:{name}")
    shutil.rmtree(os.path.join(ctx.work, "dist"))
    proc = ctx.build("book", "dist")
    check("error" not in proc.stderr, f"unexpected error message:\n{proc.stderr}")
    only_file(os.path.join(ctx.work, "dist"), "epub")
    dump = ctx.colophon(["dump", "book"])
    check(dump.returncode == 0, f"dump failed: {describe(dump)}")
    check("\ufeff" not in dump.stdout and "\r" not in dump.stdout,
          "a BOM or CR reached the model:\n" + dump.stdout[:1500])


# --------------------------------------------------------------------------- usage and CLI

USAGE_CASES = {
    "unknown-option": ["build", "--frobnicate"],
    "bad-format": ["build", "--format", "docx"],
    "no-command": [],
    "unknown-command": ["publish"],
}


def case_usage(ctx, name):
    check(name in USAGE_CASES, f"unknown case usage:{name}")
    proc = ctx.colophon(USAGE_CASES[name])
    check(proc.returncode == 2, f"expected exit 2, got {describe(proc)}")
    check(proc.stderr.strip(), "a usage error printed nothing on stderr")


def case_cli(ctx, name):
    if name.startswith("help-"):
        command = name[len("help-"):]
        args = ["--help"] if command == "main" else [command, "--help"]
        proc = ctx.colophon(args)
        check(proc.returncode == 0, f"`colophon {' '.join(args)}` gave {describe(proc)}")
        expected = "build" if command == "main" else command
        check(expected in proc.stdout, f"the help text does not mention {expected!r}:\n{proc.stdout}")
    elif name == "version":
        proc = ctx.colophon(["--version"])
        check(proc.returncode == 0 and proc.stdout.strip() == VERSION_LINE,
              f"expected {VERSION_LINE!r} on stdout, got {describe(proc)}")
    elif name == "new-then-build":
        proc = ctx.colophon(["new", "fresh"])
        check(proc.returncode == 0, f"new failed: {describe(proc)}")
        ctx.build("fresh", "out")
        only_file(os.path.join(ctx.work, "out"), "epub")
        check_proc = ctx.colophon(["check", "fresh"])
        check(check_proc.returncode == 0, f"check failed: {describe(check_proc)}")
    elif name == "new-nonempty":
        write(os.path.join(ctx.work, "full", "notes.txt"), "keep me\n")
        proc = ctx.colophon(["new", "full"])
        check(proc.returncode == 1, f"expected exit 1, got {describe(proc)}")
        check(os.listdir(os.path.join(ctx.work, "full")) == ["notes.txt"] and
              read(os.path.join(ctx.work, "full", "notes.txt")) == b"keep me\n",
              "new changed a non-empty directory")
    elif name == "check-writes-nothing":
        ctx.colophon(["new", "book"])
        before = snapshot(ctx.work)
        proc = ctx.colophon(["check", "book"])
        check(proc.returncode == 0, f"check failed: {describe(proc)}")
        check(snapshot(ctx.work) == before, "check wrote files")
    elif name == "dump":
        ctx.colophon(["new", "book"])
        proc = ctx.colophon(["dump", "book"])
        check(proc.returncode == 0, f"dump failed: {describe(proc)}")
        check("The First Chapter" in proc.stdout, f"dump lacks a chapter title:\n{proc.stdout[:1500]}")
    else:
        raise Fail(f"unknown case cli:{name}")


# --------------------------------------------------------------------------- determinism


def case_determinism(ctx, fmt):
    prepare_book(ctx, "torture")
    shutil.copytree(os.path.join(ctx.work, "book"), os.path.join(ctx.work, "elsewhere", "copy"))
    runs = {
        "first (TZ=UTC)": ("book", {"TZ": "UTC"}),
        "second (TZ=UTC)": ("book", {"TZ": "UTC"}),
        "TZ=Asia/Tokyo": ("book", {"TZ": "Asia/Tokyo"}),
        "a copy in another folder": ("elsewhere/copy", {"TZ": "UTC"}),
    }
    digests = {}
    for i, (label, (book, env)) in enumerate(runs.items()):
        out = f"out{i}"
        ctx.build(book, out, fmt=fmt, env=env)
        digests[label] = sha256(only_file(os.path.join(ctx.work, out), fmt))
    first = digests["first (TZ=UTC)"]
    differ = [label for label, d in digests.items() if d != first]
    check(not differ, f"the {fmt.upper()} differs from the first build for: {differ} "
          f"(outputs kept in {ctx.work}/out*)")
    print(f"determinism: {len(digests)} builds, one {fmt.upper()}: {first[:16]}")


# --------------------------------------------------------------------------- driver

GROUPS = {
    "epubcheck": (case_epubcheck, BOOKS),
    "pdf": (case_pdf, BOOKS + ["determinism"]),
    "bad": (case_bad, list(BAD_CASES) + ["output-is-a-file", "output-file-is-a-directory",
                                         "disk-full"]),
    "hostile": (case_hostile, ["script", "event-handler", "javascript-url", "data-url",
                               "raw-img-onerror"]),
    "accept": (case_accept, ["bom", "crlf"]),
    "usage": (case_usage, list(USAGE_CASES)),
    "cli": (case_cli, ["help-main", "help-build", "help-check", "help-new", "help-dump",
                       "version", "new-then-build", "new-nonempty", "check-writes-nothing",
                       "dump"]),
    "determinism": (case_determinism, ["epub"]),
}


def all_cases():
    return [f"{g}:{n}" for g, (_, names) in GROUPS.items() for n in names]


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
    if group == "pdf" and name == "determinism":
        func, arg = case_determinism, "pdf"
    else:
        func, arg = GROUPS[group][0], name
    try:
        func(ctx, arg)
    except Skip as e:
        print(f"*** SKIPPED {args.case}: {e} ***")
        shutil.rmtree(work, ignore_errors=True)
        return SKIP
    except (Fail, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
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
