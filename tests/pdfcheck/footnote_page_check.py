#!/usr/bin/env python3
"""Checks that each footnote starts on the page of its reference, in a generated book.

usage: footnote_page_check.py COLOPHON_BINARY SOURCE_DIR

The book has two chapters of paragraphs with many notes, short and long (a long one
must continue on the next page), some paragraphs with two references. Each reference
follows a unique word "refmark<code>" and each note starts with "notemark<code>"; the
page that holds the one must hold the other (pdftotext -f N -l N).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

FILLER = ('The harbour froze over that winter and the ferry stopped running for six weeks, '
          'so the island lived on what the last boat had brought and on what the shop kept. ')
NOTES_PER_CHAPTER = 45


def code(n):
    """Returns a letters-only label for note N (digits would merge with note numbers)."""
    return chr(ord('a') + n // 26) + chr(ord('a') + n % 26)


def write_book(root):
    """Writes the test book under ROOT and returns the list of note codes."""
    src = os.path.join(root, 'src')
    os.makedirs(src)
    with open(os.path.join(root, 'book.toml'), 'w', encoding='utf-8') as f:
        f.write('[book]\ntitle = "Footnote Test"\nauthors = ["Tester"]\nlanguage = "en"\n')
    with open(os.path.join(src, 'SUMMARY.md'), 'w', encoding='utf-8') as f:
        f.write('# Summary\n\n- [One](one.md)\n- [Two](two.md)\n')
    codes, n = [], 0
    for chapter, title in (('one', 'One'), ('two', 'Two')):
        body, notes = ['# %s\n' % title], []
        for k in range(NOTES_PER_CHAPTER):
            c = code(n)
            codes.append(c)
            text = FILLER * (1 + k % 3)
            second = ''
            if k % 7 == 3:  # two references in one paragraph
                n += 1
                c2 = code(n)
                codes.append(c2)
                second = ' More words follow here refmark%s[^%s] and end it.' % (c2, c2)
                notes.append('[^%s]: notemark%s A short second note.\n' % (c2, c2))
            body.append('%s refmark%s[^%s] %s%s\n' % (text, c, c, FILLER[:60 + 7 * (k % 5)], second))
            if k % 11 == 5:  # a long note, to make notes continue on the next page
                notes.append('[^%s]: notemark%s %s\n\n    %s endmark%s\n' % (c, c, FILLER * 6, FILLER * 4, c))
            else:
                notes.append('[^%s]: notemark%s %s\n' % (c, c, FILLER[:40 + 9 * (k % 6)]))
            n += 1
        with open(os.path.join(src, chapter + '.md'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(body) + '\n' + '\n'.join(notes))
    return codes


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    common.require_tools('pdftotext', 'pdfinfo')
    colophon = sys.argv[1]
    with common.temp_dir() as tmp:
        book = os.path.join(tmp, 'book')
        codes = write_book(book)
        pdf = common.build_pdf(colophon, book, os.path.join(tmp, 'out'))
        ref_page, note_page, end_page = {}, {}, {}
        for page in range(1, common.page_count(pdf) + 1):
            text = common.page_text(pdf, page)
            for c in re.findall(r'refmark([a-z]{2})', text):
                ref_page.setdefault(c, page)
            for c in re.findall(r'notemark([a-z]{2})', text):
                note_page.setdefault(c, page)
            for c in re.findall(r'endmark([a-z]{2})', text):
                end_page.setdefault(c, page)
    failures = 0
    for c in codes:
        if c not in ref_page:
            print('FAIL: reference %s not found in the PDF text' % c)
            failures += 1
        elif c not in note_page:
            print('FAIL: note %s (reference on page %d) is missing' % (c, ref_page[c]))
            failures += 1
        elif note_page[c] != ref_page[c]:
            print('FAIL: note %s starts on page %d, its reference is on page %d' %
                  (c, note_page[c], ref_page[c]))
            failures += 1
    continued = 0
    for c, page in end_page.items():
        if page < note_page.get(c, 0):
            print('FAIL: note %s ends on page %d before it starts' % (c, page))
            failures += 1
        continued += page > note_page.get(c, page)
    if continued == 0:
        print('FAIL: no long note continued on the next page; the test does not exercise it')
        failures += 1
    pages = sorted(set(ref_page.values()))
    print('%d notes on %d pages checked (%d continued on a later page), %d wrong' %
          (len(codes), len(pages), continued, failures))
    if len(pages) < 10:
        print('FAIL: the test book is too short to exercise page breaks')
        failures += 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
