#include "kindle/rules.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "core/paths.h"
#include "core/text.h"

namespace colophon {

namespace {

// The languages KDP lists for Kindle books (ISO 639-1 and -2 codes, and the few it
// names by ISO 639-3), as its language guide gave them in 2022.
constexpr std::string_view kKindleLanguages[] = {
    "af",  "ar",  "br",  "ca",  "co",  "cy",  "da",  "de",  "en",  "es",  "eu",  "fi",  "fr",
    "fy",  "ga",  "gd",  "gl",  "gu",  "gv",  "hi",  "is",  "it",  "ja",  "kw",  "lb",  "ml",
    "mr",  "nb",  "nl",  "nn",  "no",  "oc",  "pl",  "pt",  "rm",  "sv",  "ta",  "zh",  "afr",
    "ara", "baq", "bre", "cat", "chi", "cor", "cos", "cym", "dan", "deu", "dut", "eng", "eus",
    "fin", "fra", "fre", "frr", "fry", "ger", "gla", "gle", "glg", "glv", "gsw", "guj", "hin",
    "ice", "isl", "ita", "jpn", "ltz", "mal", "mar", "nld", "nno", "nob", "nor", "oci", "por",
    "roh", "sco", "spa", "stq", "swe", "tam", "wel", "zho"};

// Returns S in ASCII lower case.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Tells whether the CSS VALUE holds a negative length or number ("-2em", "0 -1px").
bool has_negative(std::string_view value) {
  for (size_t i = 0; i + 1 < value.size(); ++i) {
    bool starts = i == 0 || value[i - 1] == ' ' || value[i - 1] == '(' || value[i - 1] == ',';
    if (value[i] == '-' && starts &&
        (std::isdigit(static_cast<unsigned char>(value[i + 1])) || value[i + 1] == '.')) {
      // "-0" is no offset at all.
      size_t j = i + 1;
      bool nonzero = false;
      while (j < value.size() &&
             (std::isdigit(static_cast<unsigned char>(value[j])) || value[j] == '.')) {
        nonzero = nonzero || (value[j] >= '1' && value[j] <= '9');
        ++j;
      }
      if (nonzero) return true;
    }
  }
  return false;
}

}  // namespace

bool kindle_language(std::string_view language) {
  std::string primary = lower(language.substr(0, language.find('-')));
  return std::find(std::begin(kKindleLanguages), std::end(kKindleLanguages), primary) !=
         std::end(kKindleLanguages);
}

void check_kindle_css(std::string_view text, const std::string& file, Diagnostics& diag) {
  // A small reader of rule blocks: comments dropped, then `selector { name: value; ... }`
  // with the line of each declaration; at-rules' own blocks are read the same way.
  struct Declaration {
    std::string name, value;
    SourcePos pos;
  };
  std::vector<Declaration> block;
  auto finish_block = [&] {
    bool has_padding = false;
    for (const Declaration& d : block)
      has_padding = has_padding || d.name == "padding-left" || d.name == "padding";
    for (const Declaration& d : block) {
      bool negative = has_negative(d.value);
      if (negative && (d.name.starts_with("margin") || d.name == "left" || d.name == "right" ||
                       d.name == "top" || d.name == "bottom")) {
        diag.warning(file, d.pos,
                     "negative '" + d.name + "': Kindle cuts off what it moves past the edge",
                     "use padding, or a margin of 0 or more");
      } else if (negative && d.name == "text-indent" && !has_padding) {
        diag.warning(file, d.pos,
                     "a negative text-indent with no padding-left: Kindle cuts off the first "
                     "letters",
                     "add padding-left of the same size to the rule");
      } else if (negative && d.name == "line-height") {
        diag.warning(file, d.pos, "a negative line-height: Kindle does not take it",
                     "use a line-height of 1.2 or more");
      } else if (d.name == "position" && (d.value.find("absolute") != std::string::npos ||
                                          d.value.find("fixed") != std::string::npos)) {
        diag.warning(file, d.pos,
                     "position: " + std::string(trim(d.value)) +
                         ": Kindle places such boxes unpredictably in a reflowing book",
                     "leave boxes in the flow of the text");
      }
    }
    block.clear();
  };
  uint32_t line = 1, col = 1;
  std::string name, value;
  SourcePos start;
  enum class State { Selector, Name, Value } state = State::Selector;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      end = end == std::string_view::npos ? text.size() : end + 2;
      for (size_t k = i; k < end; ++k) {
        if (text[k] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      i = end - 1;
      continue;
    }
    SourcePos here{line, col};
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    switch (state) {
      case State::Selector:
        if (c == '{') state = State::Name;
        break;
      case State::Name:
        if (c == '{') {  // an at-rule's block: its rules follow
          name.clear();
        } else if (c == ':') {
          state = State::Value;
          value.clear();
        } else if (c == '}') {
          finish_block();
          state = State::Selector;
          name.clear();
        } else if (c == ';') {
          name.clear();
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
          if (name.empty()) start = here;
          name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        break;
      case State::Value:
        if (c == ';' || c == '}') {
          block.push_back({name, lower(trim(value)), start});
          name.clear();
          if (c == '}') {
            finish_block();
            state = State::Selector;
          } else {
            state = State::Name;
          }
        } else {
          value += c == '\n' ? ' ' : c;
        }
        break;
    }
  }
}

void check_kindle_book(const Book& book, Diagnostics& diag) {
  std::string config = book.config_display();
  if (!kindle_language(book.meta.language))
    diag.warning(config, {},
                 "language '" + book.meta.language +
                     "' is not one Amazon lists for Kindle books: KDP refuses the book, and "
                     "Send to Kindle may fail with E999",
                 "if the book is in a language Amazon lists, set language under [book]; to "
                 "try anyway, send the plain EPUB (--target epub)");
  // An <img> without src, which Send to Kindle refuses, is an error of the reader for
  // every target.
  if (book.meta.no_cover)
    diag.warning(config, {}, "no cover (cover = false): KDP refuses a book without one",
                 "remove cover = false to get a generated cover, or name an image");
  for (const std::string& css : book.epub.extra_css) {
    // Read as every file of the book is (the EPUB stage reports one that cannot be).
    FileRead text = read_book_file(book.root, css);
    if (text.ok()) check_kindle_css(text.data, book.display(css), diag);
  }
}

void check_kindle_size(uint64_t bytes, const std::string& file, Diagnostics& diag) {
  auto megabytes = [](uint64_t n) { return std::to_string((n + 500000) / 1000000) + " MB"; };
  if (bytes > kKindleUploadLimit) {
    diag.error(file, {},
               "the book is " + megabytes(bytes) + ": Send to Kindle takes at most " +
                   megabytes(kKindleUploadLimit),
               "make the images smaller (JPEG for photographs, fewer pixels)");
  } else if (bytes > kKindleEmailLimit) {
    diag.warning(file, {},
                 "the book is " + megabytes(bytes) + ": too large to e-mail to a Kindle (" +
                     megabytes(kKindleEmailLimit) + " at most)",
                 "send it with the Send to Kindle app or web page (up to " +
                     megabytes(kKindleUploadLimit) + "), or make the images smaller");
  }
}

}  // namespace colophon
