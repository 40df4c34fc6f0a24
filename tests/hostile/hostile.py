#!/usr/bin/env python3
"""Hostile input for colophon (issue 4): generates a book per case and builds it.

Every case must finish (a generous bound catches a hang), exit 0 or 1 (never a signal, never 2),
say why when it exits 1 (an `error:` line, and for the cases past a documented limit
the expected message), and when it exits 0 the EPUB must be a zip whose XHTML, OPF and
NCX files all parse as XML (a cheap stand-in for epubcheck, which is too slow here).

    hostile.py --list
    hostile.py --colophon PATH [--work DIR] [--keep] CASE
    hostile.py --generate DIR CASE        (writes the book only, for debugging)

Exit codes: 0 pass, 1 fail.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.parsers.expat
import zipfile

# A hang catcher, not a speed test: one `colophon build --format all` that has not ended
# after this many seconds of wall time is stuck or worse than linear. Speed is measured by
# tools/bench/bench.py, which prints figures; linearity is proved by the work counters of
# the unit tests (tests/layout, tests/hostile/regressions_test.cpp), which do not depend
# on how busy the machine is. A sanitizer build runs several times slower: its ctest sets
# COLOPHON_TIME_SCALE (see tests/hostile/CMakeLists.txt), which multiplies the bound.
TIME_SCALE = float(os.environ.get("COLOPHON_TIME_SCALE", "1"))
BUILD_BOUND_S = 100 * TIME_SCALE
# Cases whose diagnostics must quote the input shortly (never the whole 1 MB word).
SHORT_MESSAGE_CASES = {"word-1mb", "url-200kb"}
MAX_MESSAGE_LINE = 400  # characters


def nested_quotes():
    # 20,000 levels, one '>' per level on a single line, then the text.
    return ">" * 20000 + " deep\n"


def nested_lists():
    # 3,000 levels of bullet lists, each item indented two spaces past its parent.
    lines = []
    for i in range(3000):
        lines.append("  " * i + "- level %d\n" % i)
    return "".join(lines)


def nested_lists_inline():
    # 3,000 levels of bullet lists opened on one line ("- - - ... x").
    return "- " * 3000 + "x\n"


def huge_word():
    return "Before.\n\n" + "a" * (1 << 20) + "\n\nAfter.\n"


def huge_url():
    url = "https://example.com/" + "p" * (200 * 1024)
    return ("A [link](%s) and an autolink <%s> and a bare one %s here.\n"
            % (url, url, url))


def big_table():
    cols, rows = 300, 1000
    out = ["| " + " | ".join("h%d" % c for c in range(cols)) + " |\n",
           "|" + "---|" * cols + "\n"]
    row = "| " + " | ".join("c" for _ in range(cols)) + " |\n"
    out.extend(row for _ in range(rows))
    return "".join(out)


def wide_table():
    # 10,000 columns by 30 rows: cmark-gfm 0.29.0.gfm.6 is quadratic in a row's cells
    # (19 s); the reader refuses tables past 1,000 columns before parsing.
    cols = 10000
    out = ["| " + " | ".join("h" for _ in range(cols)) + " |\n", "|" + "---|" * cols + "\n"]
    row = "| " + " | ".join("c" for _ in range(cols)) + " |\n"
    out.extend(row for _ in range(30))
    return "".join(out)


def many_paragraphs():
    return "".join("Paragraph %d of a very long chapter.\n\n" % i for i in range(100000))


def many_footnotes():
    n = 10000
    body = "".join("Sentence %d with a note.[^n%d]\n" % (i, i) for i in range(n))
    notes = "".join("[^n%d]: Note number %d.\n\n" % (i, i) for i in range(n))
    return body + "\n" + notes


def footnote_in_footnote():
    return ("Outer text.[^a]\n\n"
            "[^a]: The outer note, which cites another.[^b]\n\n"
            "[^b]: The inner note, citing the outer one back.[^a]\n")


def long_headings():
    words = " ".join("word%d" % i for i in range(1700))[:10000]
    return ("# " + words + "\n\nText.\n\n## " + "x" * 10000 + "\n\nMore text.\n\n"
            "### " + words + "\n\nEnd.\n")


# name -> (chapter text generator, expected exit codes, message required on exit 1)
CASES = {
    "quotes-20000": (nested_quotes, {1}, "nest"),
    "lists-3000": (nested_lists, {1}, "nest"),
    "lists-3000-inline": (nested_lists_inline, {1}, "nest"),
    "word-1mb": (huge_word, {0, 1}, None),
    "url-200kb": (huge_url, {0, 1}, None),
    "table-300x1000": (big_table, {0, 1}, None),
    "table-10000-columns": (wide_table, {1}, "columns are accepted"),
    "paragraphs-100000": (many_paragraphs, {0}, None),
    "footnotes-10000": (many_footnotes, {0}, None),
    "footnote-in-footnote": (footnote_in_footnote, {0, 1}, None),
    "headings-10000": (long_headings, {0, 1}, None),
}


def write_book(root, case):
    text = CASES[case][0]()
    os.makedirs(os.path.join(root, "src"), exist_ok=True)
    with open(os.path.join(root, "book.toml"), "w", encoding="utf-8") as f:
        f.write('[book]\ntitle = "Hostile %s"\nauthors = ["Test"]\nlanguage = "en"\n' % case)
    with open(os.path.join(root, "src", "SUMMARY.md"), "w", encoding="utf-8") as f:
        f.write("# Summary\n\n- [Hostile](hostile.md)\n")
    with open(os.path.join(root, "src", "hostile.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def check_epub(path):
    """Returns a list of problems: every XML member of the EPUB must parse."""
    problems = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        if not names or names[0] != "mimetype":
            problems.append("mimetype is not the first member")
        for name in names:
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml", ".svg")):
                parser = xml.parsers.expat.ParserCreate()
                try:
                    parser.Parse(z.read(name), True)
                except xml.parsers.expat.ExpatError as e:
                    problems.append("%s: not well-formed: %s" % (name, e))
    return problems


def run_case(case, colophon, work, keep):
    expected, needle = CASES[case][1], CASES[case][2]
    root = tempfile.mkdtemp(prefix="hostile-%s-" % case, dir=work)
    try:
        size = write_book(root, case)
        out = os.path.join(root, "dist")
        cmd = [colophon, "build", root, "-o", out, "--format", "all"]
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        bound = BUILD_BOUND_S
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                  timeout=bound, env=env)
        except subprocess.TimeoutExpired:
            print("FAIL %s: no result after %g s (a hang or worse than linear time)"
                  % (case, bound))
            return 1
        elapsed = time.monotonic() - start
        stderr = proc.stderr
        print("%s: input %d bytes, exit %d, %.2f s" % (case, size, proc.returncode, elapsed))
        tail = stderr if len(stderr) < 4000 else stderr[:2000] + "\n...\n" + stderr[-1500:]
        print(tail)
        if proc.returncode < 0:
            print("FAIL %s: killed by signal %s"
                  % (case, signal.Signals(-proc.returncode).name))
            return 1
        if proc.returncode not in expected:
            print("FAIL %s: exit %d, expected one of %s" % (case, proc.returncode, sorted(expected)))
            return 1
        if case in SHORT_MESSAGE_CASES:
            longest = max((len(l) for l in stderr.splitlines()), default=0)
            if longest > MAX_MESSAGE_LINE:
                print("FAIL %s: a diagnostic line of %d characters (at most %d)"
                      % (case, longest, MAX_MESSAGE_LINE))
                return 1
        if "bug in colophon" in stderr:
            print("FAIL %s: colophon reports an internal bug" % case)
            return 1
        if proc.returncode == 1:
            if "error:" not in stderr:
                print("FAIL %s: exit 1 without an error message" % case)
                return 1
            if needle and needle not in stderr:
                print("FAIL %s: the error does not mention '%s'" % (case, needle))
                return 1
            return 0
        epubs = [f for f in os.listdir(out) if f.endswith(".epub")]
        pdfs = [f for f in os.listdir(out) if f.endswith(".pdf")]
        if len(epubs) != 1 or len(pdfs) != 1:
            print("FAIL %s: expected one EPUB and one PDF in dist/, found %s"
                  % (case, os.listdir(out)))
            return 1
        problems = check_epub(os.path.join(out, epubs[0]))
        for p in problems[:20]:
            print("FAIL %s: %s" % (case, p))
        if problems:
            return 1
        with open(os.path.join(out, pdfs[0]), "rb") as f:
            head = f.read(5)
        if head != b"%PDF-":
            print("FAIL %s: the PDF does not start with %%PDF-" % case)
            return 1
        return 0
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--colophon")
    ap.add_argument("--work", default=tempfile.gettempdir())
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--generate", metavar="DIR")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    if args.case not in CASES:
        ap.error("unknown case %r (see --list)" % args.case)
    if args.generate:
        write_book(args.generate, args.case)
        return 0
    if not args.colophon:
        ap.error("--colophon is required")
    os.makedirs(args.work, exist_ok=True)
    return run_case(args.case, args.colophon, args.work, args.keep)


if __name__ == "__main__":
    sys.exit(main())
