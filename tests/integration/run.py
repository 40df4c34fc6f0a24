#!/usr/bin/env python3
"""End-to-end tests of the colophon executable, one ctest test per case.

    run.py --colophon EXE --source REPO CASE     run one case (exit 0 pass, 1 fail, 77 skip)
    run.py --list                                print every case name, one a line

Cases are GROUP:NAME. Groups: epubcheck:<book>, pdf:<book> (qpdf, pdffonts, pdftotext),
usage:<error> (exit 2), cli:<command>, determinism:<format>. Broken, hostile and accepted
input is in the error catalogue, tests/catalogue/catalogue.py.
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
import zipfile
import tempfile
import tomllib

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
    if kind == "mdbook":
        corpus = os.path.normpath(os.path.join(ctx.source, "..", "shared", "corpus", "mdbook"))
        if not os.path.isfile(os.path.join(corpus, "guide", "book.toml")):
            raise Skip(f"mdBook's guide is absent ({corpus})")
        # As case_mdbook builds it: in a git work tree, its cargo preprocessor not found.
        need_tool("git")
        tree = os.path.join(ctx.work, "mdBook")
        shutil.copytree(corpus, tree)
        subprocess.run(["git", "init", "-q", tree], check=True)
        ctx.build_env = {"PATH": path_without("cargo")}
        return os.path.join(tree, "guide"), ["Preprocessors", "Renderers", "Configuration"]
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


def case_epubcheck(ctx, kind, target="epub"):
    need_tool("java")
    jar = "/usr/bin/epubcheck"
    if not os.path.isfile(jar):
        raise Skip("epubcheck is not installed (apt-get install epubcheck)")
    book, _ = prepare_book(ctx, kind)
    if target == "epub":
        ctx.build(book, "out")
    else:
        args = ["build", book, "-o", "out", "--target", target] + getattr(ctx, "build_flags", [])
        proc = ctx.colophon(args, env=getattr(ctx, "build_env", None))
        check(proc.returncode == 0, f"`colophon {' '.join(args)}` failed: {describe(proc)}")
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
    proc = ctx.build(book, "out", fmt="pdf")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    if kind in ("sample", "corpus"):
        # Real prose cuts no word between letters: table columns are made wide enough for
        # their widest word, and these books have no word wider than the text block.
        cut = [l for l in proc.stderr.splitlines() if "wider than the line" in l]
        check(not cut, "words cut between letters:\n" + "\n".join(cut))
    if kind == "sample":
        # The guide is our front page: its PDF builds without a single warning (its SVG
        # figure is printed from the PNG beside it, not as a placeholder).
        warnings = [l for l in proc.stderr.splitlines() if ": warning: " in l]
        check(not warnings, "the guide's PDF build warns:\n" + "\n".join(warnings))

    qpdf_clean(pdf)

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


# Bad, hostile and accepted input (bad:, hostile:, accept: before) is the error
# catalogue now: tests/catalogue/catalogue.py, one ctest test catalogue.<entry> each.


# --------------------------------------------------------------------------- usage and CLI

USAGE_CASES = {
    "unknown-option": ["build", "--frobnicate"],
    "bad-format": ["build", "--format", "docx"],
    "no-command": [],
    "unknown-command": ["publish"],
    "unknown-target": ["build", "--target", "epub,docx"],
    "format-and-target": ["build", "--format", "epub", "--target", "pdf"],
    "check-unknown-target": ["check", "--target", "mobi"],
    "bad-lang": ["build", "essay.md", "--lang", "en_GB"],
    "title-for-folder": ["build", ".", "--title", "A Title"],
    "quiet-and-verbose": ["build", "-q", "-v"],
    "extra-argument": ["build", "one", "two"],
    "out-file-and-targets": ["build", "-o", "x.epub", "--target", "epub,pdf"],
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
        for flag in ("--version", "-V"):
            proc = ctx.colophon([flag])
            check(proc.returncode == 0 and proc.stdout.strip() == VERSION_LINE,
                  f"{flag}: expected {VERSION_LINE!r} on stdout, got {describe(proc)}")
    elif name == "commands":
        # `colophon help` and -h list every command, one line each, on stdout (exit 0);
        # `colophon` alone lists them too, on stderr, as a usage error (exit 2).
        commands = ["build", "check", "watch", "serve", "clean", "new", "dump", "help"]
        for args, code, stream in ((["help"], 0, "stdout"), (["-h"], 0, "stdout"),
                                   ([], 2, "stderr")):
            proc = ctx.colophon(args)
            text = getattr(proc, stream)
            check(proc.returncode == code, f"`colophon {' '.join(args)}` gave {describe(proc)}")
            for c in commands:
                lines = [l for l in text.splitlines() if re.match(rf"  {c} +\S", l)]
                check(len(lines) == 1, f"`colophon {' '.join(args)}` has no one line for {c!r} "
                      f"on {stream}:\n{text}")
        proc = ctx.colophon(["help", "build"])
        direct = ctx.colophon(["build", "--help"])
        check(proc.returncode == 0 and "--target" in proc.stdout and
              proc.stdout == direct.stdout, f"`colophon help build` gave {describe(proc)}")
    elif name == "did-you-mean":
        for args, needle in ((["biuld"], "did you mean 'build'?"),
                             (["chekc", "book"], "did you mean 'check'?"),
                             (["help", "dupm"], "did you mean 'dump'?"),
                             (["build", "--titel", "X"], "did you mean '--title'?"),
                             (["build", "--taget", "pdf"], "did you mean '--target'?"),
                             (["--verbsoe", "build"], "did you mean '--verbose'?"),
                             (["build", "--target", "ebup"], "did you mean 'epub'?")):
            proc = ctx.colophon(args)
            check(proc.returncode == 2 and needle in proc.stderr,
                  f"`colophon {' '.join(args)}`: expected exit 2 and {needle!r}, got {describe(proc)}")
        proc = ctx.colophon(["publish"])
        check(proc.returncode == 2 and "unknown command 'publish'" in proc.stderr and
              "did you mean" not in proc.stderr, f"a far-off command got a guess: {describe(proc)}")
    elif name == "colour":
        # Colour on a terminal only, and never with NO_COLOR set.
        write(os.path.join(ctx.work, "book", "book.toml"), "[book]\ntitle = \"Colours\"\nbogus = 1\n")
        write(os.path.join(ctx.work, "book", "src", "SUMMARY.md"), "- [One](one.md)\n")
        write(os.path.join(ctx.work, "book", "src", "one.md"), "# One\n\n![gone](gone.png)\n")
        args = ["check", "book"]
        tty = run_in_pty(ctx, args)
        check(tty["code"] == 1 and "\x1b[1;31merror:" in tty["text"] and
              "\x1b[1;35mwarning:" in tty["text"] and "\x1b[1;32mhint:" in tty["text"],
              f"no colours on a terminal: {tty}")
        plain = run_in_pty(ctx, args, {"NO_COLOR": "1"})
        check(plain["code"] == 1 and "error:" in plain["text"] and "\x1b[" not in plain["text"],
              f"colours with NO_COLOR=1: {plain}")
        proc = ctx.colophon(args)
        check(proc.returncode == 1 and "error:" in proc.stderr and "\x1b[" not in proc.stderr,
              f"colours on a pipe: {describe(proc)}")
        usage = run_in_pty(ctx, ["biuld"])
        check(usage["code"] == 2 and "\x1b[1;31merror:" in usage["text"],
              f"a usage error is not coloured on a terminal: {usage}")
    elif name == "verbosity":
        # -q: errors only; nothing: no stage lines for a quick build unless it takes
        # longer than COLOPHON_PROGRESS_AFTER seconds; -v: every stage.
        ctx.colophon(["new", "book"])
        with open(os.path.join(ctx.work, "book", "src", "chapter-2.md"), "a") as f:
            f.write("\n![missing](nowhere.svg)\n")
        stage = re.compile(r"^colophon: (read|passes|epub|pdf|total) +[0-9.]+ ms$", re.M)
        quiet = ctx.colophon(["build", "book", "-q", "-o", "q"])
        check(quiet.returncode == 1 and "error:" in quiet.stderr and
              not stage.search(quiet.stderr) and "wrote" not in quiet.stderr,
              f"-q printed more than errors: {describe(quiet)}")
        write(os.path.join(ctx.work, "book", "src", "chapter-2.md"), "# Two\n\nText.\n")
        quiet = ctx.colophon(["build", "book", "-q", "-o", "q"])
        check(quiet.returncode == 0 and quiet.stderr == "", f"-q printed: {describe(quiet)}")
        never = ctx.colophon(["build", "book", "-o", "n"], env={"COLOPHON_PROGRESS_AFTER": "1000"})
        check(never.returncode == 0 and not stage.search(never.stderr) and
              "colophon: wrote" in never.stderr, f"a quick build printed stages: {describe(never)}")
        slow = ctx.colophon(["build", "book", "-o", "s"], env={"COLOPHON_PROGRESS_AFTER": "0"})
        got = sorted(set(stage.findall(slow.stderr)))
        check(slow.returncode == 0 and got == ["epub", "passes", "pdf", "read", "total"],
              f"a long build printed stages {got}: {describe(slow)}")
        verbose = ctx.colophon(["build", "book", "-v", "-o", "v"],
                               env={"COLOPHON_PROGRESS_AFTER": "1000"})
        got = sorted(set(stage.findall(verbose.stderr)))
        check(verbose.returncode == 0 and got == ["epub", "passes", "pdf", "read", "total"],
              f"-v printed stages {got}: {describe(verbose)}")
        check_v = ctx.colophon(["-v", "check", "book"], env={"COLOPHON_PROGRESS_AFTER": "1000"})
        check(check_v.returncode == 0 and stage.search(check_v.stderr),
              f"-v before the command printed no stage: {describe(check_v)}")
    elif name == "exit-codes":
        # 0 success, 1 errors in the book, 2 the command line; a bad --lang is usage.
        write(os.path.join(ctx.work, "essay.md"), SINGLE_FILE)
        write(os.path.join(ctx.work, "broken.md"), "# Broken\n\n![x](missing.png)\n")
        for args, code in ((["check", "essay.md"], 0), (["check", "broken.md"], 1),
                           (["check", "essay.md", "--lang", "english!"], 2),
                           (["check", "essay.md", "--lang", "en-GB"], 0),
                           (["check", "essay.md", "--missing-anchors", "maybe"], 2),
                           (["check", "nowhere"], 1), (["check", "essay.md", "extra"], 2)):
            proc = ctx.colophon(args)
            check(proc.returncode == code,
                  f"`colophon {' '.join(args)}`: expected exit {code}, got {describe(proc)}")
    elif name == "inapplicable":
        # Options that do not apply are refused, never silently ignored.
        ctx.colophon(["new", "book"])
        for flag, value in (("--title", "Other"), ("--author", "Someone"), ("--lang", "de")):
            proc = ctx.colophon(["build", "book", flag, value, "-o", "x"])
            check(proc.returncode == 2 and flag + " applies to a single Markdown file" in proc.stderr,
                  f"{flag} for a folder: {describe(proc)}")
            check(not os.path.exists(os.path.join(ctx.work, "x")), "a refused build wrote files")
        proc = ctx.colophon(["dump", "book", "--target", "epub"])
        check(proc.returncode == 2 and "unknown option '--target'" in proc.stderr,
              f"--target for dump: {describe(proc)}")
    elif name == "outputs":
        case_outputs(ctx)
    elif name == "check-finds-what-build-finds":
        # check reports exactly what build reports, for every target, and writes nothing;
        # warnings of one kind come as one line with a count.
        prepare_book(ctx, "torture")
        # Characters no font has (unassigned code points, as fallback by fontconfig finds
        # the torture book's scripts), more of them than the warning lists.
        unassigned = [0x378, 0x379, 0x380, 0x381, 0x382, 0x383, 0x38B, 0x38D, 0x3A2, 0x530,
                      0x557, 0x558, 0x58B, 0x58C, 0x590, 0x5C8, 0x5C9, 0x5CA, 0x5CB, 0x5CC,
                      0x5CD, 0x5CE]
        with open(os.path.join(ctx.work, "book", "src", "part2", "images.md"), "a",
                  encoding="utf-8") as f:
            f.write("\nNo font has " + " ".join(chr(c) for c in unassigned) + ".\n")

        def diagnostics(text):
            return [l for l in text.splitlines()
                    if not l.startswith(("colophon: wrote", "colophon: no errors"))]

        # A build that takes over a second (a loaded machine, a sanitizer) prints its stage
        # times, which check has not: neither prints them here.
        quiet_stages = {"COLOPHON_PROGRESS_AFTER": "1000"}
        for targets in (["--target", "epub,pdf"], []):
            build = ctx.colophon(["build", "book", "-o", "out"] + targets, env=quiet_stages)
            check(build.returncode == 0, f"build {targets}: {describe(build)}")
            before = snapshot(ctx.work)
            found = ctx.colophon(["check", "book"] + targets, env=quiet_stages)
            check(found.returncode == 0, f"check {targets}: {describe(found)}")
            check(snapshot(ctx.work) == before, f"check {targets} wrote files")
            check(diagnostics(found.stderr) == diagnostics(build.stderr),
                  f"check {targets} and build differ:\n--- build:\n{build.stderr}"
                  f"--- check:\n{found.stderr}")
        both = diagnostics(ctx.colophon(["check", "book", "-t", "epub,pdf"]).stderr)
        glyphs = [l for l in both if "characters are in none of the PDF" in l]
        check(len(glyphs) == 1 and re.search(r": warning: 22 characters are in none", glyphs[0])
              and " and " in glyphs[0] and " more" in glyphs[0],
              f"missing glyphs are not one line for the book: {both}")
        check(not [l for l in both if re.search(r"warning: character U\+", l)],
              "a missing glyph has a line of its own")
        # (The book's SVG has a size, so the PDF draws it: no warning for it.)
        for needle in ("checker.gif",):
            check([l for l in both if needle in l], f"check does not report {needle}: {both}")
    elif name == "new-then-build":
        proc = ctx.colophon(["new", "fresh"])
        check(proc.returncode == 0, f"new failed: {describe(proc)}")
        ctx.build("fresh", "out")
        only_file(os.path.join(ctx.work, "out"), "epub")
        check_proc = ctx.colophon(["check", "fresh"])
        check(check_proc.returncode == 0 and "warning" not in check_proc.stderr,
              f"check of a new book failed or warned: {describe(check_proc)}")
        # The sample shows what the guide says it shows, a figure among them.
        with zipfile.ZipFile(os.path.join(ctx.work, "out", next(
                f for f in os.listdir(os.path.join(ctx.work, "out")) if f.endswith(".epub")))) as z:
            names = z.namelist()
            xhtml = "".join(z.read(n).decode("utf-8") for n in names if n.endswith(".xhtml"))
        check(any(n.endswith("harbour.png") for n in names), f"no image in the EPUB: {names}")
        for needle in ("<figure", "<figcaption", "<table", "<blockquote", "<pre", "<em>",
                       "<strong>", "footnote"):
            check(needle in xhtml, f"the new book's EPUB has no {needle}")
    elif name == "stats":
        # --stats prints each stage's work units once its work is counted: every stage
        # of a build and of a check does some work on a new book, so none may say 0
        # (a stage reported before its count was added said 0, as if it did nothing).
        ctx.colophon(["new", "book"])
        for command in ("build", "check"):
            proc = ctx.colophon([command, "book", "--stats", "--target", "epub,pdf,kindle,kobo"])
            check(proc.returncode == 0, f"{command} --stats failed: {describe(proc)}")
            units = {m.group(1): int(m.group(2))
                     for m in re.finditer(r"^colophon: work (\S+) (\d+)$", proc.stderr, re.M)}
            for stage in ("read", "passes", "epub", "pdf", "kindle", "kobo"):
                check(units.get(stage, 0) > 0,
                      f"{command} --stats: stage {stage} reports {units.get(stage)} units:\n"
                      f"{proc.stderr}")
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
    elif name == "targets":
        # Which targets a build writes: the [output.NAME] tables, else epub and pdf;
        # --target overrides both.
        ctx.colophon(["new", "book"])
        toml_path = os.path.join(ctx.work, "book", "book.toml")
        toml = read(toml_path).decode("utf-8")
        check("[output.epub]" in toml and "[output.pdf]" in toml,
              f"`colophon new` names no epub and pdf tables:\n{toml}")

        def built(out, args=()):
            proc = ctx.colophon(["build", "book", "-o", out, *args])
            check(proc.returncode == 0, f"build {list(args)} failed: {describe(proc)}")
            return sorted(os.listdir(os.path.join(ctx.work, out)))

        got = built("both")
        check([f.rsplit(".", 1)[1] for f in got] == ["epub", "pdf"], f"tables epub+pdf gave {got}")
        write(toml_path, toml.replace("[output.pdf]", ""))
        got = built("epub-table")
        check(len(got) == 1 and got[0].endswith(".epub"), f"table epub only gave {got}")
        got = built("pdf-flag", ["--target", "pdf"])
        check(len(got) == 1 and got[0].endswith(".pdf"), f"--target pdf gave {got}")
        write(toml_path, "[book]\ntitle = \"No Tables\"\n[output.html]\n")
        got = built("default")
        check(got == ["no-tables.epub", "no-tables.pdf"], f"no colophon table gave {got}")
        got = built("list", ["-t", "pdf,epub"])
        check(got == ["no-tables.epub", "no-tables.pdf"], f"-t pdf,epub gave {got}")
        proc = ctx.colophon(["build", "book", "-o", "bad", "--target", "epub,nope"])
        check(proc.returncode == 2 and "unknown target 'nope'" in proc.stderr and
              "epub, pdf" in proc.stderr, f"an unknown target gave {describe(proc)}")
        check(not os.path.exists(os.path.join(ctx.work, "bad")), "a usage error wrote files")
    elif name == "cover":
        # A book without a cover gets a generated one in the EPUB (marked cover-image)
        # and, with cover-page, as the PDF's first page; cover = false means none.
        need_tool("pdfinfo", "pdfimages")
        ctx.colophon(["new", "book"])
        toml_path = os.path.join(ctx.work, "book", "book.toml")
        toml = read(toml_path).decode("utf-8")

        def opf_of(out):
            with zipfile.ZipFile(only_file(os.path.join(ctx.work, out), "epub")) as z:
                return z.read("EPUB/package.opf").decode("utf-8"), z.namelist()

        def pages_of(out):
            info = subprocess.run(["pdfinfo", only_file(os.path.join(ctx.work, out), "pdf")],
                                  capture_output=True, text=True).stdout
            return int(re.search(r"Pages:\s+(\d+)", info).group(1))

        ctx.build("book", "plain", fmt="all")
        opf, names = opf_of("plain")
        check(re.search(r'href="images/cover\.png" media-type="image/png" '
                        r'properties="cover-image"', opf) and "EPUB/cover.xhtml" in names,
              f"no generated cover-image in the OPF:\n{opf}")
        write(toml_path, toml.replace("[output.pdf]", "[output.pdf]\ncover-page = true"))
        ctx.build("book", "cover-page", fmt="all")
        check(pages_of("cover-page") == pages_of("plain") + 2,
              f"cover-page gave {pages_of('cover-page')} pages, without {pages_of('plain')}")
        images = subprocess.run(["pdfimages", "-list", "-f", "1", "-l", "1",
                                 only_file(os.path.join(ctx.work, "cover-page"), "pdf")],
                                capture_output=True, text=True).stdout
        check(re.search(r"\b1600\s+2560\b", images), f"page 1 holds no cover image:\n{images}")
        write(toml_path, toml.replace("[book]", "[book]\ncover = false"))
        ctx.build("book", "none", fmt="all")
        opf, names = opf_of("none")
        check("cover-image" not in opf and "EPUB/cover.xhtml" not in names,
              f"cover = false still has a cover:\n{opf}")
    elif name == "fonts":
        # Embedded fonts are packed under fonts/ and tell Apple Books to use them; a file
        # that is no font is refused at its place in book.toml.
        font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        if not os.path.isfile(font):
            raise Skip(f"{font} is not installed (fonts-dejavu-core)")
        files = dict(TWO_CHAPTERS)
        files["extra.css"] = ('@font-face { font-family: "Body"; '
                              'src: url("../fonts/DejaVuSans.ttf"); }\nbody { font-family: "Body", serif; }\n')
        files["type/DejaVuSans.ttf"] = read(font)
        toml = ('[book]\ntitle = "Kindle Test"\n[output.epub]\nextra-css = ["extra.css"]\n'
                'fonts = ["type/DejaVuSans.ttf"]\n')
        book = make_book(ctx, files, toml)
        ctx.build(book, "out")
        out = epub_files(os.path.join(ctx.work, "out", "kindle-test.epub"))
        check('href="fonts/DejaVuSans.ttf" media-type="font/ttf"' in out["EPUB/package.opf"],
              f"the font is not in the manifest:\n{out['EPUB/package.opf']}")
        options = out.get("META-INF/com.apple.ibooks.display-options.xml", "")
        check('<option name="specified-fonts">true</option>' in options,
              f"no Apple display options for embedded fonts: {options!r}")
        make_book(ctx, TWO_CHAPTERS)
        ctx.build(book, "plain")
        check("META-INF/com.apple.ibooks.display-options.xml" not in
              epub_files(os.path.join(ctx.work, "plain", "kindle-test.epub")),
              "display options without embedded fonts")
        write(os.path.join(ctx.work, "book", "type", "fake.ttf"), "not a font\n")
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\n[output.epub]\n'
                                     'fonts = ["type/fake.ttf"]\n')
        proc = ctx.colophon(["build", book, "-o", "bad"])
        check(proc.returncode == 1 and re.search(r"book/book\.toml:4:\d+: error: 'fonts': "
                                                 r"'type/fake\.ttf' is not a ttf font", proc.stderr),
              f"a fake font was not refused: {describe(proc)}")
    elif name == "dump":
        ctx.colophon(["new", "book"])
        proc = ctx.colophon(["dump", "book"])
        check(proc.returncode == 0, f"dump failed: {describe(proc)}")
        check("The First Chapter" in proc.stdout, f"dump lacks a chapter title:\n{proc.stdout[:1500]}")
    else:
        raise Fail(f"unknown case cli:{name}")


# --------------------------------------------------------------------------- mdBook books

def qpdf_clean(pdf):
    """Runs qpdf --check on PDF; fails unless it finds no syntax or stream error."""
    q = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    check(q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout,
          f"qpdf --check exited {q.returncode}:\n{q.stdout}{q.stderr}")


def epubcheck_clean(epub):
    """Runs epubcheck on EPUB; fails unless it reports 0 errors and 0 warnings."""
    need_tool("java")
    jar = "/usr/bin/epubcheck"
    if not os.path.isfile(jar):
        raise Skip("epubcheck is not installed (apt-get install epubcheck)")
    proc = subprocess.run(["java", "-jar", jar, epub], capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    check(proc.returncode == 0 and "No errors or warnings detected" in out,
          f"epubcheck is not clean on {epub}:\n{out[-3000:]}")


def epub_text(epub):
    """Returns the text of every XHTML file of EPUB, tags removed, entities undone."""
    import html
    import zipfile
    parts = []
    with zipfile.ZipFile(epub) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xhtml"):
                xml = z.read(name).decode("utf-8")
                parts.append(html.unescape(re.sub(r"<[^>]+>", "", xml)))
    return "\n".join(parts)


def pdf_text(pdf, first=None, last=None):
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    t = subprocess.run(args + [pdf, "-"], capture_output=True)
    check(t.returncode == 0, f"pdftotext failed on {pdf}")
    return t.stdout.decode("utf-8", "replace")


def squeeze(text):
    """Collapses white space (and joins words broken at line ends, and code lines the
    PDF wraps with a ↪ mark) for comparisons."""
    return re.sub(r"\s+", " ", pdf_words(text.replace("\u21aa", " ")))


def path_without(program):
    """Returns PATH without the folders that hold PROGRAM."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not os.path.exists(os.path.join(d, program))]
    return os.pathsep.join(keep)


# Text of each file mdBook's guide includes (its whole text or the part it takes), as it
# must appear in both outputs: {{#include}} of whole files, a part taken by an anchor
# with {{#rustdoc_include}}, files outside the book (../../../examples), a playground.
MDBOOK_INCLUDED = {
    "src/cli/arg-watcher.md": "There are different backends used to determine when a file has changed.",
    "src/SUMMARY.md": "- [Creating a book](guide/creating.md)",
    "examples/nop-preprocessor.rs": "A basic example of a preprocessor that does nothing.",
    "examples/remove-emphasis/mdbook-remove-emphasis/src/main.rs":
        "fn remove_emphasis(num_removed_items: &mut usize, chapter: &mut Chapter) -> Result<String> {",
    "src/format/example.rs": 'println!("Hello World!");',
}


def case_mdbook(ctx, name):
    check(name == "corpus", f"unknown case mdbook:{name}")
    need_tool("git", "qpdf", "pdftotext")
    corpus = os.path.normpath(os.path.join(ctx.source, "..", "shared", "corpus", "mdbook"))
    if not os.path.isfile(os.path.join(corpus, "guide", "book.toml")):
        raise Skip(f"mdBook's guide is absent ({corpus})")
    # In a git work tree, as its authors keep it: its includes reach ../../../examples.
    tree = os.path.join(ctx.work, "mdBook")
    shutil.copytree(corpus, tree)
    subprocess.run(["git", "init", "-q", tree], check=True)
    guide = os.path.join(tree, "guide")
    # Its preprocessor is a cargo command; without cargo on PATH it is reported once.
    proc = ctx.colophon(["build", guide, "-o", os.path.join(ctx.work, "out")],
                        env={"PATH": path_without("cargo")})
    check(proc.returncode == 0 and ": error: " not in proc.stderr,
          f"mdBook's guide does not build: {describe(proc)}")
    not_found = [l for l in proc.stderr.splitlines() if "preprocessor 'guide-helper'" in l]
    check(len(not_found) == 1 and "not found" in not_found[0],
          f"its preprocessor is not reported once as not found: {not_found}")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    epubcheck_clean(epub)
    qpdf_clean(pdf)
    texts = {"EPUB": squeeze(epub_text(epub)), "PDF": squeeze(pdf_text(pdf))}
    for path, line in MDBOOK_INCLUDED.items():
        check(os.path.isfile(os.path.join(tree, "guide", path) if path.startswith("src")
                             else os.path.join(tree, path)), f"{path} is not in the corpus")
        for kind, text in texts.items():
            check(squeeze(line) in text, f"the text included from {path} is not in the {kind}: "
                  f"{line!r}")
    # Every escaped directive prints as written, without its backslash.
    escaped = set()
    for md in glob.glob(os.path.join(guide, "src", "**", "*.md"), recursive=True):
        with open(md, encoding="utf-8") as f:
            escaped.update(re.findall(r"\\(\{\{#[^}]*\}\})", f.read()))
    check(len(escaped) >= 10, f"expected the guide's escaped directives, found {escaped}")
    for kind, text in texts.items():
        check("\\{{#" not in text, f"the {kind} shows an escape's backslash")
        missing = [e for e in sorted(escaped) if squeeze(e) not in text]
        check(not missing, f"the {kind} lacks escaped directives as written: {missing}")
    # No directive is left unexpanded (the escaped ones are in code, as written).
    for kind, text in texts.items():
        for directive in ("{{#include ../", "{{#rustdoc_include ../", "{{#playground example.rs}}"):
            check(directive not in text, f"the {kind} shows an unexpanded {directive!r}")
    # mdBook 0.5's Markdown: its five admonitions, heading ids, its raw <img> packed.
    import zipfile
    with zipfile.ZipFile(epub) as z:
        xhtml = "\n".join(z.read(n).decode("utf-8") for n in sorted(z.namelist())
                          if n.endswith(".xhtml"))
        svgs = [n for n in z.namelist() if n.endswith("rust-logo-blk.svg")]
    for kind in ("note", "tip", "important", "warning", "caution"):
        check(f'class="admonition admonition-{kind}"' in xhtml,
              f"the EPUB has no {kind} admonition")
    for label, line in (("Note", "General information or additional context."),
                        ("Caution", "Information about potential issues that require caution.")):
        for name, text in texts.items():
            check(squeeze(f"{label} {line}") in text,
                  f"the {name} lacks the admonition {label!r} with its text")
    for hid, title in (("heading-attributes", "Heading attributes"),
                       ("definition-lists", "Definition lists")):
        check(f'id="{hid}"' in xhtml, f"the EPUB lacks the heading id {hid!r}")
        check(squeeze(title) in texts["PDF"], f"the PDF lacks the heading {title!r}")
    # Its definition lists (format/markdown.md) and its MathJax math (format/mathjax.md),
    # the math kept as TeX source with one warning for the book.
    # Its terms carry mdBook's ids (linkable like headings).
    check('<dl>\n<dt id="term-a">term A</dt>\n<dd>This is a definition of term A. Text\n'
          'can span multiple lines.</dd>\n<dt id="term-b">term B</dt>\n'
          '<dd>This is a definition of term B.</dd>\n'
          '<dd>This has more than one definition.</dd>\n</dl>' in xhtml,
          "the EPUB lacks the guide's definition list as <dl>, <dt id> and <dd>")
    check(squeeze("term B This is a definition of term B. This has more than one definition.")
          in texts["PDF"], "the PDF lacks the guide's definition list")
    maths = (("inline", r"\int x dx = \frac{x^2}{2} + C"),
             ("display", r"\mu = \frac{1}{N} \sum_{i=0} x_i"))
    for kind, tex in maths:
        check(f'<span class="math math-{kind}">{tex}</span>' in xhtml,
              f"the EPUB lacks the {kind} math {tex!r} as TeX in its span")
        check(squeeze(tex) in texts["PDF"], f"the PDF lacks the {kind} math {tex!r}")
    math_warnings = [l for l in proc.stderr.splitlines() if "math expressions are kept" in l]
    check(len(math_warnings) == 1 and "2 math expressions" in math_warnings[0],
          f"the guide's math is not reported once with its count: {math_warnings}")
    check(len(svgs) == 1, f"the raw <img> of rust-logo-blk.svg is not packed once: {svgs}")
    check('<img class="right" src=' not in xhtml and 'class="right"' in xhtml,
          "the raw <img class=\"right\"> is not written as a packed image")
    print(f"mdbook: {len(MDBOOK_INCLUDED)} included files and {len(escaped)} escaped "
          f"directives in both outputs; five admonitions, heading ids, definition lists, math "
          f"and the raw <img>; epubcheck and qpdf clean")


ADMONISH_CHAPTER = """# Admonish

Before the blocks.

```admonish warning title="Data loss ahead"
Back up *first*; then:

1. stop the server
   - and its workers
2. copy the files
```

````admonish tip
A code block inside:

```sh
cp -r data backup
```
````

```admonish tldr
Short version here.
```

- In a list:

  ```admonish question title=""
  Untitled question body.
  ```

After the blocks.
"""


def case_admonish(ctx, name):
    """A book naming [preprocessor.admonish], mdbook-admonish not installed: its blocks
    are read natively, nothing is reported missing, and both outputs are clean."""
    check(name == "book", f"unknown case admonish:{name}")
    need_tool("qpdf", "pdftotext")
    book = make_book(ctx, {"src/SUMMARY.md": "# Summary\n\n- [Admonish](ch.md)\n",
                           "src/ch.md": ADMONISH_CHAPTER},
                     toml='[book]\ntitle = "Admonish"\nauthors = ["A. Writer"]\n'
                          '\n[preprocessor.admonish]\non_failure = "bail"\n'
                          'assets_version = "3.0.0"\n')
    proc = ctx.colophon(["build", book, "-o", "out/"],
                        env={"PATH": path_without("mdbook-admonish")})
    check(proc.returncode == 0 and ": warning: " not in proc.stderr
          and ": error: " not in proc.stderr,
          f"the book does not build cleanly: {describe(proc)}")
    check("preprocessor 'admonish'" not in proc.stderr and "not found" not in proc.stderr,
          f"the preprocessor is reported: {proc.stderr}")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    epubcheck_clean(epub)
    qpdf_clean(pdf)
    xhtml = "\n".join(epub_files(epub).values())
    for kind in ("warning", "tip", "abstract", "question"):
        check(f'<aside class="admonition admonition-{kind}"' in xhtml,
              f"the EPUB has no {kind} admonition")
    check("```admonish" not in xhtml and "admonish warning" not in xhtml,
          "an admonish fence is left in the EPUB")
    check('<pre><code class="language-sh">cp -r data backup' in xhtml
          or "cp -r data backup</code></pre>" in xhtml, "the nested code block is lost")
    texts = {"EPUB": squeeze(epub_text(epub)), "PDF": squeeze(pdf_text(pdf))}
    for kind, text in texts.items():
        for line in ("Data loss ahead Back up first; then:", "stop the server",
                     "and its workers", "Tip A code block inside:", "cp -r data backup",
                     "TL;DR Short version here.", "Untitled question body.",
                     "After the blocks."):
            check(squeeze(line) in text, f"the {kind} lacks {line!r}")
        check("Question" not in text, f"the {kind} shows the title of an untitled block")
    print("admonish: four blocks read natively (title, nested code, alias, in a list, "
          "no title); nothing reported; epubcheck and qpdf clean, labels in pdftotext")


def readme_manuscript(source):
    """Returns the README's single-file example: its first ```markdown block that
    starts with a YAML metadata block."""
    text = read(os.path.join(source, "README.md")).decode("utf-8")
    for block in re.findall(r"```markdown\n(.*?)```", text, re.S):
        if block.startswith("---\n"):
            return block
    raise Fail("README.md has no ```markdown example starting with a YAML block")


def case_manuscript(ctx, name):
    check(name == "readme", f"unknown case manuscript:{name}")
    need_tool("pdftotext", "pdfinfo")
    text = readme_manuscript(ctx.source)
    meta = dict(re.findall(r"^(title|author|lang): (.*)$", text.split("\n---\n")[0], re.M))
    check(set(meta) == {"title", "author", "lang"}, f"the README example's block gives {meta}")
    write(os.path.join(ctx.work, "essay.md"), text)
    ctx.build("essay.md", "out", fmt="all")
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    import zipfile
    with zipfile.ZipFile(epub) as z:
        opf = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".opf"))
    check(f"<dc:title id=\"title\">{meta['title']}</dc:title>" in opf or
          f">{meta['title']}</dc:title>" in opf, f"the OPF lacks the title:\n{opf}")
    check(f">{meta['author']}</dc:creator>" in opf, f"the OPF lacks the author:\n{opf}")
    check(f"<dc:language>{meta['lang']}</dc:language>" in opf, f"the OPF lacks the language:\n{opf}")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    check(re.search(r"^Title:\s+" + re.escape(meta["title"]) + "$", info, re.M),
          f"the PDF's Title is not {meta['title']!r}:\n{info}")
    check(re.search(r"^Author:\s+" + re.escape(meta["author"]) + "$", info, re.M),
          f"the PDF's Author is not {meta['author']!r}:\n{info}")
    catalog = subprocess.run(["qpdf", "--json", "--json-key=qpdf", pdf], capture_output=True,
                             text=True).stdout
    check(f'"/Lang": "u:{meta["lang"]}"' in catalog or f'"/Lang": "{meta["lang"]}"' in catalog,
          f"the PDF catalog has no /Lang {meta['lang']!r}")
    first_page = squeeze(pdf_text(pdf, 1))
    check(meta["title"] in first_page and meta["author"] in first_page,
          f"the PDF's title page lacks the title or author: {first_page[:300]!r}")
    epub_all = epub_text(epub)
    check(meta["title"] in epub_all and meta["author"] in epub_all,
          "the EPUB's title page lacks the title or author")
    for kind, t in (("EPUB", epub_all), ("PDF", pdf_text(pdf))):
        check("title:" not in t and "author:" not in t,
              f"the {kind} shows the metadata block as text")
    print(f"manuscript: {meta} in the OPF, the PDF's metadata and both title pages")
# --------------------------------------------------------------------------- kindle
# One case per cause Amazon's Send to Kindle or KDP is known to refuse a book for (or
# show it badly): each builds a book made to trip it, and checks that the "kindle"
# target either avoids the cause in what it writes or reports it.


def make_book(ctx, files, toml='[book]\ntitle = "Kindle Test"\nauthors = ["A. Writer"]\n'):
    """Writes a book of FILES ({path: text}) under the work folder; returns its folder."""
    write(os.path.join(ctx.work, "book", "book.toml"), toml)
    for path, text in files.items():
        write(os.path.join(ctx.work, "book", path), text)
    return "book"


def epub_files(path):
    """Returns {name: text} of the text files of the EPUB at PATH."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()
                if n.endswith((".xhtml", ".opf", ".ncx", ".xml", ".css"))}


def kindle_build(ctx, book, expect=0):
    """Builds the kindle target of BOOK into out/; returns (process, {name: text})."""
    proc = ctx.colophon(["build", book, "-o", "out", "--target", "kindle"])
    check(proc.returncode == expect, f"kindle build: expected exit {expect}, got {describe(proc)}")
    if expect != 0:
        return proc, {}
    return proc, epub_files(os.path.join(ctx.work, "out", "kindle-test.kindle.epub"))


def spine_files(files):
    opf = files["EPUB/package.opf"]
    hrefs = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
    return [hrefs[i] for i in re.findall(r'<itemref idref="([^"]+)"', opf)]


TWO_CHAPTERS = {
    "src/SUMMARY.md": "- [One](one.md)\n- [Two](two.md)\n",
    "src/one.md": "# One\n\nSee [two](two.md) and [its section](two.md#later).[^n]\n\n"
                  "[^n]: A note.\n",
    "src/two.md": "# Two\n\nText.\n\n## Later\n\nMore.\n",
}


def case_kindle(ctx, cause):
    if cause == "language":
        # dc:language must be one Amazon lists; Russian is not, British English is.
        book = make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\nlanguage = "ru"\n')
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 0 and "language 'ru'" in proc.stderr and "E999" in proc.stderr,
              f"check --target kindle did not report the language: {describe(proc)}")
        proc = ctx.colophon(["check", book])
        check("language 'ru'" not in proc.stderr, "plain check reported a Kindle-only rule")
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\nlanguage = "en-GB"\n')
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check("language" not in proc.stderr, f"en-GB was reported: {describe(proc)}")
    elif cause == "image-without-src":
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Two\n\nText.\n\n<img alt=\"a lost picture\">\n\n## Later\n"
        book = make_book(ctx, files)
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 1 and re.search(r"src/two\.md:5:1: error: an <img> without src",
                                                 proc.stderr),
              f"check --target kindle did not refuse the <img>: {describe(proc)}")
        kindle_build(ctx, book, expect=1)
        check(not os.path.exists(os.path.join(ctx.work, "out", "kindle-test.kindle.epub")),
              "a book Kindle refuses was written")
    elif cause == "email-size":
        # 51 MB: over Send to Kindle's e-mail limit (50 MB), under its upload limit. A PNG
        # is stored in the EPUB as it is, so a large comment chunk makes a large book.
        import struct, zlib
        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data +
                    struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
               chunk(b"tEXt", b"Comment\0" + b"x" * 51_000_000) +
               chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Two\n\n![A large picture](big.png)\n\n## Later\n"
        files["src/big.png"] = png
        book = make_book(ctx, files)
        proc, _ = kindle_build(ctx, book)
        check("too large to e-mail" in proc.stderr, f"no size warning: {describe(proc)}")
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check("too large to e-mail" in proc.stderr, f"check gave no size warning: {describe(proc)}")
    elif cause == "body-id-links":
        # A link to a <body> id shows as a broken link on Kindle: no body has an id, and
        # links to a chapter's start name only its file.
        _, files = kindle_build(ctx, make_book(ctx, TWO_CHAPTERS))
        for name, text in files.items():
            if name.endswith(".xhtml"):
                check(not re.search(r"<body[^>]*\sid=", text), f"{name}: <body> has an id")
        one = files["EPUB/one.xhtml"]
        check('href="two.xhtml"' in one and 'href="two.xhtml#later"' in one,
              f"links to chapter two are not as expected:\n{one}")
    elif cause == "spine-order":
        # The contents must follow the spine: parts, nesting and a book-level notes file.
        files = {
            "src/SUMMARY.md": "[Preface](pre.md)\n\n# Part A\n\n- [One](one.md)\n"
                              "    - [One.One](one1.md)\n\n# Part B\n\n- [Two](two.md)\n\n"
                              "[Afterword](after.md)\n",
            "src/pre.md": "# Preface\n\nP.[^a]\n\n[^a]: Note a.\n",
            "src/one.md": "# One\n\n## Section\n\nText.\n",
            "src/one1.md": "# One.One\n\nText.[^b]\n\n[^b]: Note b.\n",
            "src/two.md": "# Two\n\nText.\n",
            "src/after.md": "# Afterword\n\nText.\n",
        }
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\nnotes = "book"\n'
        _, out = kindle_build(ctx, make_book(ctx, files, toml))
        spine = spine_files(out)
        for doc in ("EPUB/nav.xhtml", "EPUB/toc.ncx"):
            pattern = r'<a href="([^"#]+)' if doc.endswith("xhtml") else r'<content src="([^"#]+)'
            toc = re.findall(pattern, out[doc].split('epub:type="landmarks"')[0])
            order = [spine.index(f) for f in toc]
            check(order == sorted(order), f"{doc} disagrees with the spine: {toc} vs {spine}")
    elif cause == "encoding":
        # Send to Kindle reads a file without an encoding declaration as Latin-1.
        files = dict(TWO_CHAPTERS)
        files["src/two.md"] = "# Zwei – Ωμέγα\n\nÜbergrößenträger “quoted”.\n\n## Later\n"
        _, out = kindle_build(ctx, make_book(ctx, files))
        for name, text in out.items():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                check(text.startswith('<?xml version="1.0" encoding="UTF-8"?>'),
                      f"{name} does not declare UTF-8: {text[:80]!r}")
    elif cause == "contents-levels":
        # Kindle shows two levels of contents: every chapter stays, lifted; deeper
        # sections are left out.
        files = {
            "src/SUMMARY.md": "# Part\n\n- [One](one.md)\n    - [Deep](deep.md)\n"
                              "        - [Deeper](deeper.md)\n",
            "src/one.md": "# One\n\n## Section\n\n### Subsection\n\nText.\n",
            "src/deep.md": "# Deep\n\nText.\n",
            "src/deeper.md": "# Deeper\n\nText.\n",
        }
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\ntoc-depth = 3\n'
        _, out = kindle_build(ctx, make_book(ctx, files, toml))
        nav = out["EPUB/nav.xhtml"].split('epub:type="landmarks"')[0]
        depth = deepest = 0
        for tag in re.findall(r"</?ol>", nav):
            depth += 1 if tag == "<ol>" else -1
            deepest = max(deepest, depth)
        check(deepest == 2, f"the Kindle contents have {deepest} levels:\n{nav}")
        for chapter in ("one.xhtml", "deep.xhtml", "deeper.xhtml"):
            check(f'href="{chapter}"' in nav, f"{chapter} is missing from the contents:\n{nav}")
        check(re.search(r'<meta name="dtb:depth" content="2"', out["EPUB/toc.ncx"]),
              "toc.ncx is deeper than two levels")
    elif cause == "css":
        files = dict(TWO_CHAPTERS)
        files["extra.css"] = ("/* an author's additions */\np.hang {\n  text-indent: -2em;\n}\n"
                              ".pull { margin-left: -3em; }\n.box { position: absolute; }\n"
                              "p.tight { line-height: -1; }\n.fine { text-indent: -1em; "
                              "padding-left: 1em; margin: 0 auto; }\n")
        toml = '[book]\ntitle = "Kindle Test"\n[output.epub]\nextra-css = ["extra.css"]\n'
        book = make_book(ctx, files, toml)
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        found = re.findall(r"book/extra\.css:(\d+):\d+: warning", proc.stderr)
        check(found == ["3", "5", "6", "7"], f"expected warnings at lines 3, 5, 6, 7: {describe(proc)}")
        # colophon's own stylesheet has none of it.
        css = epub_files_of_build(ctx, book)["EPUB/css/epub.css"].split("/* extra.css */")[0]
        write(os.path.join(ctx.work, "own.css"), css)
        make_book(ctx, TWO_CHAPTERS, '[book]\ntitle = "Kindle Test"\n[output.epub]\n'
                                     'extra-css = ["../own.css"]\n'.replace("../own.css", "own.css"))
        shutil.copy(os.path.join(ctx.work, "own.css"), os.path.join(ctx.work, "book", "own.css"))
        proc = ctx.colophon(["check", book, "--target", "kindle"])
        check(proc.returncode == 0 and "own.css" not in proc.stderr,
              f"colophon's stylesheet has CSS Kindle breaks on: {describe(proc)}")
    else:
        raise Fail(f"unknown case kindle:{cause}")


def epub_files_of_build(ctx, book):
    _, files = kindle_build(ctx, book)
    return files


KINDLE_CAUSES = ["language", "image-without-src", "email-size", "body-id-links", "spine-order",
                 "encoding", "contents-levels", "css"]
def run_in_pty(ctx, args, env=None):
    """Runs colophon ARGS with stdout and stderr on a pseudo-terminal; returns its exit
    code and everything it printed."""
    import pty
    full_env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC", TERM="xterm")
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    master, slave = pty.openpty()
    proc = subprocess.Popen([ctx.exe] + args, cwd=ctx.work, env=full_env, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout=300)
    return {"code": code, "text": b"".join(chunks).decode("utf-8", "replace")}


def case_outputs(ctx):
    """Outputs go where authors expect them: next to the book (as mdBook's book/), into
    [build] build-dir, into -o FILE or -o DIR/, a single file's named after it; clean."""
    ctx.colophon(["new", "my-book"])
    toml_path = os.path.join(ctx.work, "my-book", "book.toml")

    def build(args, cwd=None):
        proc = ctx.colophon(["build"] + args, cwd=cwd)
        check(proc.returncode == 0, f"`colophon build {' '.join(args)}` failed: {describe(proc)}")
        return proc

    def files(folder):
        path = os.path.join(ctx.work, folder)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    build(["my-book"])
    check(files("my-book/book") == ["my-book.epub", "my-book.pdf"],
          f"default build wrote {files('my-book/book')}")
    check(not os.path.exists(os.path.join(ctx.work, "dist")), "a build wrote dist/ in the cwd")
    build([], cwd=os.path.join(ctx.work, "my-book"))  # from inside the book
    check(files("my-book/book") == ["my-book.epub", "my-book.pdf"],
          f"a build from inside the book wrote {files('my-book/book')}")
    # A changed title: clean removes the old title's files too.
    toml = read(toml_path).decode("utf-8")
    write(toml_path, toml.replace('title = "My Book"', 'title = "Renamed"'))
    build(["my-book", "--target", "epub"])
    check(files("my-book/book") == ["my-book.epub", "my-book.pdf", "renamed.epub"],
          f"after a new title: {files('my-book/book')}")
    proc = ctx.colophon(["clean", "my-book"])
    check(proc.returncode == 0 and not os.path.exists(os.path.join(ctx.work, "my-book", "book")),
          f"clean left {files('my-book/book')}: {describe(proc)}")
    check(files("my-book") == ["book.toml", "src"], f"clean touched the book: {files('my-book')}")
    # [build] build-dir.
    write(toml_path, toml + '\n[build]\nbuild-dir = "../proofs"\n')
    build(["my-book"])
    check(files("proofs") == ["my-book.epub", "my-book.pdf"], f"build-dir gave {files('proofs')}")
    write(os.path.join(ctx.work, "proofs", "notes.txt"), "mine\n")
    proc = ctx.colophon(["clean", "my-book"])
    check(proc.returncode == 0 and files("proofs") == ["notes.txt"],
          f"clean in build-dir left {files('proofs')}: {describe(proc)}")
    # -o FILE for one target, -o DIR/ for a folder (even with a dot in its name).
    build(["my-book", "-o", "out/essay.epub"])
    check(files("out") == ["essay.epub"], f"-o out/essay.epub gave {files('out')}")
    build(["my-book", "-o", "print.pdf"])
    check(os.path.isfile(os.path.join(ctx.work, "print.pdf")), "-o print.pdf wrote no print.pdf")
    build(["my-book", "-o", "v1.epub/"])
    check(files("v1.epub") == ["my-book.epub", "my-book.pdf"], f"-o v1.epub/ gave {files('v1.epub')}")
    proc = ctx.colophon(["build", "my-book", "-o", "x.pdf", "--target", "epub"])
    check(proc.returncode == 2 and "x.pdf" in proc.stderr, f"-o x.pdf --target epub: {describe(proc)}")
    # A single file: named after the file, written beside it.
    write(os.path.join(ctx.work, "drafts", "essay.md"), SINGLE_FILE)
    build(["drafts/essay.md"])
    check(files("drafts") == ["essay.epub", "essay.md", "essay.pdf"], f"single file: {files('drafts')}")
    write(os.path.join(ctx.work, "drafts", "keep.pdf"), "not ours\n")
    proc = ctx.colophon(["clean", "drafts/essay.md"])
    check(proc.returncode == 0 and files("drafts") == ["essay.md", "keep.pdf"],
          f"clean of a single file left {files('drafts')}: {describe(proc)}")


# --------------------------------------------------------------------------- kobo
# The Kobo target (NAME.kepub.epub) of a real book: epubcheck-clean, and in every content
# document of its spine every text in exactly one koboSpan (none inside pre, code, svg,
# math), ids unique and in reading order, every image in a span, the wrapper divs and
# the style block there, the cover image marked cover-image.

XHTML_NS = "{http://www.w3.org/1999/xhtml}"
NO_SPANS = {"pre", "code", "svg", "math", "head"}


def kobo_document_problems(name, text):
    """Returns what is wrong with the Kobo markup of one content document."""
    import xml.etree.ElementTree as ET
    problems, ids = [], []
    root = ET.fromstring(text.encode("utf-8"))

    def local(tag):
        return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

    def visit_text(t, spans, quiet):
        if t is None or not t.strip():
            return
        if quiet and spans:
            problems.append(f"{name}: a koboSpan around code, SVG or math text {t[:40]!r}")
        elif not quiet and spans != 1:
            problems.append(f"{name}: {spans} koboSpans around {t[:40]!r}")

    def walk(e, spans, quiet):
        tag = local(e.tag)
        kobo = tag == "span" and e.get("class") == "koboSpan"
        if kobo:
            if quiet:
                problems.append(f"{name}: a koboSpan inside code, SVG or math")
            m = re.fullmatch(r"kobo\.(\d+)\.(\d+)", e.get("id", ""))
            if not m:
                problems.append(f"{name}: bad koboSpan id {e.get('id')!r}")
            else:
                ids.append((int(m.group(1)), int(m.group(2))))
        if tag == "img" and not quiet and spans == 0:
            problems.append(f"{name}: an image outside a koboSpan")
        inner_spans = spans + (1 if kobo else 0)
        inner_quiet = quiet or tag in NO_SPANS
        visit_text(e.text, inner_spans, inner_quiet)
        for child in e:
            walk(child, inner_spans, inner_quiet)
            visit_text(child.tail, inner_spans, inner_quiet)

    walk(root, 0, False)
    if not ids:
        problems.append(f"{name}: no koboSpan at all")
    for a, b in zip(ids, ids[1:]):
        if not a < b:
            problems.append(f"{name}: koboSpan ids out of order or repeated: {a} then {b}")
            break
    body = root.find(XHTML_NS + "body")
    outer = list(body) if body is not None else []
    if len(outer) != 1 or outer[0].get("id") != "book-columns" or \
            len(list(outer[0])) != 1 or list(outer[0])[0].get("id") != "book-inner":
        problems.append(f"{name}: the body is not div#book-columns > div#book-inner")
    if "div#book-inner {" not in text:
        problems.append(f"{name}: no Kobo style block")
    return problems


def case_kobo(ctx, kind):
    case_epubcheck(ctx, kind, "kobo")
    import zipfile
    epub = only_file(os.path.join(ctx.work, "out"), "epub")
    check(epub.endswith(".kepub.epub"), f"the Kobo book is not named .kepub.epub: {epub}")
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/package.opf").decode("utf-8")
        manifest = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
        spine = re.findall(r'<itemref idref="([^"]+)"', opf)
        check(re.search(r'<item [^>]*properties="cover-image"', opf),
              "the cover image is not marked cover-image")
        problems = []
        for idref in spine:
            name = "EPUB/" + manifest[idref]
            problems += kobo_document_problems(name, z.read(name).decode("utf-8"))
    check(not problems, f"{len(problems)} problems in {epub}:\n  " + "\n  ".join(problems[:20]))
    print(f"kobo: {len(spine)} content documents, every text in one koboSpan")


# --------------------------------------------------------------------------- notes

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

NOTES_BOOK = {
    "src/SUMMARY.md": "- [One](one.md)\n- [Two](two.md)\n",
    "src/one.md": "# One\n\nThe harbour froze.[^ice] The ferry stopped.[^ferry]\n\n"
                  "It froze again.[^ice]\n\n"
                  "[^ice]: For the first time since 1947, says the log.\n\n"
                  "[^ferry]: It ran again in March.\n\n    A second paragraph.\n",
    "src/two.md": "# Two\n\nAnother note.[^late]\n\n[^late]: Written late.\n",
}


def note_markup_problems(files, placement):
    """Returns what keeps the notes of an EPUB's FILES from popping up (see notes.md)."""
    import xml.etree.ElementTree as ET
    docs = {}
    for name, text in files.items():
        if name.endswith(".xhtml") and not name.endswith("nav.xhtml"):
            docs[name[len("EPUB/"):]] = ET.fromstring(text.encode("utf-8"))
    by_id = {}
    for name, root in docs.items():
        for e in root.iter():
            if e.get("id"):
                by_id[(name, e.get("id"))] = e

    def resolve(doc, href):
        file, _, frag = href.partition("#")
        return (file or doc, frag)

    def types(e):
        return (e.get(EPUB_TYPE) or "").split()

    def text_of(e):
        return "".join(e.itertext())

    problems, notes = [], 0
    for name, root in docs.items():
        for a in root.iter(XHTML_NS + "a"):
            if "noteref" not in types(a):
                continue
            where = f"{name}: noteref {a.get('id')!r}"
            if a.get("role") != "doc-noteref":
                problems.append(f"{where}: no doc-noteref role")
            if len(a) and not all(c.get("class") == "koboSpan" for c in a):
                problems.append(f"{where}: markup other than text (or a Kobo span) in the link")
            key = resolve(name, a.get("href", ""))
            note = by_id.get(key)
            if note is None:
                problems.append(f"{where}: points at nothing ({a.get('href')})")
                continue
            notes += 1
            want = {"chapter": ("aside", ["footnote"]), "book": ("li", ["endnote", "footnote"])}
            tag, needed = want[placement]
            if note.tag != XHTML_NS + tag or any(t not in types(note) for t in needed):
                problems.append(f"{where}: the note is <{note.tag.rsplit('}', 1)[-1]} "
                                f"epub:type={note.get(EPUB_TYPE)!r}>, not <{tag}> typed "
                                f"{' '.join(needed)}")
            back = [b for b in note.iter(XHTML_NS + "a") if b.get("role") == "doc-backlink"]
            if not back:
                problems.append(f"{where}: its note has no link back")
                continue
            first = by_id.get(resolve(key[0], back[0].get("href", "")))
            if first is None or "noteref" not in types(first) or \
                    resolve(key[0], first.get("href", "")) != key:
                problems.append(f"{where}: its note's link back does not lead to a reference "
                                f"to it ({back[0].get('href')})")
            elif text_of(back[0]).rstrip(".") != text_of(a):
                problems.append(f"{where}: the note is numbered {text_of(back[0])!r}, "
                                f"the reference {text_of(a)!r}")
    if notes != 4:
        problems.append(f"found {notes} note references, not the book's 4")
    return problems


def case_notes(ctx, target):
    """Notes in the markup that pops up (notes.md), at the end of each chapter and in
    the book's notes file, in TARGET's EPUB; epubcheck-clean both ways."""
    toml = '[book]\ntitle = "Notes Test"\nauthors = ["A. Writer"]\nlanguage = "en"\n'
    for placement in ("chapter", "book"):
        make_book(ctx, NOTES_BOOK, toml + f'[output.epub]\nnotes = "{placement}"\n')
        out = os.path.join(ctx.work, "out-" + placement)
        proc = ctx.colophon(["build", "book", "-o", out, "--target", target])
        check(proc.returncode == 0, f"build --target {target} failed: {describe(proc)}")
        epub = only_file(out, "epub")
        problems = note_markup_problems(epub_files(epub), placement)
        check(not problems, f"notes = {placement!r}, {os.path.basename(epub)}:\n  " +
              "\n  ".join(problems))
        epubcheck_clean(epub)
        print(f"notes: {target}, notes = {placement!r}: 4 references pop up, each note links back")


# --------------------------------------------------------------------------- page list

PAGE_BREAK = re.compile(r'<span epub:type="pagebreak" role="doc-pagebreak" '
                        r'id="pdf-page-(\d+)" aria-label="([^"]*)"></span>')


def letters(text):
    """Returns the letters of TEXT, lower-cased and NFKC-normalised (ligatures undone)."""
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalpha())


def pdf_label_of(pdf):
    """Returns a function giving the label of 0-based page I from the PDF's /PageLabels."""
    proc = subprocess.run(["qpdf", "--json", "--json-key=pagelabels", pdf],
                          capture_output=True, text=True, check=True)
    ranges = sorted((r["index"], r["label"]) for r in json.loads(proc.stdout)["pagelabels"])

    def roman(n):
        out = ""
        for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                              (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                              (4, "iv"), (1, "i")):
            while n >= value:
                out, n = out + digits, n - value
        return out

    def label(i):
        start, spec = max(((s, l) for s, l in ranges if s <= i), default=(0, {}))
        n = spec.get("/St", 1) + i - start
        style = spec.get("/S")
        return str(n) if style == "/D" else roman(n) if style == "/r" else \
            roman(n).upper() if style == "/R" else ""
    return label


def pdf_page_starts(pdf):
    """Returns, per page, the letters of its body text in reading order (running head and
    folio at the top left out): the words of its first line from left to right, then the
    lines below."""
    import html as html_module
    proc = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True,
                          check=True)
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", proc.stdout, re.S):
        words = [(float(y0), float(x0), float(y1), html_module.unescape(w)) for x0, y0, y1, w in
                 re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" '
                            r'yMax="([\d.]+)">(.*?)</word>', page)]
        pages.append(words)
    # The running head's line: the top line of the pages whose top line holds a number
    # (the folio), most often.
    tops = {}
    for words in pages:
        if words:
            top = min(w[0] for w in words)
            if any(w[3].isdigit() for w in words if w[0] < top + 8):
                tops[round(top)] = tops.get(round(top), 0) + 1
    head = max(tops, key=tops.get) if tops else None
    out = []
    for words in pages:
        if head is not None:
            words = [w for w in words if w[0] > head + 8]
        # Lines: words sorted by top; a word starting below the current line's middle
        # starts the next line (a raised note number stays on its line).
        words.sort()
        lines, bottom = [], None
        for y0, x0, y1, w in words:
            if bottom is None or y0 > bottom:
                lines.append([])
                bottom = (y0 + y1) / 2
            lines[-1].append((x0, w))
        text = "".join(letters(w) for line in lines for _, w in sorted(line))
        # The placeholder the PDF prints for an image it cannot show is not the book's:
        # "image PATH not shown" (a path of a few dozen letters at most, so that a page
        # beginning "images written ..." and quoting "not found" further on keeps its text).
        out.append(re.sub(r"^(svg)?image[a-z]{0,60}?not(shown|found)", "", text))
    return out


def epub_page_breaks(epub):
    """Returns {page number: (label, letters of the text after its marker, file)} of EPUB,
    and its text files."""
    import html as html_module
    files = epub_files(epub)
    found = {}
    for name, text in files.items():
        if not name.endswith(".xhtml"):
            continue
        for m in PAGE_BREAK.finditer(text):
            after = text[m.end():m.end() + 4000]
            after = re.sub(r"<aside\b.*?</aside>", " ", after, flags=re.S)
            plain = html_module.unescape(re.sub(r"<[^>]+>", " ", after))
            found[int(m.group(1))] = (m.group(2), letters(plain)[:80], name)
    return found, files


def case_pagelist(ctx, kind):
    """The EPUB targets mark every page of the PDF built with them: each marker N stands
    right before the first words of PDF page N, labelled as the PDF labels it; the nav has
    a page list and the package says where the breaks come from; without the PDF nothing
    of this is there."""
    need_tool("pdftotext", "qpdf")
    book, _ = prepare_book(ctx, kind)
    flags = getattr(ctx, "build_flags", [])
    proc = ctx.colophon(["build", book, "-o", "out", "--target", "epub,kindle,kobo,pdf"] + flags)
    check(proc.returncode == 0, f"build failed: {describe(proc)}")
    out = os.path.join(ctx.work, "out")
    pdf = only_file(out, "pdf")
    starts = pdf_page_starts(pdf)
    label_of = pdf_label_of(pdf)
    epubs = sorted(glob.glob(os.path.join(out, "*.epub")))
    check(len(epubs) == 3, f"expected three EPUBs in {out}, found {epubs}")
    plain = [e for e in epubs if not e.endswith((".kindle.epub", ".kepub.epub"))][0]
    breaks, files = epub_page_breaks(plain)
    import html as html_module
    documents = letters(html_module.unescape(re.sub(r"<[^>]+>", " ", "".join(
        t for n, t in files.items() if n.endswith(".xhtml") and
        not n.endswith(("nav.xhtml", "titlepage.xhtml", "cover.xhtml"))))))
    problems = []
    body_pages = 0
    for n in range(1, len(starts) + 1):
        pdf_text = starts[n - 1]
        label = label_of(n - 1)
        if n not in breaks:
            # Only pages with no text of the book's own may lack a marker: blank pages,
            # and pages the PDF makes (title, contents, part titles: a few words), whose
            # text no content document has.
            if len(pdf_text) >= 20 and pdf_text[:40] in documents:
                problems.append(f"page {n} ({label}) has no marker; it begins "
                                f"{pdf_text[:30]!r}")
            continue
        body_pages += 1
        got_label, after, name = breaks[n]
        if got_label != label:
            problems.append(f"page {n}: the marker's label is {got_label!r}, the PDF's {label!r}")
        want = pdf_text[:20]
        # The page may begin inside a word hyphenated across the break: the marker stands
        # before the whole word, so the PDF's letters start a little later. A table
        # continued from the page before repeats its header first, text the document has
        # just before the marker.
        skipped = pdf_text.find(after[:8]) if after else -1
        header = files[name][:files[name].find(f'id="pdf-page-{n}"')]
        # So does a chapter title the PDF takes from SUMMARY.md above the chapter's own
        # heading: text no content document has.
        repeated = 0 < skipped <= 80 and (pdf_text[:skipped] in letters(
            html_module.unescape(re.sub(r"<[^>]+>", " ", header))) or
            pdf_text[:skipped] not in documents)
        # A table's row is read across its cells line by line in the PDF, so a cell's
        # second line comes after the next cell's first: then its first word must match.
        if not want or (after.find(want) not in range(0, 16) and not repeated and
                        not after.startswith(pdf_text[:8])):
            problems.append(f"page {n} ({label}, {name}): after the marker {after[:40]!r}, "
                            f"the PDF page begins {pdf_text[:40]!r}")
    check(body_pages > 0, "no page of the PDF has a marker in the EPUB")
    nav = next(t for n, t in files.items() if n.endswith("nav.xhtml"))
    listed = re.findall(r'href="([^"#]+)#pdf-page-(\d+)">([^<]*)</a>',
                        nav[nav.find('epub:type="page-list"'):])
    check('epub:type="page-list"' in nav, "the nav has no page-list")
    for href, n, label in listed:
        if int(n) not in breaks or breaks[int(n)][1] is None or \
                breaks[int(n)][2] != "EPUB/" + href or breaks[int(n)][0] != label:
            problems.append(f"page list entry {href}#pdf-page-{n} ({label}) leads to no "
                            f"marker of that label")
    if len(listed) != len(breaks):
        problems.append(f"the page list has {len(listed)} entries for {len(breaks)} markers")
    opf = files["EPUB/package.opf"]
    if not re.search(r'<dc:source id="([^"]+)">[^<]+</dc:source>\n<meta refines="#\1" '
                     r'property="source-of">pagination</meta>', opf):
        problems.append("package.opf does not say where its page breaks come from "
                        "(dc:source, source-of pagination)")
    for other in epubs:
        if other == plain:
            continue
        theirs = {n: (label, after) for n, (label, after, _) in epub_page_breaks(other)[0].items()}
        ours = {n: (label, after) for n, (label, after, _) in breaks.items()}
        if {n: l for n, (l, _) in theirs.items()} != {n: l for n, (l, _) in ours.items()}:
            problems.append(f"{os.path.basename(other)} has other markers than the plain EPUB")
        elif any(not theirs[n][1].startswith(ours[n][1][:20]) for n in ours):
            problems.append(f"{os.path.basename(other)} puts markers elsewhere in the text")
        if other.endswith(".kepub.epub"):  # the markers keep Kobo's spans whole
            kobo = epub_files(other)
            for href in spine_files(kobo):
                problems += kobo_document_problems(href, kobo["EPUB/" + href])
    check(not problems, f"{len(problems)} pages off in {os.path.basename(plain)} "
          f"({len(starts)} PDF pages):\n  " + "\n  ".join(problems[:30]))
    # epubcheck on one of them (its markup is theirs; the epubcheck cases check each
    # target, which takes long enough on the corpus).
    epubcheck_clean(plain)
    # Without the PDF, nothing of the page list.
    proc = ctx.colophon(["build", book, "-o", "alone", "--target", "epub,kindle,kobo"] + flags)
    check(proc.returncode == 0, f"build without the PDF failed: {describe(proc)}")
    for e in glob.glob(os.path.join(ctx.work, "alone", "*.epub")):
        text = "".join(epub_files(e).values())
        check(not PAGE_BREAK.search(text) and '<nav epub:type="page-list"' not in text and
              'property="source-of">pagination' not in text,
              f"{e}, built without the PDF, has a page list")
    print(f"pagelist: {body_pages} of {len(starts)} PDF pages marked in the three EPUBs, "
          f"each right before the page's first words")


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


def png_bytes(width, height, rgb):
    """Returns an opaque RGB PNG of WIDTH x HEIGHT pixels, all of colour RGB (3 bytes)."""
    import struct, zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = (b"\0" + bytes(rgb) * width) * height
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


INLINE_IMAGES = {
    "src/SUMMARY.md": "- [Icons](icons.md)\n",
    "src/icons.md": "# Icons\n\nPress the ![save icon](save.png) button to keep your work, "
                    "then close the window.\n\n"
                    "| Icon | Meaning |\n|------|---------|\n"
                    "| <img src=\"gear.svg\" alt=\"gear\"> | Settings |\n\n"
                    "![A wide figure of one colour](figure.png)\n",
    "src/save.png": png_bytes(32, 32, (0, 90, 200)),
    "src/gear.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" '
                    'viewBox="0 0 24 24"><rect width="24" height="24" fill="#c00"/></svg>\n',
    "src/figure.png": png_bytes(300, 100, (0, 150, 0)),
}


def case_pdf_inline_images(ctx, _):
    """An image inside text (a PNG) and one in a table cell (an SVG, drawn by librsvg) are
    drawn in the PDF beside the figure: three image XObjects, not the figure's alone; the
    text around them is kept and no alternative text is printed in brackets."""
    need_tool("qpdf", "pdfimages", "pdftotext")
    book = make_book(ctx, INLINE_IMAGES, '[book]\ntitle = "Inline Images"\n')
    proc = ctx.build(book, "out", fmt="all")
    check("inside text" not in proc.stderr, f"the build warns of inline images:\n{proc.stderr}")
    pdf = only_file(os.path.join(ctx.work, "out"), "pdf")
    qpdf_clean(pdf)
    listing = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True).stdout
    rows = [r.split() for r in listing.splitlines()[2:] if r.strip()]
    images = [r for r in rows if len(r) > 2 and r[2] == "image"]
    sizes = sorted((int(r[3]), int(r[4])) for r in images)
    check(len(images) == 3 and (32, 32) in sizes and (300, 100) in sizes,
          f"expected the figure and two inline images, pdfimages lists:\n{listing}")
    t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True)
    text = pdf_words(t.stdout.decode("utf-8", "replace"))
    check("Press the" in text and "button to keep your work" in text and "Settings" in text,
          f"the text around the images is not in the PDF: {text[:600]!r}")
    check("[save icon]" not in text and "[gear]" not in text,
          f"an inline image is printed as its alternative text: {text[:600]!r}")
    epubcheck_clean(only_file(os.path.join(ctx.work, "out"), "epub"))
    print(f"pdf: inline images: {len(images)} image XObjects ({sizes}); qpdf, epubcheck clean")


def cases(func, names):
    """Returns a group of cases, {name: (FUNC, name)}: each runs FUNC(ctx, name)."""
    return {name: (func, name) for name in names}


# Each group maps its case names to (function, argument): the case runs function(ctx,
# argument). live.py holds the cases of watch and serve.
GROUPS = {
    "epubcheck": cases(case_epubcheck, BOOKS),
    # The PDF of every book, and the torture book's PDF built four ways, the same bytes.
    "pdf": {**cases(case_pdf, BOOKS), "determinism": (case_determinism, "pdf"),
            "inline-images": (case_pdf_inline_images, "inline-images")},
    "usage": cases(case_usage, USAGE_CASES),
    "cli": cases(case_cli, ["help-main", "help-build", "help-check", "help-new", "help-dump",
                            "version", "new-then-build", "new-nonempty",
                            "check-writes-nothing", "targets", "cover", "fonts", "dump",
                            "commands", "did-you-mean", "colour", "verbosity", "exit-codes",
                            "inapplicable", "outputs", "check-finds-what-build-finds",
                            "stats"]),
    "determinism": cases(case_determinism, ["epub"]),
    "mdbook": cases(case_mdbook, ["corpus"]),
    "admonish": cases(case_admonish, ["book"]),
    "manuscript": cases(case_manuscript, ["readme"]),
    "kindle": cases(case_kindle, KINDLE_CAUSES),
    # Every EPUB target passes epubcheck on the real books (the plain one: "epubcheck").
    # (mdbook: mdBook's own guide, whose plain EPUB the mdbook case checks.)
    "epubcheck-kindle": cases(lambda ctx, kind: case_epubcheck(ctx, kind, "kindle"),
                              ["sample", "torture", "corpus", "mdbook"]),
    "kobo": cases(case_kobo, ["sample", "torture", "corpus", "mdbook"]),
    "notes": cases(case_notes, ["epub", "kindle", "kobo"]),
    "pagelist": cases(case_pagelist, ["sample", "corpus", "torture"]),
}


def run_case(groups, doc):
    """The command line of a runner of GROUPS (DOC is its help): --list prints every case,
    GROUP:NAME, one a line; otherwise runs the case named in a work folder of its own and
    returns the exit code: 0 passed, 1 failed, 77 (SKIP) skipped."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--colophon")
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--work-root", help="folder for work folders (default: system temp)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(f"{g}:{n}" for g, names in groups.items() for n in names))
        return 0
    if not args.case or not args.colophon:
        ap.error("give --colophon EXE and a CASE (see --list)")
    group, _, name = args.case.partition(":")
    if name not in groups.get(group, {}):
        ap.error(f"unknown case {args.case!r} (see --list)")
    if args.work_root:
        os.makedirs(args.work_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=args.case.replace(":", "-") + "-", dir=args.work_root)
    ctx = Ctx(os.path.abspath(args.colophon), os.path.abspath(args.source), work)
    func, arg = groups[group][name]
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
    sys.exit(run_case(GROUPS, __doc__))
