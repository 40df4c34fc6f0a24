#!/usr/bin/env python3
"""Checks that pdftotext gives back every paragraph of book/ in reading order.

usage: text_order_check.py COLOPHON_BINARY SOURCE_DIR

Each paragraph of the Markdown chapters (in SUMMARY order; code, tables, raw HTML,
headings and note definitions left out) is reduced to its letters and digits and must
be found, after the previous one, in the extracted text of the PDF with line-end hyphens
joined. Between two matched pieces only a note number, or a page break (running head,
folio, notes at the foot of the page), may intervene.
"""
import html
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

SMALL_GAP = 3         # tokens that may stand between two matched pieces anywhere
PAGE_BREAK_GAP = 400  # tokens that may stand between them across a page break
MIN_CHARS = 12        # paragraphs shorter than this (in letters) are not checked


def norm(text):
    """Returns TEXT lower-cased with only its letters and digits."""
    return ''.join(c for c in text.lower() if c.isalnum())


def strip_inline(text):
    """Removes Markdown and HTML markup from one paragraph, keeping the words."""
    parts = re.split(r'(`+)(.+?)\1', text)  # code spans are kept as they are
    out = []
    for k in range(0, len(parts), 3):
        out.append(strip_markup(parts[k]))
        if k + 2 < len(parts):
            out.append(parts[k + 2])
    return ''.join(out)


def strip_markup(text):
    """Removes Markdown and HTML markup from text outside code spans."""
    text = re.sub(r'\[\^[^\]]*\]', ' ', text)                 # note references
    text = re.sub(r'!\[[^\]]*\]\([^)]*\)', ' ', text)         # images
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)      # links
    text = re.sub(r'\[([^\]]*)\]\[[^\]]*\]', r'\1', text)     # reference links
    text = re.sub(r'<(https?://[^>]+)>', r'\1', text)         # autolinks
    text = re.sub(r'</?[A-Za-z][^>]*>', ' ', text)            # inline HTML tags
    return html.unescape(text)


def paragraphs(path):
    """Yields the plain text of each checkable paragraph of one Markdown chapter."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    para, fence, in_note = [], None, False

    def flush():
        if para:
            text = strip_inline(' '.join(para))
            para.clear()
            if len(norm(text)) >= MIN_CHARS:
                return text
        para.clear()
        return None

    for line in lines + ['']:
        s = line.strip()
        if fence:
            if s.startswith(fence):
                fence = None
            continue
        m = re.match(r'(```+|~~~+)', s)
        if m:
            p = flush()
            if p:
                yield p
            fence = m.group(1)
            continue
        if in_note and (not s or line.startswith('    ') or line.startswith('\t')):
            continue
        in_note = False
        if re.match(r'\[\^[^\]]+\]:', s):
            p = flush()
            if p:
                yield p
            in_note = True
            continue
        indented_code = line.startswith('    ') and not para and not re.match(r'\s*([-*+]|\d+[.)])\s', line)
        if (not s or s.startswith(('#', '|', '<', '---', '***', '___')) or indented_code or
                re.match(r'\[[^\]]+\]:\s', s) or re.fullmatch(r'!\[.*\]\(.*\)', s)):
            p = flush()
            if p:
                yield p
            continue
        s = re.sub(r'^(>\s*)+', '', s)
        item = re.match(r'([-*+]|\d+[.)])\s+(.*)', s)
        if item:
            p = flush()
            if p:
                yield p
            s = item.group(2)
        para.append(s)


def summary_chapters(src):
    """Returns the chapter files of SUMMARY.md in order."""
    with open(os.path.join(src, 'SUMMARY.md'), encoding='utf-8') as f:
        files = re.findall(r'\]\(([^)#]+\.md)\)', f.read())
    seen, out = set(), []
    for name in files:
        if name not in seen:
            seen.add(name)
            out.append(os.path.join(src, name))
    return out


def pdf_tokens(pdf):
    """Returns the normalised words of the PDF's text, line-end hyphens joined."""
    text = subprocess.run(['pdftotext', pdf, '-'], capture_output=True, text=True, check=True).stdout
    # Within a page only: a word hyphenated across a page break ("num-", the next page's
    # running head and folio, "bers") stays in two pieces, which the matcher joins around
    # the page furniture.
    text = re.sub(r'(\w)[-\u00ad]\n[ \t]*(?=[^\s\f])', r'\1', text)
    tokens = []
    for word in re.split(r'[\s\u2013\u2014\-/]+', text):
        n = norm(word)
        if n:
            tokens.append(n)
    return tokens


def pieces_of(token, target, pos):
    """Returns the ways TOKEN can continue TARGET at POS: whole, or without a glued note number."""
    out = []
    if target.startswith(token, pos):
        out.append(len(token))
    for k in range(len(token) - 1, 0, -1):  # a note number glued to its word: "1981.6"
        if not token[k:].isdigit():
            break
        if target.startswith(token[:k], pos):
            out.append(k)
    return out


_next_number = {}


def next_number(tokens, i):
    """Returns the index of the first number among TOKENS from I on (len(tokens) if none)."""
    key = id(tokens)
    if key not in _next_number:
        table = [len(tokens)] * (len(tokens) + 1)
        for k in range(len(tokens) - 1, -1, -1):
            table[k] = k if tokens[k].isdigit() else table[k + 1]
        _next_number[key] = (tokens, table)
    table = _next_number[key][1]
    return table[min(i, len(tokens))]


def match_at(tokens, start, target):
    """Matches TARGET (letters) from token START on; returns the end token or -1.

    A depth-first search: each token either continues the target or is skipped (a note
    number, or page furniture and notes at a page break); dead ends are remembered. A
    gap longer than SMALL_GAP must hold a number (the folio, a note's number): the end
    of a note continued from the previous page comes before the folio, so the number
    may come anywhere in the gap."""
    sys.setrecursionlimit(100000)
    dead = set()

    def number_within(i, n):
        """Tells whether one of the N tokens from I on is a number."""
        return next_number(tokens, i) < i + n

    def go(i, pos, gap, has_number):
        if pos == len(target):
            return i
        if i >= len(tokens) or (i, pos, gap, has_number) in dead:
            return -1
        t = tokens[i]
        if gap <= SMALL_GAP or has_number:
            for n in pieces_of(t, target, pos):
                end = go(i + 1, pos + n, 0, False)
                if end >= 0:
                    return end
        number = has_number or t.isdigit()
        if gap + 1 <= (PAGE_BREAK_GAP if number or number_within(i + 1, PAGE_BREAK_GAP - gap - 1)
                       else SMALL_GAP):
            end = go(i + 1, pos, gap + 1, number)
            if end >= 0:
                return end
        dead.add((i, pos, gap, has_number))
        return -1

    return go(start, 0, 0, False)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    common.require_tools('pdftotext', 'pdfinfo')
    colophon, source = sys.argv[1], sys.argv[2]
    src = os.path.join(source, 'book', 'src')
    with common.temp_dir() as out:
        pdf = common.build_pdf(colophon, os.path.join(source, 'book'), out)
        tokens = pdf_tokens(pdf)
    cursor, checked, failures = 0, 0, 0
    for chapter in summary_chapters(src):
        for para in paragraphs(chapter):
            target = norm(para)
            checked += 1
            end = -1
            for start in range(cursor, len(tokens)):
                if pieces_of(tokens[start], target, 0):
                    end = match_at(tokens, start, target)
                    if end >= 0:
                        break
            if end < 0:
                failures += 1
                print('FAIL: %s: paragraph not found in reading order: %.100s' %
                      (os.path.basename(chapter), para))
            else:
                cursor = end
    # The matcher must be able to fail: a real paragraph with its words reversed is absent.
    probe = next(p for p in paragraphs(summary_chapters(src)[0]) if len(p.split()) >= 8)
    backwards = norm(' '.join(reversed(probe.split())))
    if any(match_at(tokens, i, backwards) >= 0 for i in range(len(tokens))
           if pieces_of(tokens[i], backwards, 0)):
        print('FAIL: the matcher accepts a paragraph with its words reversed')
        failures += 1
    print('%d paragraphs checked, %d missing' % (checked, failures))
    if checked < 100:
        print('FAIL: too few paragraphs found in the sources')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
