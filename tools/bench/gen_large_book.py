#!/usr/bin/env python3
"""Writes a large, deterministic Markdown book for the benchmark.

    gen_large_book.py OUT_DIR [--scale N] [--seed S]

At scale 1 the book has 200 chapters, 2,000 footnotes and a little more than 2 MB of
Markdown: prose with emphasis, strong, code and strikethrough, links between chapters
with fragments, external links, nested lists, tables, block quotes, code blocks and
headings of several levels. Scale N multiplies chapters, notes and bytes by N, so the
time of scale 2 over scale 1 measures how linear the build is. The same seed and scale
always give the same bytes.
"""

import argparse
import os
import random
import sys

CHAPTERS_PER_SCALE = 200
NOTES_PER_CHAPTER = 10  # 2,000 notes per scale
CHAPTER_BYTES = 10_800  # target Markdown bytes per chapter: 200 x 10.8 KB > 2 MB
SECTIONS_PER_CHAPTER = 4
CHAPTERS_PER_PART = 50

WORDS = """
a about above across after again against air all almost along already also although
always among an ancient and another answer any anyone appeared are around as at away
back bank be beautiful because been before began behind being believe below beneath
beside best better between beyond bird black blue boat body book both bread bridge
bright brought but by call came can candle captain carried cart cast certain change
church city clear clock close cloud coast cold come common could country course cross
crowd dark daughter day deep did distant do door down dream during each early earth
east easy edge either empty end enough even evening ever every eye face fall far
farmer field fire first fisherman five floor follow for forest forgotten found four
free friend from front garden gate gave get give glass go gold good great green grew
ground half hall hand harbour hard have he head hear heart heavy held her here high
hill him his hold home horse hour house however hundred if in inside into iron is
island it its journey just keep kept kind king knew know lamp land language large
last late later lay lead least leave left less letter light like line little long
look lost low made make many map market may me might mile mill mind moon more morning
most mother mountain much must name near never new next night no north not nothing
now number of off often old on once one only open or other our out over own paper
part passed past path people perhaps place plain point poor port present quiet rain
rather read reason red river road rock room round said sail salt same sand saw say
sea season second see seemed set several shadow she ship shore short should side
silver since sister sky slowly small snow so some something song soon south speak
spring square stair stand star still stone storm story street strong such summer sun
surely table take tall tell than that the their them then there these they thing
third this those though thought three through time to together told too took toward
tower town tree true turn two under until up upon us very village voice wait walk
wall was watch water wave way we weather well went were west what wheel when where
which while white who whole why wide will wind window winter with within without
woman wood word work world would year yet you young
""".split()

RARE = ["café", "naïve", "façade", "Ångström", "Łódź", "smörgåsbord", "jalapeño",
        "Zürich", "déjà vu", "piñata"]

PLACES = ["Almsby", "Brackwater", "Corran", "Dunmere", "Eskholt", "Farrow", "Glenmoor",
          "Harwick", "Ilsham", "Jarrowby", "Kelder", "Lowmarsh", "Mardale", "Northend",
          "Oakhurst", "Pellow", "Quarrendon", "Ravensby", "Saltcote", "Thornby"]

CODE_SNIPPETS = [
    ("python", "def tally(rows):\n    total = 0\n    for row in rows:\n"
               "        total += row.count\n    return total\n"),
    ("c", "int clamp(int v, int lo, int hi) {\n  if (v < lo) return lo;\n"
          "  if (v > hi) return hi;\n  return v;\n}\n"),
    ("", "$ colophon build book -o dist\ncolophon: read      12.0 ms\n"
         "colophon: wrote dist/book.epub\n"),
    ("toml", "[book]\ntitle = \"Harbour Lights\"\nauthors = [\"A. Writer\"]\n"),
]


class Writer:
    """Builds the book's text from one seeded random generator."""

    def __init__(self, rng, scale):
        self.rng = rng
        self.chapters = CHAPTERS_PER_SCALE * scale
        self.titles = []
        self.sections = []  # per chapter: list of (title, slug)
        for c in range(self.chapters):
            place = PLACES[c % len(PLACES)]
            self.titles.append(f"{place} {self.word().capitalize()} {c + 1}")
            secs = []
            for s in range(SECTIONS_PER_CHAPTER):
                w1, w2 = self.word(), self.word()
                title = f"The {w1} {w2} (chapter {c + 1}, part {s + 1})"
                slug = f"the-{w1}-{w2}-chapter-{c + 1}-part-{s + 1}"
                secs.append((title, slug))
            self.sections.append(secs)

    def word(self):
        return self.rng.choice(WORDS)

    def file_name(self, c):
        return f"ch{c + 1:04d}.md"

    def sentence(self, c):
        n = self.rng.randint(6, 18)
        words = [self.word() for _ in range(n)]
        words[0] = words[0].capitalize()
        r = self.rng.random()
        i = self.rng.randrange(1, n)
        if r < 0.12:
            words[i] = f"*{words[i]}*"
        elif r < 0.20:
            words[i] = f"**{words[i]}**"
        elif r < 0.24:
            words[i] = f"`{words[i]}`"
        elif r < 0.26:
            words[i] = f"~~{words[i]}~~"
        elif r < 0.32:
            words[i] = self.rng.choice(RARE)
        elif r < 0.38:
            j = self.rng.randrange(self.chapters)
            title, slug = self.rng.choice(self.sections[j])
            words[i] = f"[{words[i]}]({self.file_name(j)}#{slug})"
        elif r < 0.41:
            words[i] = f"[{words[i]}](https://example.org/{words[i]}/{c + 1})"
        elif r < 0.45:
            words[i] = f"\"{words[i]}\""
        if self.rng.random() < 0.1:
            words.insert(self.rng.randrange(1, n), "--")
        end = self.rng.choice([".", ".", ".", "?", "!", "..."])
        return " ".join(words) + end

    def paragraph(self, c, notes):
        sents = [self.sentence(c) for _ in range(self.rng.randint(3, 7))]
        text = " ".join(sents)
        if notes:
            label = notes.pop(0)
            text += f"[^{label}]"
        return text

    def bullet_list(self, c):
        lines = []
        for _ in range(self.rng.randint(2, 4)):
            lines.append(f"- {self.sentence(c)}")
            if self.rng.random() < 0.4:
                for k in range(self.rng.randint(1, 3)):
                    lines.append(f"    {k + 1}. {self.sentence(c)}")
        return "\n".join(lines)

    def ordered_list(self, c):
        return "\n".join(f"{k + 1}. {self.sentence(c)}" for k in range(self.rng.randint(2, 5)))

    def table(self, c):
        rows = ["| Place | Miles | Notes |", "|:------|------:|:-----:|"]
        for _ in range(self.rng.randint(2, 5)):
            rows.append(f"| {self.rng.choice(PLACES)} | {self.rng.randint(1, 400)} | "
                        f"*{self.word()}* {self.word()} |")
        return "\n".join(rows)

    def quote(self, c):
        return "\n>\n".join(f"> {self.sentence(c)} {self.sentence(c)}"
                            for _ in range(self.rng.randint(1, 2)))

    def code(self):
        lang, text = self.rng.choice(CODE_SNIPPETS)
        return f"```{lang}\n{text}```"

    def chapter(self, c, labels):
        out = [f"# {self.titles[c]}", ""]
        notes = list(labels)
        defs = list(labels)
        per_section = CHAPTER_BYTES // SECTIONS_PER_CHAPTER
        for s, (title, _slug) in enumerate(self.sections[c]):
            out += [f"## {title}", ""]
            start = sum(len(x) + 1 for x in out)
            k = 0
            while sum(len(x) + 1 for x in out) - start < per_section:
                r = self.rng.random()
                if k % 5 == 4 and r < 0.2:
                    block = self.bullet_list(c)
                elif k % 5 == 4 and r < 0.35:
                    block = self.ordered_list(c)
                elif k % 5 == 4 and r < 0.5:
                    block = self.table(c)
                elif k % 5 == 4 and r < 0.65:
                    block = self.quote(c)
                elif k % 5 == 4 and r < 0.75:
                    block = self.code()
                elif k % 7 == 6 and r < 0.3:
                    block = f"### {self.word().capitalize()} {self.word()} {c + 1}.{s + 1}.{k}"
                else:
                    block = self.paragraph(c, notes)
                out += [block, ""]
                k += 1
        # Any label not yet referenced goes on a closing paragraph, so each is used once.
        if notes:
            out += [" ".join(self.sentence(c) + f"[^{lab}]" for lab in notes), ""]
        for lab in defs:
            out += [f"[^{lab}]: {self.sentence(c)} {self.sentence(c)}", ""]
        return "\n".join(out)

    def summary(self):
        out = ["# Summary", "", "[Foreword](foreword.md)", ""]
        for c in range(self.chapters):
            if c % CHAPTERS_PER_PART == 0:
                out += ["", f"# Part {c // CHAPTERS_PER_PART + 1}", ""]
            indent = "    " if c % 4 == 3 else ""  # every fourth chapter nested
            out.append(f"{indent}- [{self.titles[c]}]({self.file_name(c)})")
        out.append("")
        return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1917)
    args = ap.parse_args()
    if args.scale < 1:
        ap.error("--scale must be at least 1")

    rng = random.Random(args.seed)
    w = Writer(rng, args.scale)
    src = os.path.join(args.out_dir, "src")
    os.makedirs(src, exist_ok=True)

    def write(rel, text):
        with open(os.path.join(args.out_dir, rel), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    write("book.toml", "[book]\n"
          f"title = \"Harbour Lights, a Generated Book (scale {args.scale})\"\n"
          "authors = [\"The Benchmark\"]\nlanguage = \"en\"\n"
          "description = \"A generated book for colophon's benchmark.\"\n")
    write("src/SUMMARY.md", w.summary())
    write("src/foreword.md", "# Foreword\n\nThis book is generated by "
          "`tools/bench/gen_large_book.py`; its words are chosen by a seeded random "
          "generator, so every run writes the same bytes.\n")
    total = 0
    notes = 0
    for c in range(w.chapters):
        labels = [f"n{c + 1}-{k + 1}" for k in range(NOTES_PER_CHAPTER)]
        notes += len(labels)
        text = w.chapter(c, labels)
        total += len(text.encode("utf-8"))
        write(os.path.join("src", w.file_name(c)), text)
    print(f"{args.out_dir}: {w.chapters} chapters, {notes} notes, "
          f"{total / 1e6:.2f} MB of Markdown", file=sys.stderr)


if __name__ == "__main__":
    main()
