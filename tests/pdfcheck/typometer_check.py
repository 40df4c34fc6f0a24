#!/usr/bin/env python3
"""Builds book/ to PDF and checks the evenness of its justified lines against xelatex's.

usage: typometer_check.py COLOPHON_BINARY SOURCE_DIR [BOOK_DIR FIGURES_FILE]

Without the last two arguments it checks book/ against xelatex_book.txt; with them, any
book (skipped when BOOK_DIR is absent, as the corpus is outside the repository).

The measure is the one of the project's typometer: for every text line of four words or
more that spans (nearly) the full measure, the mean gap between its words in ems (the
median word-box height). It passes when our 95th percentile is at most 1.1 times the
figure recorded for xelatex in xelatex_book.txt and no line's gap exceeds 0.5 em.
"""
import html
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

MAX_GAP_EM = 0.5        # no justified line looser than this
P95_FACTOR = 1.1        # our p95 may exceed xelatex's by this factor at most
FULL_LINE_SHARE = 0.97  # a line this close to the measure counts as justified
MIN_WORDS = 4           # shorter lines are not measured

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def line_gaps(pdf):
    """Returns the sorted mean word gap (ems) of every full justified line of PDF."""
    x = subprocess.run(['pdftotext', '-bbox-layout', pdf, '-'], capture_output=True, text=True,
                       check=True).stdout
    lines = []
    for block in re.findall(r'<block[^>]*>(.*?)</block>', x, re.S):
        for ln in re.findall(r'<line[^>]*>(.*?)</line>', block, re.S):
            words = [(float(a), float(b), float(c), float(d), html.unescape(t))
                     for a, b, c, d, t in WORD.findall(ln)]
            if len(words) >= MIN_WORDS:
                lines.append(words)
    if not lines:
        sys.exit('FAIL: no text lines in ' + pdf)
    widths = sorted(l[-1][2] - l[0][0] for l in lines)
    measure = widths[int(len(widths) * 0.9)]
    gaps = []
    for l in lines:
        if l[-1][2] - l[0][0] < FULL_LINE_SHARE * measure:
            continue
        em = statistics.median(w[3] - w[1] for w in l) or 1.0
        gaps.append((statistics.mean((l[i + 1][0] - l[i][2]) / em for i in range(len(l) - 1)),
                     ' '.join(w[4] for w in l)))
    gaps.sort()
    return gaps


def recorded(path):
    """Reads the 'key value' figures of xelatex_book.txt."""
    figures = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if len(line) == 2:
                figures[line[0]] = float(line[1])
    return figures


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    common.require_tools('pdftotext', 'pdfinfo')
    colophon, source = sys.argv[1], sys.argv[2]
    book = os.path.join(source, 'book')
    figures = os.path.join(source, 'tests', 'pdfcheck', 'xelatex_book.txt')
    extra = []
    if len(sys.argv) == 5:
        book, figures = sys.argv[3], os.path.join(source, 'tests', 'pdfcheck', sys.argv[4])
        extra = ['--missing-anchors=warning']  # converted books may link to dead ids
        if not os.path.isdir(book):
            print('SKIPPED: %s not found' % book)
            return common.SKIP
    xe = recorded(figures)
    with common.temp_dir() as out:
        pdf = common.build_pdf(colophon, book, out, extra)
        gaps = line_gaps(pdf)
    values = [g for g, _ in gaps]
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    print('colophon: full lines %d  median %.3f  p95 %.3f  max %.3f' %
          (len(values), values[len(values) // 2], p95, values[-1]))
    print('xelatex (recorded): p95 %.3f  max %.3f' % (xe['p95'], xe['max']))
    ok = True
    if len(values) < 100:
        print('FAIL: only %d full lines measured; the PDF text is not what it should be' % len(values))
        ok = False
    if p95 > xe['p95'] * P95_FACTOR:
        print('FAIL: p95 %.3f em > %.1f x xelatex %.3f' % (p95, P95_FACTOR, xe['p95']))
        ok = False
    for g, text in gaps:
        if g > MAX_GAP_EM:
            print('FAIL: line looser than %.1f em (%.3f): %s' % (MAX_GAP_EM, g, text))
            ok = False
    print('PASS' if ok else 'FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
