#!/usr/bin/env python3
"""Hostile input for colophon (issues 4 and 13): generates a book per case and builds it.

Every case must finish (a generous bound catches a hang), exit 0 or 1 (never a signal, never
2), say why when it exits 1 (an `error:` line, and for the cases past a documented limit the
expected message) and then leave its output folder as it was (no file, not even a staged
one). When it exits 0, the EPUB must be a zip whose XML members all parse, with no active
content in any XHTML, SVG or CSS member (see `active_content`). epubcheck must find
nothing in any EPUB a case's builds wrote, the Kindle's and Kobo's too (`epubcheck_left`;
when epubcheck is installed; COLOPHON_HOSTILE_EPUBCHECK=0 skips it); a case with a check
size is checked as a chapter of that size in the case "epubcheck-omnibus".
Diagnostics never carry a control character, and never flood the terminal.

A growth case is built at two sizes, N and 2N, with `--stats`: every stage must count at
most about twice the units of work at 2N (core/work.h; a quadratic stage counts four
times as many), and where the case says so, the peak memory must grow by at most so many
bytes per input byte. No clock is read for a verdict: the time bound only catches a hang.

    hostile.py --list
    hostile.py --self-test                        (checks the checker: active_content)
    hostile.py --colophon PATH [--work DIR] [--keep] CASE
    hostile.py --generate DIR CASE [--size N]     (writes the book only, for debugging)

Exit codes: 0 pass, 1 fail.
"""
import argparse
import hashlib
import html
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import xml.parsers.expat
import zipfile
import zlib

# A hang catcher, not a speed test: one build that has not ended after this many seconds
# of wall time is stuck or worse than linear. Speed is measured by tools/bench/bench.py,
# which prints figures; linearity is proved by counting work (--stats). A sanitizer build
# runs several times slower: its ctest sets COLOPHON_TIME_SCALE (see CMakeLists.txt).
TIME_SCALE = float(os.environ.get("COLOPHON_TIME_SCALE", "1"))
BUILD_BOUND_S = 100 * TIME_SCALE
# Under ASan or TSan the peak memory is mostly the sanitizer's (shadow, redzones, the
# quarantine of freed blocks): the memory bounds are printed there, not asserted.
SANITIZED = os.environ.get("COLOPHON_SANITIZED", "0") == "1"
MAX_MESSAGE_LINE = 400     # characters: diagnostics quote the input shortly
MAX_STDERR_LINES = 600     # a flood of diagnostics is capped per kind, with a count
# A stage counting more than this times its units at N when the input doubles is not
# linear (a quadratic one counts 4 times as many); the slack absorbs fixed costs.
GROWTH_FACTOR = 2.3
GROWTH_SLACK_UNITS = 5000
EPUBCHECK = "/usr/bin/epubcheck"


# --------------------------------------------------------------------------- book writing

def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def write_book(root, chapter, title="Hostile", toml_extra="", files=None):
    """Writes a one-chapter book: book.toml, src/SUMMARY.md, src/hostile.md, FILES."""
    write(os.path.join(root, "book.toml"),
          '[book]\ntitle = "%s"\nauthors = ["Test"]\nlanguage = "en"\n%s' % (title, toml_extra))
    write(os.path.join(root, "src", "SUMMARY.md"), "# Summary\n\n- [Hostile](hostile.md)\n")
    write(os.path.join(root, "src", "hostile.md"), chapter)
    for rel, data in (files or {}).items():
        write(os.path.join(root, rel), data)


# --------------------------------------------------------------------------- issue 4 cases

def nested_quotes(n):
    # 20,000 levels, one '>' per level on a single line, then the text.
    return ">" * 20000 + " deep\n"


def nested_lists(n):
    # 3,000 levels of bullet lists, each item indented two spaces past its parent.
    return "".join("  " * i + "- level %d\n" % i for i in range(3000))


def nested_lists_inline(n):
    # 3,000 levels of bullet lists opened on one line ("- - - ... x").
    return "- " * 3000 + "x\n"


def huge_word(n):
    return "Before.\n\n" + "a" * (n or 1 << 20) + "\n\nAfter.\n"


def huge_url(n):
    url = "https://example.com/" + "p" * (n or 200 * 1024)
    return ("A [link](%s) and an autolink <%s> and a bare one %s here.\n" % (url, url, url))


def big_table(n):
    cols, rows = 300, n or 1000
    out = ["| " + " | ".join("h%d" % c for c in range(cols)) + " |\n",
           "|" + "---|" * cols + "\n"]
    row = "| " + " | ".join("c" for _ in range(cols)) + " |\n"
    out.extend(row for _ in range(rows))
    return "".join(out)


def wide_table(n):
    # 10,000 columns by 30 rows: cmark-gfm 0.29.0.gfm.6 is quadratic in a row's cells
    # (19 s); the reader refuses tables past 1,000 columns before parsing.
    cols = 10000
    out = ["| " + " | ".join("h" for _ in range(cols)) + " |\n", "|" + "---|" * cols + "\n"]
    row = "| " + " | ".join("c" for _ in range(cols)) + " |\n"
    out.extend(row for _ in range(30))
    return "".join(out)


def many_paragraphs(n):
    return "".join("Paragraph %d of a very long chapter.\n\n" % i for i in range(n or 100000))


def many_footnotes(n):
    n = n or 10000
    body = "".join("Sentence %d with a note.[^n%d]\n" % (i, i) for i in range(n))
    notes = "".join("[^n%d]: Note number %d.\n\n" % (i, i) for i in range(n))
    return body + "\n" + notes


def footnote_in_footnote(n):
    return ("Outer text.[^a]\n\n"
            "[^a]: The outer note, which cites another.[^b]\n\n"
            "[^b]: The inner note, citing the outer one back.[^a]\n")


def long_headings(n):
    n = n or 10000
    words = " ".join("word%d" % i for i in range(1700))[:n]
    return ("# " + words + "\n\nText.\n\n## " + "x" * n + "\n\nMore text.\n\n"
            "### " + words + "\n\nEnd.\n")


# --------------------------------------------------------------------------- issue 13 growth

# Words of the plain-paragraph case: long and short, so that lines are justified as in
# a real book (with hyphenation), and no word repeats its neighbours too often.
PROSE = ("the of and to in that was his with for had as not but which from they were this "
         "by have all are one their been when there would who more into other only about "
         "after some these them then could what time than people should because through "
         "between before another government understanding communication particular "
         "everything something international information development experience "
         "nevertheless relationship considerable responsibility circumstances").split()


def prose(n):
    """Returns about N bytes of words, deterministic, on one line."""
    out, size, k = [], 0, 0
    while size < n:
        w = PROSE[(k * 7 + k // 13) % len(PROSE)]
        out.append(w)
        size += len(w) + 1
        k += 1
    return " ".join(out)


def code_line(n):
    # One line of N characters in a fenced code block: the PDF wraps it over N/60 lines.
    return "Before.\n\n```\n" + "x" * n + "\n```\n\nAfter.\n"


def style_run_word(n):
    # A word of N characters made of alternating style runs: *a*b*a*b...
    return "Before.\n\n" + "*a*b" * (n // 4) + "\n\nAfter.\n"


def cjk_bold(n):
    # Chinese (no spaces) with **bold** every few characters: one long word of runs.
    return "".join("\u4e2d\u6587\u5b57**\u7c97\u4f53**" for _ in range(n // 20)) + "\n"


def nested_raw_html(n):
    # N nested <div> elements: refused past the nesting limit, in linear time.
    return "<div>" * n + "x" + "</div>" * n + "\n"


def footnote_refs(n):
    # N references to one footnote in one paragraph.
    return "".join("x[^a] " for _ in range(n)) + "\n\n[^a]: The note.\n"


def plain_paragraph(n):
    return prose(n) + ".\n"


def autolinks(n):
    return " ".join("https://example.com/%d" % i for i in range(n)) + "\n"


def headings(n):
    return "".join("# Heading %d\n\nText %d.\n\n" % (i, i) for i in range(n))


def long_word(n):
    # The over-long word of issue 8: N letters, broken between letters.
    return "Before.\n\n" + "a" * n + "\n\nAfter.\n"


# --------------------------------------------------------------------------- issue 13 books

def long_metadata(root, n):
    # Item 9: metadata past the PDF's string limit (libharu failed at 64 KB).
    write_book(root, "# One\n\nText.\n", title="T" * 70000,
               toml_extra='description = "%s"\nsubjects = ["%s", "%s"]\n'
               % ("D" * 70000, "S" * 20000, "U" * 20000))
    return 180000


def many_pages(root, n):
    # Item 9: past the page limit (libharu failed at 32,767 pages). Each chapter starts
    # on a right-hand page: two pages a chapter.
    chapters = 15500
    write(os.path.join(root, "book.toml"),
          '[book]\ntitle = "Pages"\nauthors = ["Test"]\nlanguage = "en"\n')
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n" + "".join("- [C%d](c%d.md)\n" % (i, i) for i in range(chapters)))
    for i in range(chapters):
        write(os.path.join(root, "src", "c%d.md" % i), "# C%d\n\nText.\n" % i)
    return chapters * 16


def long_title(root, n):
    # Item 11 and the generated cover: a title of N characters in words, and as many
    # authors as fit in N bytes. Its pages and the cover keep what fits, with a warning.
    title = prose(n)
    authors = ", ".join('"Author %d"' % i for i in range(n // 12))
    write(os.path.join(root, "book.toml"),
          '[book]\ntitle = "%s"\nauthors = [%s]\nlanguage = "en"\n' % (title, authors))
    write(os.path.join(root, "src", "SUMMARY.md"), "# Summary\n\n- [One](one.md)\n")
    write(os.path.join(root, "src", "one.md"), "# One\n\nText.\n")
    return len(title) + len(authors)


def special(rel, kind, toml_extra="", files=None, chapter="# One\n\nText.\n"):
    """Returns a writer of a book whose file REL is KIND: "fifo" (a named pipe, which
    blocked the build for ever), "zero" (a link to /dev/zero, read until memory ran
    out) or "outside" (a link to a file outside the book, which was read into the
    book)."""
    def writer(root, n):
        write_book(root, chapter, toml_extra=toml_extra, files=files)
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.remove(path)
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "zero":
            os.symlink("/dev/zero", path)
        else:
            outside = root + "-outside-" + os.path.basename(rel)
            data = ('[book]\ntitle = "SECRET-OUTSIDE"\n' if rel.endswith(".toml")
                    else "# Summary\n\n- [SECRET-OUTSIDE](hostile.md)\n")
            write(outside, data)
            os.symlink(outside, path)
        return 0
    return writer


# Characters XML forbids, each way they can be written: references cmark-gfm decodes to
# a stray byte, the noncharacters themselves (BMP, plane 1, U+FDD0), controls, a C1
# control, in text, raw HTML, a code block, a link title, a note, SUMMARY.md and book.toml.
FORBIDDEN = "\ufffe \uffff \ufdd0 \U0001fffe \x01 \x1b \x7f \x85"
# Raw HTML takes the same (it gave an error per control character): all of them there.
NONCHARACTERS = FORBIDDEN
# TOML refuses raw controls: written as escapes there.
TOML_FORBIDDEN = "\ufffe \uffff \ufdd0 \U0001fffe \\u0001 \\u001b \\u007f \\u0085"


def forbidden_characters(root, n):
    chapter = ("# One %s\n\nRefs &#xFFFF; &#xFFFE; &#xFDD0; and raw %s.\n\n"
               "<div>raw HTML %s</div>\n\n<span title=\"t %s\">in %s</span>\n\n"
               "```\ncode %s\n```\n\n[a link](https://example.com \"title %s\")"
               " and a note.[^n]\n\n[^n]: The note %s.\n"
               % (FORBIDDEN, FORBIDDEN, NONCHARACTERS, NONCHARACTERS, NONCHARACTERS,
                  FORBIDDEN, FORBIDDEN, FORBIDDEN))
    write_book(root, chapter, title="Title %s" % TOML_FORBIDDEN,
               toml_extra='description = "Desc %s"\nsubjects = ["S %s"]\n'
               % (TOML_FORBIDDEN, TOML_FORBIDDEN))
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n- [Hostile %s](hostile.md)\n" % FORBIDDEN)
    return 0


# Issue 13, item 5: active content of every kind an SVG, a CSS file or a style
# attribute can carry. The suite's grep (active_content) must find none of it in the
# EPUB; the old code packed it as written.
HOSTILE_SVG = """<?xml version="1.0"?>
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg"
     xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xi="http://www.w3.org/2001/XInclude"
     width="100" height="100" onload="alert(1)">
<s:animate attributeName="href" values="javascript:alert(2)"/>
<style>@import url(https://evil.example/a.css); rect { fill: red;
  background: url(https://evil.example/t.png) } circle { position: fixed }</style>
<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/>
</foreignObject>
<a xlink:href="javascript:alert(3)"><rect id="r" width="10" height="10"
  style="fill: blue; behavior: url(x.htc)" onclick="x()"/></a>
<set attributeName="href" to="javascript:alert(4)"/>
<animate attributeName="xlink:href" values="javascript:alert(5)"/>
<image xlink:href="https://evil.example/i.png" width="5" height="5"/>
<use href="//evil.example/u.svg#x"/>
<use xlink:href="#r" x="20"/>
<xi:include href="file:///etc/passwd"/>
<circle r="5" fill="url(https://evil.example/#g)"/>
</svg>
"""

HOSTILE_CSS = """@import "https://evil.example/x.css";
p { color: red; background: url("https://evil.example/bg.png"); }
.x { width: expression(alert(1)); behavior: url(a.htc); -moz-binding: url(x.xml#y) }
.y { width: \\65xpression(alert(1)) }
.o { position : fixed; top: 0 }
.q { content: "</style><script>alert(1)</script>" }
.ok { font-weight: bold }
"""


def active_content_book(root, n):
    chapter = ("# One\n\n![A picture](pic.svg)\n\n"
               '<p style="color: red; background: url(https://evil.example/x.png); '
               'position: fixed">styled</p>\n\n'
               '<a href="file:///etc/passwd">file</a> <a href="livescript:x">live</a> '
               '<a href="smb://host/share">smb</a> <a href="intent://x#Intent;end">intent</a> '
               '<a href="https://example.com">fine</a>\n\n'
               "[md smb](smb://host/share) [md intent](intent://x) [md live](livescript:x)\n")
    write_book(root, chapter, toml_extra='cover = "cover.svg"\n'
               '[output.epub]\nextra-css = ["extra.css"]\n',
               files={"src/pic.svg": HOSTILE_SVG, "cover.svg": HOSTILE_SVG,
                      "extra.css": HOSTILE_CSS})
    return 0


def many_handlers_book(root, n):
    # Every element of the SVG with a handler and an animation of its own: one warning
    # for the image, with the counts; the extra CSS's removals at their line and column.
    # (A plain <script> in an SVG is an error of its own.)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n'
           + '<rect onclick="x()" width="1" height="1"/><set attributeName="fill" to="red"/>\n'
           * 300
           + "</svg>\n")
    css = "p { color: red }\n\n.a {\n    background: url(https://evil.example/a.png) }\n"
    write_book(root, "# One\n\n![A picture](pic.svg)\n\n![Again](pic.svg)\n",
               toml_extra='[output.epub]\nextra-css = ["extra.css"]\n',
               files={"src/pic.svg": svg, "extra.css": css})
    return 0


def broken_css_book(root, n):
    # A block never closed: epubcheck's CSS parser rejects the sheet (CSS-008), so the
    # build must refuse it, at the place the '}' is missing.
    write_book(root, "# One\n\nText.\n", toml_extra='[output.epub]\nextra-css = ["extra.css"]\n',
               files={"extra.css": "p { color: red;\nh1 { font-weight: bold }\n"})
    return 0


def prefixed_script_book(root, n):
    # A script behind a prefix is refused as a plain <script> is, not quietly removed.
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg" '
           'width="10" height="10"><s:script>alert(1)</s:script></svg>\n')
    write_book(root, "# One\n\n![A picture](pic.svg)\n", files={"src/pic.svg": svg})
    return 0


def malformed_svg_book(root, n):
    write_book(root, "# One\n\n![A picture](pic.svg)\n",
               files={"src/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>\n'})
    return 0


# Inline raw-text elements: cmark-gfm gives `<script>`, its content and `</script>` as
# separate pieces of a paragraph; the content must go with the tags, in every output,
# with one warning per element and no false "not closed".
INLINE_SCRIPT = ("# One\n\nBefore <script>alert(1)</script> after.\n\n"
                 "Style <style>p { color: red }</style> here and "
                 "<script type=\"x\">if (a < b) alert(2)</script> end.\n\n"
                 "Lines <script>alert(3)\n*alert(4)* `alert(5)` [alert(6)](u)</SCRIPT > done.\n\n"
                 "Emphasis *a <script>alert(7)* alert(8)</script> b* and "
                 "<iframe src=\"x.html\">alert(9)</iframe> end.\n\n"
                 "Open <script>alert(10)\n\nThe next paragraph stays.\n")


def inline_script_book(root, n):
    write_book(root, INLINE_SCRIPT)
    return 0


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def blank_rgba_png(side):
    """Returns a valid RGBA PNG of SIDE x SIDE transparent pixels, made without
    compressing its SIDE**2 * 4 bytes: each row is one identical flushed deflate piece."""
    row = b"\0" * (1 + side * 4)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(row) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush(zlib.Z_FINISH)
    adler = (len(row) * side % 65521) << 16 | 1  # Adler-32 of zero bytes
    idat = b"\x78\xda" + piece * side + end + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def image_budget_book(root, n):
    # Item 8: nine RGBA PNGs of 11,500 x 11,500 pixels, 760 KB files of 505 MB decoded
    # each (eight cost 3.5 GB at once and a minute): past the book's budget, refused from
    # their headers before any is decoded.
    png = blank_rgba_png(11500)
    files = {"src/p%d.png" % i: png for i in range(9)}
    write_book(root, "# One\n\n" + "".join("![p%d](p%d.png)\n\n" % (i, i) for i in range(9)),
               files=files)
    return 0


def with_toml(toml_extra):
    """Returns a writer of a one-chapter book with TOML_EXTRA in its [book] table."""
    def writer(root, n):
        write_book(root, "# One\n\nText.\n", toml_extra=toml_extra)
        return 0
    return writer


def blank_metadata(root, n):
    # Before: an empty dc:title (epubcheck error), empty dc:creator and dc:subject.
    write(os.path.join(root, "book.toml"),
          '[book]\ntitle = "  \\t "\nauthors = ["A", " "]\nsubjects = [" "]\n'
          'description = " "\nlanguage = "en"\n')
    write(os.path.join(root, "src", "SUMMARY.md"), "# Summary\n\n- [One](one.md)\n")
    write(os.path.join(root, "src", "one.md"), "# One\n\nText.\n")
    return 0


# Item 10: terminal control sequences in every place a diagnostic quotes: ESC [8m (hides
# what follows), an OSC that retitles the window ended by BEL, a C1 CSI, DEL, a bidi
# override, a stray byte of invalid UTF-8; in a chapter file name (SUMMARY.md), an image
# name, a link target, an include and a TOML value.
TERMINAL = "\x1b[8m\x1b]0;owned\x07\u009b2J\x7f\u202e"


def terminal_injection(root, n):
    chapter = ("# One\n\n![pic](a%s.png)\n\n[x](#no%s)\n\n[y](missing%s.md)\n\n"
               "{{#include part%s.md}}\n" % (TERMINAL, TERMINAL, TERMINAL, TERMINAL))
    write_book(root, chapter, toml_extra='cover = "c\\u001b[8m\\u0007.png"\n')
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n- [One](hostile.md)\n- [Two](two%s.md)\n" % TERMINAL)
    return 0


def distinct_warnings(n):
    # N raw-HTML elements of N different names, each its own warning (no number in the
    # name for the printer to count them by): at most a few hundred lines may be printed.
    def name(i):
        s = ""
        while True:
            s += chr(ord("a") + i % 26)
            i //= 26
            if i == 0:
                return "x" + s
    return "# One\n\n" + "".join("<%s>t</%s>\n\n" % (name(i), name(i)) for i in range(n))


def normal_forms_book(root, n):
    # Item 12: names that look the same but differ in their bytes (macOS saves NFD, most
    # editors type NFC) gave "not found". The chapter is NFD on disk and named in NFC by
    # SUMMARY.md and a link; the image is NFC on disk and named in NFD.
    nfc_chapter, nfd_chapter = (unicodedata.normalize(f, "café.md") for f in ("NFC", "NFD"))
    nfc_image, nfd_image = (unicodedata.normalize(f, "hôtel.png") for f in ("NFC", "NFD"))
    write_book(root, "# One\n\nSee [the café](%s).\n\n![A hotel](%s)\n"
               % (nfc_chapter, nfd_image),
               files={"src/" + nfd_chapter: "# Café\n\nCoffee.\n",
                      "src/" + nfc_image: blank_rgba_png(4)})
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n- [One](hostile.md)\n- [Café](%s)\n" % nfc_chapter)
    return 0


STYLE_WITH_FONT = '[fonts.text]\nregular = "fonts/text.ttf"\n'


class Interrupted:
    """Item 7: a big book (a build of seconds) whose build is sent SIG as soon as a staged
    file shows in its output folder. SIGINT, SIGTERM and SIGHUP must end it by that
    signal (the shell's 130, 143, 129) with no staged file left; SIGKILL cannot be
    handled: the staged files it leaves must go at the next build, while a staged file
    of a process that still runs stays. No clock is read for a verdict: the bound only
    catches a hang."""

    def __init__(self, sig):
        self.sig = sig


class Case:
    """One hostile book: its chapter text (or a writer of the whole book), the exit codes
    allowed, a word the error must contain (or, on exit 0, a warning), and for a growth
    case its first size, the formats built and the most bytes of peak memory per input
    byte."""

    def __init__(self, chapter=None, expect=(0,), needle=None, size=None, fmt="all",
                 mem_per_byte=None, short_messages=False, writer=None, warns=None,
                 check_size=None, absent=None, keeps=None, quiet=None,
                 once=None, targets=None):
        self.chapter, self.expect, self.needle = chapter, set(expect), needle
        # ABSENT: text in neither the EPUB's XHTML nor the PDF's text; KEEPS: text that
        # must be in both; QUIET: a message that must not be printed.
        self.absent, self.keeps, self.quiet = absent or [], keeps or [], quiet or []
        # WARNS: a message (or a list of them) that must be printed; ONCE: words that
        # exactly one line of the diagnostics may hold (a report grouped, not repeated).
        self.once = once or []
        self.targets = targets  # --target LIST instead of --format FMT (then "all")
        self.size, self.fmt, self.mem_per_byte = size, fmt, mem_per_byte
        self.short_messages, self.writer, self.warns = short_messages, writer, warns
        # epubcheck takes seconds of JVM per book and minutes on the big ones: every EPUB
        # a case builds is checked (epubcheck_left), except that a case with a CHECK_SIZE
        # is checked as a chapter of that size in the omnibus book of "epubcheck-omnibus".
        self.check_size = check_size

    def write(self, root, n):
        if self.writer:
            return self.writer(root, n)
        text = self.chapter(n)
        write_book(root, text)
        return len(text.encode("utf-8"))


CASES = {
    # issue 4
    "quotes-20000": Case(nested_quotes, {1}, "nest"),
    "lists-3000": Case(nested_lists, {1}, "nest"),
    "lists-3000-inline": Case(nested_lists_inline, {1}, "nest"),
    "word-1mb": Case(huge_word, {0, 1}, short_messages=True, check_size=5000),
    "url-200kb": Case(huge_url, {0, 1}, short_messages=True, check_size=5000),
    "table-300x1000": Case(big_table, {0, 1}, check_size=3),
    "table-10000-columns": Case(wide_table, {1}, "columns are accepted"),
    "paragraphs-100000": Case(many_paragraphs, {0}, check_size=300),
    "footnotes-10000": Case(many_footnotes, {0}, check_size=300),
    "footnote-in-footnote": Case(footnote_in_footnote, {0, 1}, check_size=1),
    "headings-10000": Case(long_headings, {0, 1}, check_size=3000),
    # issue 13, item 2: linear time and memory, proved by counting work at N and 2N
    "growth-code-line": Case(code_line, size=50000, fmt="pdf", short_messages=True,
                             check_size=5000),
    "growth-style-run-word": Case(style_run_word, size=40000, fmt="pdf", short_messages=True,
                                  check_size=2000),
    "growth-cjk-bold": Case(cjk_bold, size=40000, fmt="pdf", short_messages=True,
                            check_size=2000),
    "growth-nested-raw-html": Case(nested_raw_html, {1}, "nest", size=20000),
    "growth-footnote-refs": Case(footnote_refs, size=40000, mem_per_byte=1500, check_size=500),
    "growth-plain-paragraph": Case(plain_paragraph, size=1 << 20, fmt="pdf", mem_per_byte=60,
                                   check_size=20000),
    "growth-autolinks": Case(autolinks, size=20000, mem_per_byte=600, check_size=300),
    "growth-headings": Case(headings, size=20000, mem_per_byte=600, check_size=300),
    "growth-long-word": Case(long_word, size=200000, fmt="pdf", short_messages=True,
                             check_size=5000),
    "growth-long-title": Case(writer=long_title, size=20000),
    # issue 13, items 1 and 6: every file the book names is read without blocking, only
    # when it is a regular file inside the book, and under a size cap
    "special-book-toml-fifo": Case(writer=special("book.toml", "fifo"), expect={1},
                                   needle="named pipe"),
    "special-book-toml-zero": Case(writer=special("book.toml", "zero"), expect={1},
                                   needle="outside the book"),
    "special-book-toml-outside": Case(writer=special("book.toml", "outside"), expect={1},
                                      needle="outside the book"),
    "special-summary-fifo": Case(writer=special("src/SUMMARY.md", "fifo"), expect={1},
                                 needle="named pipe"),
    "special-summary-zero": Case(writer=special("src/SUMMARY.md", "zero"), expect={1},
                                 needle="outside the book"),
    "special-summary-outside": Case(writer=special("src/SUMMARY.md", "outside"), expect={1},
                                    needle="outside the book"),
    "special-chapter-fifo": Case(writer=special("src/hostile.md", "fifo"), expect={1},
                                 needle="hostile.md"),
    "special-chapter-zero": Case(writer=special("src/hostile.md", "zero"), expect={1},
                                 needle="hostile.md"),
    "special-extra-css-fifo": Case(writer=special(
        "extra.css", "fifo", toml_extra='[output.epub]\nextra-css = ["extra.css"]\n'),
        expect={1}, needle="named pipe"),
    "special-extra-css-zero": Case(writer=special(
        "extra.css", "zero", toml_extra='[output.epub]\nextra-css = ["extra.css"]\n'),
        expect={1}, needle="outside the book"),
    "special-style-fifo": Case(writer=special(
        "style.toml", "fifo", toml_extra='[output.pdf]\nstyle = "style.toml"\n'),
        expect={1}, needle="named pipe"),
    "special-style-zero": Case(writer=special(
        "style.toml", "zero", toml_extra='[output.pdf]\nstyle = "style.toml"\n'),
        expect={1}, needle="outside the book"),
    "special-font-fifo": Case(writer=special(
        "fonts/text.ttf", "fifo", toml_extra='[output.pdf]\nstyle = "style.toml"\n',
        files={"style.toml": STYLE_WITH_FONT}), expect={1}, needle="named pipe"),
    "special-font-outside": Case(writer=special(
        "fonts/unused.ttf", "fifo", toml_extra='[output.pdf]\nstyle = "style.toml"\n',
        files={"style.toml": '[fonts.text]\nregular = "../../outside.ttf"\n'}), expect={1},
        needle="outside the book"),
    "special-image-fifo": Case(writer=special(
        "src/pic.png", "fifo", chapter="# One\n\n![A picture](pic.png)\n"), expect={1},
        needle="pic.png"),
    "special-cover-fifo": Case(writer=special(
        "cover.png", "fifo", toml_extra='cover = "cover.png"\n'), expect={1},
        needle="cover.png"),
    "special-include-fifo": Case(writer=special(
        "src/part.md", "fifo", chapter="# One\n\n{{#include part.md}}\n"), expect={1},
        needle="named pipe"),
    "special-include-zero": Case(writer=special(
        "src/part.md", "zero", chapter="# One\n\n{{#include part.md}}\n"), expect={1},
        needle="part.md"),
    # issue 13, item 4: text XML forbids becomes U+FFFD with a warning, wherever it
    # comes from; blank metadata is left out; a date of year 0 is refused
    # one warning per file, with the count and the first place: the first in the file
    # (the heading, not the code block a walk meets first), or the key of book.toml
    "xml-forbidden-characters": Case(
        writer=forbidden_characters,
        warns=["src/hostile.md:1:3: warning: character U+FFFE cannot stand in XML",
               "book.toml: warning: character U+FFFE in 'title' cannot stand in XML",
               "SUMMARY.md: warning: character U+FFFE in the title of src/hostile.md cannot"],
        once=["cannot stand in XML; it is written as U+FFFD (67 such characters"]),
    "blank-metadata": Case(writer=blank_metadata, warns="no title"),
    "date-year-zero": Case(writer=with_toml('date = "0000-01-01"\n'), expect={1},
                           needle="not a valid date"),
    "date-year-zero-toml": Case(writer=with_toml('date = 0000-01-01\n'), expect={1},
                                needle="not a valid date"),
    # issue 13, item 5: no active content survives in SVG, CSS or raw HTML; malformed SVG
    # is an error
    "active-content": Case(writer=active_content_book, warns="removed", fmt="epub"),
    "active-content-grouped": Case(
        writer=many_handlers_book, once=["pic.svg", "extra.css"],
        targets="epub,pdf,kindle,kobo",
        warns=["src/pic.svg:2: warning: active content removed from this SVG image: event "
               "attribute onclick (300), <set> (300) (600 removals in all)",
               "extra.css:4:5: warning: removed CSS: a url() outside the book"]),
    "svg-malformed": Case(writer=malformed_svg_book, expect={1}, needle="not well-formed"),
    "svg-prefixed-script": Case(writer=prefixed_script_book, expect={1},
                                needle="image 'pic.svg': SVG contains a <script>"),
    "css-unclosed-block": Case(writer=broken_css_book, expect={1},
                               needle="extra.css:2:4: error: a '{' among the declarations of "
                               "'p' (line 1): its '}' is missing"),
    # issue 13, item 8: a budget for the book's decoded images, checked before decoding
    "image-budget": Case(writer=image_budget_book, expect={1},
                         needle="p8.png' (11500 x 11500 pixels) decodes to 504.5 MB; with the "
                         "images before it, the book's images decode to 4.4 GB, more than the "
                         "budget of 4.0 GB"),
    "inline-script": Case(writer=inline_script_book, warns="is not closed in this paragraph",
                          absent=["alert("], keeps=["Before", "after.", "end.", "done.",
                                                     "next paragraph stays"],
                          quiet=["everything after it was removed",
                                 "not closed in this HTML block"]),
    # issue 13, item 10: no control character reaches the terminal, no kind of
    # diagnostic floods it (check_run checks both for every case)
    "terminal-injection": Case(writer=terminal_injection, expect={1}, needle="\\x1b[8m"),
    "diagnostics-flood": Case(lambda n: distinct_warnings(30000), fmt="epub"),
    "growth-custom-elements": Case(distinct_warnings, size=20000, fmt="epub"),
    # issue 13, item 12: a file named in NFC is found on disk in NFD, and the other way
    "normal-forms": Case(writer=normal_forms_book, keeps=["Coffee."]),
    # issue 13, item 9: PDF limits caught before libharu, never "a bug in colophon"
    "pdf-metadata-64kb": Case(writer=long_metadata, warns="the PDF keeps its first"),
    "pdf-pages-30000": Case(writer=many_pages, expect={1}, needle="colophon writes at most",
                            fmt="pdf"),
}


# --------------------------------------------------------------------------- running

class Run:
    """One finished build: exit code, stderr, work units per stage, peak memory (KB)."""

    def __init__(self, rc, stderr, stats, maxrss_kb, size):
        self.rc, self.stderr, self.stats = rc, stderr, stats
        self.maxrss_kb, self.size = maxrss_kb, size


def run_colophon(cmd, bound):
    """Runs CMD; returns (exit code or None on timeout, stderr text, peak RSS in KB)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", TZ="UTC")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        timed_out = []

        def kill():
            timed_out.append(True)
            proc.kill()

        timer = threading.Timer(bound, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return (None if timed_out else proc.returncode), text, usage.ru_maxrss


def stats_of(stderr):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^colophon: work (\S+) (\d+)$", stderr, re.M)}


def check_epub_xml(z):
    """Returns problems: mimetype first, every XML member well-formed."""
    problems = []
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


# Active content in a member of an EPUB: an event-handler attribute, a script element or
# URL, or a reference that makes a reading system fetch something from the network (a
# link to a web page, <a href="https://...">, is not one: it is followed only when the
# reader taps it).
ACTIVE = [
    (re.compile(rb"<\s*([a-z0-9_-]+:)?script\b", re.I), "a script element"),
    (re.compile(rb"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(rb"(java|vb|live)script\s*:", re.I), "a script URL"),
    (re.compile(rb"\b(src|poster|data|xlink:href|background)\s*=\s*[\"']?\s*"
                rb"(https?:|ftp:|file:|//)", re.I), "a remote resource"),
    (re.compile(rb"<(image|use|feImage|script|link|iframe|img)\b[^>]*\shref\s*=\s*[\"']?\s*"
                rb"(https?:|ftp:|file:|//)", re.I), "a remote resource"),
    (re.compile(rb"url\(\s*[\"']?\s*(https?:|ftp:|file:|//)", re.I), "a remote url() in CSS"),
    (re.compile(rb"@import", re.I), "a CSS @import"),
    (re.compile(rb"expression\s*\(|-moz-binding|behavior\s*:", re.I), "a CSS script hook"),
]


# A srcset is a list of image candidates, "URL descriptor, URL descriptor": a reading
# system may fetch any of them, so every candidate is looked at, not only the first.
SRCSET = re.compile(rb"""\bsrcset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
REMOTE_URL = re.compile(r"(https?:|ftp:|file:|//)", re.I)


def srcset_candidates(value):
    """Returns the URL of each candidate in the srcset VALUE (text): the first word after
    each comma. That finds every URL HTML's parsing finds, and errs the safe way where
    they differ: "a.png,https://x/b.png" is one relative URL to HTML, two to this."""
    return [words[0] for words in (part.split() for part in value.split(",")) if words]


def remote_srcset(data):
    """Returns the first remote candidate of a srcset attribute in DATA (bytes), as (the
    attribute's match, its URL), or None. Character references are read as a reader
    reads them (&#x68;ttps: is https:)."""
    for m in SRCSET.finditer(data):
        raw = next(g for g in m.groups() if g is not None)
        for url in srcset_candidates(html.unescape(raw.decode("utf-8", "replace"))):
            if REMOTE_URL.match(url):
                return m, url
    return None


def active_content(z):
    """Returns problems: active content in any XHTML, SVG or CSS member."""
    problems = []
    for name in z.namelist():
        if not name.endswith((".xhtml", ".svg", ".css", ".html", ".htm", ".xml")):
            continue
        data = z.read(name)
        for pattern, what in ACTIVE:
            m = pattern.search(data)
            if m:
                start = max(0, m.start() - 40)
                problems.append("%s: %s: %r" % (name, what, data[start:m.end() + 40]))
        found = remote_srcset(data)
        if found:
            m, url = found
            problems.append("%s: a remote resource in a srcset (%s): %r"
                            % (name, url, data[max(0, m.start() - 40):m.end() + 40]))
    return problems


# The checker checked: (a chapter's body, whether active_content must find a problem).
# The srcset rows are there because only a srcset's first candidate used to be looked at.
ACTIVE_CONTENT_EXAMPLES = [
    (b'<img srcset="https://evil.example/a.png" alt=""/>', True),
    (b'<img srcset="a.png 1x, https://evil.example/b.png 2x" alt=""/>', True),
    (b"<picture><source srcset='a.png 480w,//evil.example/b.png 800w'/></picture>", True),
    (b'<img srcset="a.png,HTTP://evil.example/b.png" alt=""/>', True),  # see srcset_candidates
    (b'<img srcset=a.png,file:///etc/b.png alt=""/>', True),
    (b'<img srcset="a.png 1x, &#x68;ttps://evil.example/b.png 2x" alt=""/>', True),
    (b'<img src="a.png" srcset="a.png 1x, b.png 2x, c.png 3x" alt=""/>', False),
    (b'<img srcset="media/a,b.png 1x, media/c.png 2x" alt=""/>', False),
    (b'<img src="https://evil.example/a.png" alt=""/>', True),
    (b'<a href="https://example.com/">a web page, fetched only when tapped</a>', False),
]


def self_test():
    """Runs active_content on each of ACTIVE_CONTENT_EXAMPLES; returns 0 when it finds
    what it must and nothing else, 1 otherwise."""
    failures = 0
    for body, remote in ACTIVE_CONTENT_EXAMPLES:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("mimetype", "application/epub+zip")
            z.writestr("EPUB/chapter.xhtml", b"<html><body>" + body + b"</body></html>")
        with zipfile.ZipFile(buf) as z:
            found = active_content(z)
        if bool(found) != remote:
            failures += 1
            print("FAIL active_content %s %r: %s" % ("missed" if remote else "wrongly flagged",
                                                     body, found))
    print("active_content: %d of %d examples as expected"
          % (len(ACTIVE_CONTENT_EXAMPLES) - failures, len(ACTIVE_CONTENT_EXAMPLES)))
    return 1 if failures else 0


# The SHA-256 of every EPUB epubcheck has seen in this run (one run is one case).
EPUBCHECKED = set()


def epubcheck(path):
    """Returns problems epubcheck finds (errors and warnings), or [] when it is absent or
    has already seen a byte-identical EPUB in this run."""
    if os.environ.get("COLOPHON_HOSTILE_EPUBCHECK") == "0":
        return []
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest in EPUBCHECKED:
        return []
    EPUBCHECKED.add(digest)
    if not (shutil.which("java") and os.path.isfile(EPUBCHECK)):
        print("note: epubcheck is not installed; skipped")
        return []
    report = path + ".json"
    # The client compiler alone and the serial collector halve the CPU of a run this short
    # (the JIT's second tier and the parallel GC's threads do not pay off in seconds).
    proc = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                           EPUBCHECK, path, "--json", report],
                          capture_output=True, text=True, timeout=600 * TIME_SCALE)
    if not os.path.isfile(report):
        return ["epubcheck wrote no report: %s%s" % (proc.stdout, proc.stderr)]
    with open(report, encoding="utf-8") as f:
        messages = json.load(f).get("messages", [])
    bad = []
    for m in messages:
        if m.get("severity") in ("FATAL", "ERROR", "WARNING"):
            where = ", ".join("%s:%s" % (loc.get("path"), loc.get("line"))
                              for loc in m.get("locations", [])[:2])
            bad.append("epubcheck %s %s: %s [%s]" % (m.get("severity"), m.get("ID"),
                                                      m.get("message"), where))
    print("epubcheck: %d errors and warnings" % len(bad))
    return bad


def check_run(name, case, run, out):
    """Returns the problems of one build of CASE."""
    problems = []
    if run.rc is None:
        return ["no result after %g s (a hang or worse than linear)" % BUILD_BOUND_S]
    if run.rc < 0:
        return ["killed by signal %s" % signal.Signals(-run.rc).name]
    if run.rc not in case.expect:
        problems.append("exit %d, expected one of %s" % (run.rc, sorted(case.expect)))
    lines = run.stderr.splitlines()
    if "bug in colophon" in run.stderr or "internal error" in run.stderr:
        problems.append("colophon reports an internal bug")
    if any(c in run.stderr for c in "\x1b\x07\x08\x9b\x00"):
        problems.append("a control character reached the terminal")
    if len(lines) > MAX_STDERR_LINES:
        problems.append("%d lines of diagnostics (at most %d)" % (len(lines), MAX_STDERR_LINES))
    if case.short_messages:
        longest = max((len(l) for l in lines), default=0)
        if longest > MAX_MESSAGE_LINE:
            problems.append("a diagnostic line of %d characters (at most %d)"
                            % (longest, MAX_MESSAGE_LINE))
    left = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if run.rc == 1:
        if "error:" not in run.stderr:
            problems.append("exit 1 without an error message")
        if case.needle and case.needle not in run.stderr:
            problems.append("the error does not mention '%s'" % case.needle)
        if left:
            problems.append("a failed build left %s in the output folder" % left)
        return problems
    if run.rc != 0:
        return problems
    for message in ([case.warns] if isinstance(case.warns, str) else case.warns or []):
        if message not in run.stderr:
            problems.append("no warning saying '%s'" % message)
    for word in case.once:
        said = [line for line in lines if word in line]
        if len(said) != 1:
            problems.append("%d lines name '%s' (one expected): %s" % (len(said), word, said[:3]))
    for message in case.quiet:
        if message in run.stderr:
            problems.append("a false message: '%s'" % message)
    staged = [f for f in left if f.endswith(".staged")]
    if staged:
        problems.append("staged files left behind: %s" % staged)
    # The plain EPUB only (--target may add the Kindle's and Kobo's, each checked by
    # their own suites).
    epubs = [f for f in left if f.endswith(".epub") and not f.endswith((".kindle.epub",
                                                                         ".kepub.epub"))]
    pdfs = [f for f in left if f.endswith(".pdf")]
    want_epub, want_pdf = case.fmt in ("all", "epub"), case.fmt in ("all", "pdf")
    if len(epubs) != want_epub or len(pdfs) != want_pdf:
        return problems + ["expected %d EPUB and %d PDF in the output, found %s"
                           % (want_epub, want_pdf, left)]
    if epubs:
        path = os.path.join(out, epubs[0])
        with zipfile.ZipFile(path) as z:
            problems += check_epub_xml(z) + active_content(z)
    if pdfs:
        with open(os.path.join(out, pdfs[0]), "rb") as f:
            if f.read(5) != b"%PDF-":
                problems.append("the PDF does not start with %PDF-")
    if case.absent or case.keeps:
        problems += check_texts(case, [os.path.join(out, f) for f in epubs],
                                [os.path.join(out, f) for f in pdfs])
    return problems


def check_texts(case, epubs, pdfs):
    """Returns problems: text of CASE.absent found, or of CASE.keeps missing, in the
    EPUB's XHTML members or the PDF's text (pdftotext)."""
    texts = []
    for path in epubs:
        with zipfile.ZipFile(path) as z:
            texts.append((path, b"".join(z.read(m) for m in z.namelist()
                                         if m.endswith(".xhtml")).decode("utf-8", "replace")))
    for path in pdfs:
        if not shutil.which("pdftotext"):
            print("note: pdftotext is not installed; the PDF's text is not checked")
            continue
        proc = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True)
        texts.append((path, proc.stdout))
    problems = []
    for path, text in texts:
        flat = " ".join(text.split())
        for word in case.absent:
            if word in flat:
                problems.append("%s holds '%s'" % (os.path.basename(path), word))
        for word in case.keeps:
            if word not in flat:
                problems.append("%s lacks '%s'" % (os.path.basename(path), word))
    return problems


def build(colophon, root, case, n, fmt):
    size = case.write(root, n)
    out = os.path.join(root, "dist")
    cmd = [colophon, "build", root, "-o", out, "--stats"] + (
        ["--target", case.targets] if case.targets else ["--format", fmt])
    rc, stderr, rss = run_colophon(cmd, BUILD_BOUND_S)
    return Run(rc, stderr, stats_of(stderr), rss, size), out


def show(name, n, run):
    print("%s at %s: input %d bytes, exit %s, peak memory %d KB" %
          (name, n, run.size, run.rc, run.maxrss_kb))
    print("  work units: " + ", ".join("%s %d" % kv for kv in run.stats.items()))
    err = run.stderr
    tail = err if len(err) < 4000 else err[:2000] + "\n...\n" + err[-1500:]
    print(tail)


def check_growth(case, small, large):
    """Returns problems: a stage that counts more than linear growth, or memory that
    grows faster than the case allows."""
    problems = []
    ratio = large.size / small.size
    for stage, units in small.stats.items():
        big = large.stats.get(stage)
        if big is None:
            continue
        limit = GROWTH_FACTOR / 2 * ratio * units + GROWTH_SLACK_UNITS
        verdict = "ok" if big <= limit else "NOT LINEAR"
        print("  %-7s %12d -> %12d units (x%.2f for x%.2f input) %s"
              % (stage, units, big, big / max(units, 1), ratio, verdict))
        if big > limit:
            problems.append("stage %s counts %d units at %d bytes and %d at %d bytes: "
                            "worse than linear" % (stage, units, small.size, big, large.size))
    if case.mem_per_byte:
        per_byte = (large.maxrss_kb - small.maxrss_kb) * 1024 / (large.size - small.size)
        print("  peak memory grows by %.1f bytes per input byte (at most %d)"
              % (per_byte, case.mem_per_byte))
        if SANITIZED:
            print("  (a sanitizer build: the memory bound is not checked here)")
        elif per_byte > case.mem_per_byte:
            problems.append("peak memory grows by %.1f bytes per input byte (at most %d)"
                            % (per_byte, case.mem_per_byte))
    return problems


def omnibus(root, n):
    """Writes one book with a chapter per hostile case that builds, each at its check
    size: one epubcheck run covers them all."""
    names = [name for name, case in CASES.items() if getattr(case, "check_size", None)]
    write(os.path.join(root, "book.toml"),
          '[book]\ntitle = "Hostile omnibus"\nauthors = ["Test"]\nlanguage = "en"\n')
    write(os.path.join(root, "src", "SUMMARY.md"),
          "# Summary\n\n" + "".join("- [%s](%s.md)\n" % (name, name) for name in names))
    size = 0
    for name in names:
        text = CASES[name].chapter(CASES[name].check_size)
        write(os.path.join(root, "src", name + ".md"), text)
        size += len(text)
    return size


CASES["epubcheck-omnibus"] = Case(writer=omnibus)
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
    CASES["interrupted-" + _sig.name.lower()] = Interrupted(_sig)


class BadEpoch:
    """Item 12: a SOURCE_DATE_EPOCH that is not a time colophon can write (not a number,
    negative, past the year 9999) is a usage error (exit 2) of build and check alike, not
    the current time in silence nor the year 3170843."""


CASES["source-date-epoch-invalid"] = BadEpoch()


def run_bad_epoch(colophon, root):
    """Returns the problems of builds and checks with bad SOURCE_DATE_EPOCH values."""
    write_book(root, "# One\n\nText.\n")
    out = os.path.join(root, "dist")
    problems = []
    for value in ("yesterday", "-5", "99999999999999", "1700000000x"):
        for command in ("build", "check"):
            env = dict(os.environ, SOURCE_DATE_EPOCH=value, TZ="UTC")
            cmd = [colophon, command, root] + (["-o", out] if command == "build" else [])
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                  timeout=BUILD_BOUND_S)
            print("%s with %r: exit %d\n%s" % (command, value, proc.returncode, proc.stderr))
            # The error names the variable and the range it takes, whatever is wrong.
            if (proc.returncode != 2 or "SOURCE_DATE_EPOCH" not in proc.stderr
                    or "from 0 to 253402300799" not in proc.stderr):
                problems.append("%s with SOURCE_DATE_EPOCH=%r: exit %d, %r"
                                % (command, value, proc.returncode, proc.stderr[:200]))
    if os.path.exists(out):
        problems.append("a usage error wrote %s" % os.listdir(out))
    return problems


class SignalAtCreate:
    """Item 7, the last window: a SIGTERM delivered the moment write_file_atomic's
    temporary file is created (strace injects it as that openat returns) must still find
    the file to remove. The temporary was recorded for removal only after mkstemp made
    it, so `colophon new` killed there left `.book.toml.XXXXXX` behind."""


CASES["signal-at-temporary-create"] = SignalAtCreate()


def run_signal_at_create(colophon, root):
    """Returns the problems of `colophon new` killed as its first temporary is created."""
    strace = shutil.which("strace")
    if not strace:
        print("SKIP: strace is not installed (tools/dev test_packages has it)")
        return []
    book = os.path.join(root, "book")
    trace = os.path.join(root, "trace.log")
    cmd = [colophon, "new", book]
    proc = subprocess.run([strace, "-f", "-o", trace, "-e", "trace=openat"] + cmd,
                          capture_output=True, text=True, timeout=BUILD_BOUND_S)
    if proc.returncode != 0 and "ptrace" in proc.stderr.lower():
        print("SKIP: strace cannot trace here: %s" % proc.stderr.strip())
        return []
    with open(trace, encoding="utf-8", errors="replace") as f:
        calls = [line for line in f if "openat(" in line and "resumed>" not in line]
    creates = [k for k, line in enumerate(calls)
               if "book.toml" in line and "O_CREAT" in line and "O_EXCL" in line]
    if proc.returncode != 0 or not creates:
        return ["the traced `colophon new` exited %d and created no temporary of book.toml: %s"
                % (proc.returncode, proc.stderr[-500:])]
    shutil.rmtree(book)
    inject = "inject=openat:signal=SIGTERM:when=%d" % (creates[0] + 1)
    proc = subprocess.run([strace, "-f", "-o", os.devnull, "-e", "trace=openat", "-e", inject]
                          + cmd, capture_output=True, text=True, timeout=BUILD_BOUND_S,
                          preexec_fn=default_signals)
    left = []
    for dirpath, _, names in os.walk(book):
        left += [os.path.join(dirpath, n) for n in names]
    print("exit %d; left %s" % (proc.returncode, left))
    problems = []
    if proc.returncode != 128 + signal.SIGTERM and proc.returncode != -signal.SIGTERM:
        problems.append("exit %d, expected death by SIGTERM" % proc.returncode)
    if left:
        problems.append("a SIGTERM as the temporary was created left %s" % left)
    return problems


def default_signals():
    # The build must see the signals as a shell started from a terminal gives them, even
    # when the test runner ignores some.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def staged_in(out):
    return sorted(f for f in os.listdir(out) if ".staged" in f) if os.path.isdir(out) else []


def run_interrupted(name, case, colophon, root):
    """Returns the problems of one interrupted build (see Interrupted)."""
    write_book(root, many_paragraphs(100000))
    out = os.path.join(root, "dist")
    cmd = [colophon, "build", root, "-o", out]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", TZ="UTC")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            preexec_fn=default_signals)
    deadline = time.monotonic() + BUILD_BOUND_S
    while proc.poll() is None and not staged_in(out) and time.monotonic() < deadline:
        time.sleep(0.002)
    if proc.poll() is not None:
        return ["the build ended (exit %d) before a staged file showed: no signal sent"
                % proc.returncode]
    print("%s: staged %s; sending %s" % (name, staged_in(out), case.sig.name))
    proc.send_signal(case.sig)
    try:
        _, err = proc.communicate(timeout=BUILD_BOUND_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return ["no end after %s (a hang)" % case.sig.name]
    print(err.decode("utf-8", "replace")[-2000:])
    problems = []
    if proc.returncode != -case.sig:
        problems.append("exit %d, expected death by %s" % (proc.returncode, case.sig.name))
    left = staged_in(out)
    finals = [f for f in os.listdir(out) if not f.startswith(".")] if os.path.isdir(out) else []
    if finals:
        problems.append("an interrupted build wrote %s" % finals)
    if case.sig != signal.SIGKILL:
        if left:
            problems.append("%s left staged files: %s" % (case.sig.name, left))
        return problems
    # SIGKILL: the next build sweeps what it left, but not the staged file of a live
    # process (this script's own), nor a file that only looks staged.
    print("left by SIGKILL: %s" % left)
    if not left:
        problems.append("SIGKILL left no staged file: the sweep is not tested")
    live = ".hostile.epub.%d.staged" % os.getpid()
    other = ".notes.txt.123.staged"
    for f in (live, other):
        write(os.path.join(out, f), "x")
    write_book(root, "# One\n\nA short book now.\n")
    rc, err, _ = run_colophon(cmd, BUILD_BOUND_S)
    print(err)
    if rc != 0:
        problems.append("the build after SIGKILL exited %s" % rc)
    if staged_in(out) != sorted([live, other]):
        problems.append("after the next build, staged files are %s (expected only %s)"
                        % (staged_in(out), sorted([live, other])))
    if "left by a build that was stopped" not in err:
        problems.append("the sweep said nothing")
    return problems


def epubcheck_left(roots):
    """Returns the problems epubcheck finds in every EPUB under ROOTS. A failed or stopped
    build leaves no EPUB (check_run and run_interrupted see to that), so each one there was
    written by a build that succeeded: no case can build an EPUB that goes unchecked."""
    problems = []
    for root in roots:
        for dirpath, _, names in sorted(os.walk(root)):
            for f in sorted(names):
                if f.endswith(".epub"):
                    path = os.path.join(dirpath, f)
                    problems += ["%s: %s" % (os.path.relpath(path, root), p)
                                 for p in epubcheck(path)]
    return problems


def run_case(name, colophon, work, keep):
    case = CASES[name]
    if isinstance(case, (Interrupted, BadEpoch, SignalAtCreate)):
        root = tempfile.mkdtemp(prefix="hostile-%s-" % name, dir=work)
        try:
            if isinstance(case, Interrupted):
                problems = run_interrupted(name, case, colophon, root)
            elif isinstance(case, SignalAtCreate):
                problems = run_signal_at_create(colophon, root)
            else:
                problems = run_bad_epoch(colophon, root)
            problems += epubcheck_left([root])
        finally:
            if not keep:
                shutil.rmtree(root, ignore_errors=True)
        for p in problems:
            print("FAIL " + p)
        return 1 if problems else 0
    sizes = [case.size, 2 * case.size] if case.size else [0]
    runs, problems = [], []
    roots = []
    try:
        for n in sizes:
            root = tempfile.mkdtemp(prefix="hostile-%s-" % name, dir=work)
            roots.append(root)
            run, out = build(colophon, root, case, n, case.fmt)
            show(name, n, run)
            found = check_run(name, case, run, out)
            problems += ["%s at %s: %s" % (name, n, p) for p in found]
            runs.append(run)
            if run.rc is None:
                break
        if len(runs) == 2 and all(r.rc is not None for r in runs):
            problems += check_growth(case, runs[0], runs[1])
        if case.check_size:
            print("epubcheck: this case's text is checked at %d in epubcheck-omnibus"
                  % case.check_size)
        else:
            problems += epubcheck_left(roots)
    finally:
        if not keep:
            for root in roots:
                shutil.rmtree(root, ignore_errors=True)
    for p in problems[:30]:
        print("FAIL " + p)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--colophon")
    ap.add_argument("--work", default=tempfile.gettempdir())
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--generate", metavar="DIR")
    ap.add_argument("--size", type=int)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    if args.self_test:
        return self_test()
    if args.case not in CASES:
        ap.error("unknown case %r (see --list)" % args.case)
    if args.generate and isinstance(CASES[args.case], (Interrupted, BadEpoch, SignalAtCreate)):
        write_book(args.generate, many_paragraphs(100000))
        return 0
    if args.generate:
        CASES[args.case].write(args.generate, args.size or CASES[args.case].size or 0)
        return 0
    if not args.colophon:
        ap.error("--colophon is required")
    os.makedirs(args.work, exist_ok=True)
    return run_case(args.case, os.path.abspath(args.colophon), args.work, args.keep)


if __name__ == "__main__":
    sys.exit(main())
