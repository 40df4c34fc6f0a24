#!/usr/bin/env python3
"""Checks the PDF of a book in many scripts (tests/pdfcheck/books/scripts).

usage: scripts_check.py COLOPHON_BINARY SOURCE_DIR

The book has Latin with ligatures, Greek, Chinese, Japanese, Devanagari, emoji and
characters above U+FFFF in one chapter (with a Hebrew and an Arabic word in an English
line), a Hebrew chapter and an Arabic chapter. The build must give no warning, and:

- every paragraph comes back from pdftotext whole, in reading order (spaces and the
  bidi marks poppler adds left out), a number after a name in <bdi> after the name, and
  a <span dir="ltr"> in Hebrew in its own order;
- numbers in Arabic-Indic and Persian digits (Arabic script, yet read left to right)
  come back in their order, not reversed;
- each Chinese or Japanese character is drawn with the glyph the font's own cmap gives
  it (read from the installed font file named by the embedded font);
- no line starts with closing CJK punctuation;
- every line of the Hebrew and Arabic chapters ends at the right margin, and the first
  word of a paragraph stands right of the second;
- "fi" is drawn as the font's ligature (a glyph whose ToUnicode text is "fi") and
  extracts as "fi".

Skips (exit 77), naming the Debian package, when no installed font has one of the
book's scripts.
"""
import os
import re
import struct
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck_common as common  # noqa: E402

BIDI_MARKS = dict.fromkeys(map(ord, '\u200e\u200f\u202a\u202b\u202c\u202d\u202e'
                                    '\u2066\u2067\u2068\u2069'), None)
CLOSING_CJK = set('、。，．：；？！）」』】〕〉》〗〙〛｝］ー々ゝゞぁぃぅぇぉっゃゅょァィゥェォッャュョ')
RIGHT_EDGE_SLACK = 1.5  # points a right-aligned line may end short of the margin
INDENT = 1.2 * 10.5     # points: the built-in style's first-line indent (1.2 em of 10.5 pt)


def failures():
    """Collects failures and reports them all at the end."""
    found = []

    def fail(message):
        found.append(message)
    return found, fail


def squeeze(text, rtl=False):
    """Returns TEXT without white space or bidi marks; for right-to-left text, without
    punctuation either. (A comma after a number in Hebrew stands left of the number, as
    the bidi algorithm puts it; an extractor cannot tell it from one before the number.)"""
    text = ''.join(text.translate(BIDI_MARKS).split())
    if rtl:
        text = ''.join(c for c in text if not unicodedata.category(c).startswith('P'))
    return text


def is_cjk(ch):
    """Tells whether CH is a Han ideograph or a kana."""
    cp = ord(ch)
    return (0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or
            0x20000 <= cp <= 0x3FFFF)


def source_paragraphs(path):
    """Returns the paragraphs of a chapter (headings included), each as one string, without
    its raw HTML tags."""
    with open(path, encoding='utf-8') as f:
        blocks = re.sub(r'<[^>]*>', '', f.read()).split('\n\n')
    return [' '.join(b.split('\n')).lstrip('# ').strip() for b in blocks if b.strip()]


# --------------------------------------------------------------------------- fonts

def font_file(ps_name):
    """Returns (file, index) of the installed font with PostScript name PS_NAME."""
    out = subprocess.run(['fc-list', ':postscriptname=' + ps_name, 'file', 'index'],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r'(.+?): :index=(\d+)', line.strip())
        if m:
            return m.group(1), int(m.group(2))
    return None, 0


def read_cmap(path, index):
    """Returns the Unicode cmap (code point -> glyph id) of face INDEX of a font file."""
    data = open(path, 'rb').read()
    base = 0
    if data[:4] == b'ttcf':
        base = struct.unpack('>I', data[12 + 4 * index:16 + 4 * index])[0]
    num_tables = struct.unpack('>H', data[base + 4:base + 6])[0]
    cmap_at = None
    for k in range(num_tables):
        rec = base + 12 + 16 * k
        if data[rec:rec + 4] == b'cmap':
            cmap_at = struct.unpack('>I', data[rec + 8:rec + 12])[0]
    if cmap_at is None:
        return {}
    count = struct.unpack('>H', data[cmap_at + 2:cmap_at + 4])[0]
    best = None
    for k in range(count):
        platform, encoding, offset = struct.unpack('>HHI', data[cmap_at + 4 + 8 * k:
                                                                cmap_at + 12 + 8 * k])
        fmt = struct.unpack('>H', data[cmap_at + offset:cmap_at + offset + 2])[0]
        if (platform, encoding) in ((3, 10), (0, 4)) and fmt == 12:
            best = (12, cmap_at + offset)
        elif (platform, encoding) in ((3, 1), (0, 3)) and fmt == 4 and best is None:
            best = (4, cmap_at + offset)
    cmap = {}
    if best and best[0] == 12:
        at = best[1]
        groups = struct.unpack('>I', data[at + 12:at + 16])[0]
        for g in range(groups):
            start, end, gid = struct.unpack('>III', data[at + 16 + 12 * g:at + 28 + 12 * g])
            for cp in range(start, end + 1):
                cmap[cp] = gid + cp - start
    elif best:
        at = best[1]
        segs = struct.unpack('>H', data[at + 6:at + 8])[0] // 2
        ends = struct.unpack('>%dH' % segs, data[at + 14:at + 14 + 2 * segs])
        starts_at = at + 16 + 2 * segs
        starts = struct.unpack('>%dH' % segs, data[starts_at:starts_at + 2 * segs])
        deltas = struct.unpack('>%dh' % segs, data[starts_at + 2 * segs:starts_at + 4 * segs])
        ranges_at = starts_at + 4 * segs
        ranges = struct.unpack('>%dH' % segs, data[ranges_at:ranges_at + 2 * segs])
        for s in range(segs):
            for cp in range(starts[s], ends[s] + 1):
                if cp == 0xFFFF:
                    continue
                if ranges[s] == 0:
                    gid = (cp + deltas[s]) & 0xFFFF
                else:
                    where = ranges_at + 2 * s + ranges[s] + 2 * (cp - starts[s])
                    gid = struct.unpack('>H', data[where:where + 2])[0]
                    if gid:
                        gid = (gid + deltas[s]) & 0xFFFF
                cmap[cp] = gid
    return cmap


def embedded_fonts(qdf):
    """Yields (PostScript name without subset tag, {glyph id: text}) per Type 0 font."""
    objects = {int(m.group(1)): m.group(2)
               for m in re.finditer(rb'\n(\d+) 0 obj\n(.*?)\nendobj', qdf, re.S)}
    for body in objects.values():
        if b'/Subtype /Type0' not in body:
            continue
        name = re.search(rb'/BaseFont /(\S+)', body).group(1).decode()
        ref = re.search(rb'/ToUnicode (\d+) 0 R', body)
        glyphs = {}
        if ref:
            cmap = objects[int(ref.group(1))]
            for code, text in re.findall(rb'<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>', cmap):
                glyphs[int(code, 16)] = bytes.fromhex(text.decode()).decode('utf-16-be')
        yield name.split('+', 1)[-1], glyphs


# --------------------------------------------------------------------------- layout

def page_words(pdf, page):
    """Returns the lines of one page as lists of (xMin, xMax, word)."""
    out = subprocess.run(['pdftotext', '-bbox-layout', '-f', str(page), '-l', str(page),
                          pdf, '-'], capture_output=True, text=True, check=True).stdout
    out = re.sub(r'<!DOCTYPE[^>]*>', '', out)
    root = ET.fromstring(out)
    lines = []
    for line in root.iter('{http://www.w3.org/1999/xhtml}line'):
        words = [(float(w.get('xMin')), float(w.get('xMax')), w.text or '')
                 for w in line.iter('{http://www.w3.org/1999/xhtml}word')]
        if words:
            lines.append(words)
    return lines


# A character of each script of the book, and the Debian package whose fonts have it.
NEEDED_FONTS = [('\u6211', 'fonts-noto-cjk'), ('\u3042', 'fonts-noto-cjk'),
                ('\U0002000B', 'fonts-noto-cjk'), ('\u05e9', 'fonts-noto-core'),
                ('\u0645', 'fonts-noto-core'), ('\u0928', 'fonts-noto-core'),
                ('\U0001D11E', 'fonts-noto-core'), ('\U0001F600', 'fonts-symbola'),
                ('\u2717', 'fonts-symbola')]


def require_fonts():
    """Exits with the skip code, loudly, when no installed font has one of the book's
    scripts (tools/dev deps installs them)."""
    missing = []
    for ch, package in NEEDED_FONTS:
        out = subprocess.run(['fc-list', ':charset=%x' % ord(ch), 'family'],
                             capture_output=True, text=True).stdout
        if not out.strip():
            missing.append('U+%04X (%s)' % (ord(ch), package))
    if missing:
        print('SKIPPED: no installed font has ' + ', '.join(missing) +
              '; run tools/dev deps')
        sys.exit(common.SKIP)


def main():
    colophon, source = sys.argv[1], sys.argv[2]
    common.require_tools('pdftotext', 'pdffonts', 'qpdf', 'fc-list')
    require_fonts()
    book = os.path.join(source, 'tests', 'pdfcheck', 'books', 'scripts')
    src = os.path.join(book, 'src')
    found, fail = failures()
    with common.temp_dir() as out:
        env = dict(os.environ, SOURCE_DATE_EPOCH='1700000000')
        r = subprocess.run([colophon, 'build', book, '--format', 'pdf', '-o', out],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            sys.exit('FAIL: colophon exited with %d:\n%s' % (r.returncode, r.stderr))
        warnings = [l for l in r.stderr.splitlines() if ': warning:' in l]
        if warnings:
            fail('the build warned:\n  ' + '\n  '.join(warnings))
        pdf = os.path.join(out, [f for f in os.listdir(out) if f.endswith('.pdf')][0])

        check = subprocess.run(['qpdf', '--check', pdf], capture_output=True, text=True)
        if check.returncode != 0:
            fail('qpdf --check: ' + check.stdout + check.stderr)
        fonts = subprocess.run(['pdffonts', pdf], capture_output=True, text=True).stdout
        for row in fonts.splitlines()[2:]:
            if row.split()[-5] != 'yes':
                fail('font not embedded: ' + row)

        # Each chapter's text, page by page, against its paragraphs.
        pages = common.page_count(pdf)
        texts = [common.page_text(pdf, p) for p in range(1, pages + 1)]
        chapters = {'scripts.md': None, 'hebrew.md': None, 'arabic.md': None}
        for name in chapters:
            paras = source_paragraphs(os.path.join(src, name))
            # The page of the first paragraph (its title is in the contents too).
            page = next((i for i, t in enumerate(texts) if squeeze(paras[1])[:12] in squeeze(t)),
                        None)
            if page is None:
                fail('%s: its first paragraph %r is on no page' % (name, paras[1]))
                continue
            chapters[name] = page + 1
            rtl = name != 'scripts.md'
            flat = squeeze(texts[page], rtl)
            at = 0
            for para in paras:
                want = squeeze(para, rtl)
                where = flat.find(want, at)
                if where < 0:
                    fail('%s: pdftotext of page %d lacks, in order: %r\n  page text: %r'
                         % (name, page + 1, para, flat[at:at + 300]))
                else:
                    at = where + len(want)
            for line in texts[page].splitlines():
                line = line.translate(BIDI_MARKS).strip()
                if line and line[0] in CLOSING_CJK:
                    fail('%s: a line starts with closing punctuation: %r' % (name, line))

        # Right-to-left chapters: lines end at the right margin, words run leftwards.
        for name, first, second in (('hebrew.md', 'שלום', 'עולם!'),
                                    ('arabic.md', 'مرحبا', 'بالعالم!')):
            page = chapters.get(name)
            if not page:
                continue
            lines = page_words(pdf, page)
            body = [l for l in lines if len(l) > 1]  # leaves out the folio
            right = max(w[1] for l in body for w in l)
            for l in body:
                end = max(w[1] for w in l)
                # At the margin, or at the indent of a paragraph's first line.
                if min(abs(right - end), abs(right - INDENT - end)) > RIGHT_EDGE_SLACK:
                    fail('%s: a line ends %.1f pt short of the right margin: %s'
                         % (name, right - end, ' '.join(w[2] for w in l)))
            words = {}
            for l in body:
                for w in l:
                    word = w[2].translate(BIDI_MARKS)
                    words[word] = words[word[::-1]] = w[0]  # poppler may give it visually
            if first not in words or second not in words:
                fail('%s: words %r and %r not found apart' % (name, first, second))
            elif not words[first] > words[second]:
                fail('%s: %r (x=%.1f) is not right of %r (x=%.1f)'
                     % (name, first, words[first], second, words[second]))

        # Glyphs: CJK glyph ids from the fonts' own cmaps; fi as a ligature.
        qdf_path = os.path.join(out, 'q.pdf')
        subprocess.run(['qpdf', '--qdf', '--object-streams=disable', pdf, qdf_path], check=True)
        qdf = open(qdf_path, 'rb').read()
        cjk_source = set(c for c in open(os.path.join(src, 'scripts.md'), encoding='utf-8').read()
                         if is_cjk(c))
        checked = set()
        ligature = False
        for ps_name, glyphs in embedded_fonts(qdf):
            if 'fi' in glyphs.values():
                ligature = True
            cjk = {gid: text for gid, text in glyphs.items() if len(text) == 1 and is_cjk(text)}
            if not cjk:
                continue
            path, index = font_file(ps_name)
            if not path:
                fail('font %s is not installed, so its glyphs cannot be checked' % ps_name)
                continue
            cmap = read_cmap(path, index)
            for gid, text in sorted(cjk.items()):
                if cmap.get(ord(text)) != gid:
                    fail('%s draws %r (U+%04X) with glyph %d; its cmap says %s'
                         % (ps_name, text, ord(text), gid, cmap.get(ord(text))))
                checked.add(text)
        missing = cjk_source - checked
        if missing:
            fail('CJK characters not found drawn in any CJK font: ' + ''.join(sorted(missing)))
        if not ligature:
            fail('no glyph of any font stands for "fi": the ligature was not drawn')
        text = squeeze(texts[chapters['scripts.md'] - 1]) if chapters['scripts.md'] else ''
        for word in ('office', 'files', 'fine', 'firm'):
            if word not in text:
                fail('"%s" does not extract as letters' % word)

    if found:
        print('FAIL:\n' + '\n'.join(found))
        return 1
    print('ok: %d pages; %d CJK characters checked against their fonts\' cmaps'
          % (pages, len(checked)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
