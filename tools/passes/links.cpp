// resolve_links: Markdown links to chapters and anchors, external URLs, refused schemes.
#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "core/paths.h"
#include "html/svg.h"
#include "passes/common.h"
#include "passes/passes.h"
#include "passes/walk.h"

namespace colophon {

namespace {

// Candidate ids compared for a "did you mean" hint, at most (keeps errors cheap).
constexpr size_t kMaxHintCandidates = 5000;

// Computes the edit distance between A and B, giving up (returning LIMIT+1) past LIMIT.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

// Finds the id of MAP closest to FRAG, or "" when none is close.
std::string closest_id(const std::unordered_map<std::string, std::string>& map,
                       const std::string& frag) {
  size_t limit = std::max<size_t>(2, frag.size() / 3);
  std::string best;
  size_t best_d = limit + 1, seen = 0;
  std::vector<std::string> keys;
  for (const auto& [spelling, real] : map) {
    if (++seen > kMaxHintCandidates) break;
    if (spelling != real) continue;
    keys.push_back(real);
  }
  std::sort(keys.begin(), keys.end());  // deterministic choice among equals
  for (const std::string& k : keys) {
    size_t d = edit_distance(frag, k, limit);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

class LinkResolver {
 public:
  LinkResolver(Book& book, Diagnostics& diag, const AnchorTable& anchors)
      : book_(book), diag_(diag), anchors_(anchors) {
    namespace fs = std::filesystem;
    for (size_t c = 0; c < book.chapters.size(); ++c) {
      fs::path source = fs::path(book.chapters[c].source).lexically_normal();
      by_source_.emplace(source.generic_string(), static_cast<int>(c));
      // mdBook's index preprocessor: README.md is the folder's index.md (index.html).
      std::string stem = source.stem().string();
      for (char& ch : stem) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (book.source.runs_builtin("index") && stem == "readme" &&
          source.extension() == ".md")
        readme_by_dir_.emplace(source.parent_path().generic_string(), static_cast<int>(c));
    }
    src_root_ = (fs::path(book.root) / book.src_dir).lexically_normal();
  }

  void run() {
    std::vector<std::vector<int>> groups = notes_by_chapter(book_);
    for (size_t c = 0; c < book_.chapters.size(); ++c) {
      int ci = static_cast<int>(c);
      auto visit = [&](Inline& in) {
        if (in.kind == InlineKind::Link) resolve(in, ci);
      };
      for_each_inline_in_blocks(book_.chapters[c].blocks, visit);
      for (int n : groups[c]) for_each_inline_in_blocks(book_.notes[n].blocks, visit);
    }
    report_leaving_links();
  }

 private:
  void error(int c, const Inline& in, std::string message, std::string hint = {}) {
    diag_.error(chapter_file(book_, c), in.pos, std::move(message), std::move(hint));
  }

  // Reports a link to a file that is missing or no chapter: mdBook builds such a book (its
  // link just leads nowhere), so by default a warning, the link's text kept unlinked; an
  // error with `dead-links = "error"`.
  void dead(int c, const Inline& in, const std::string& message, const std::string& hint) {
    if (book_.dead_links_are_errors) {
      error(c, in, message, hint + " (or set dead-links = \"warning\" in [book])");
    } else {
      diag_.warning(chapter_file(book_, c), in.pos, message + "; its text is kept, unlinked",
                    hint);
    }
  }

  void resolve(Inline& link, int c) {
    link.target = LinkTarget{};
    const std::string& url = link.url;
    if (url.empty()) {
      diag_.warning(chapter_file(book_, c), link.pos, "link without a target is written as text",
                    "give it a destination: [text](chapter.md#anchor)");
      return;
    }
    std::string scheme = url_scheme(url);
    if (!scheme.empty()) {
      // The links' one policy and message (html/svg.h), as for raw HTML's href.
      if (std::string refused = refused_url_warning(url); !refused.empty()) {
        diag_.warning(chapter_file(book_, c), link.pos, refused, refused_url_hint());
      } else {
        link.target.kind = LinkTarget::Kind::External;
      }
      return;
    }
    if (url.starts_with("//")) {
      error(c, link, "link '" + url + "' has no scheme", "write the full address: https:" + url);
      return;
    }
    size_t hash = url.find('#');
    std::string path = url.substr(0, hash);
    std::string frag = hash == std::string::npos ? std::string() : url.substr(hash + 1);
    if (path.find('?') != std::string::npos) {
      error(c, link, "link '" + url + "' has a query string, which a book file cannot use",
            "remove the '?...' part");
      return;
    }
    int target = c;
    if (!path.empty()) {
      std::optional<std::string> decoded = percent_decode(path);
      if (!decoded) {
        error(c, link, "link '" + url + "' has a malformed %-escape", "write %XX with two hex digits");
        return;
      }
      print_page_ = false;
      target = find_chapter(link, c, *decoded);
      if (target < 0) return;
      if (print_page_ && !frag.empty()) {  // print.html#id: the chapter that has the id
        std::optional<std::string> id = percent_decode(frag);
        auto where = id ? anchors_.chapter_of.find(*id) : anchors_.chapter_of.end();
        if (where != anchors_.chapter_of.end()) target = where->second;
      }
    }
    link.target.chapter = target;
    if (frag.empty()) {
      link.target.kind = LinkTarget::Kind::Internal;
      return;
    }
    std::optional<std::string> decoded_frag = percent_decode(frag);
    if (!decoded_frag) {
      error(c, link, "link '" + url + "' has a malformed %-escape", "write %XX with two hex digits");
      link.target.chapter = -1;
      return;
    }
    const auto& m = anchors_.by_chapter[target];
    auto it = m.find(*decoded_frag);
    if (it == m.end()) {
      // A warning by default, as mdBook builds such a book (converted manuscripts, the
      // ten-days corpus among them, carry dead fragments from ids their conversion
      // dropped): the link opens the chapter. `dead-links = "error"` makes it an error.
      std::string file = book_.chapters[target].source;
      std::string hint;
      auto other = anchors_.chapter_of.find(*decoded_frag);
      if (other != anchors_.chapter_of.end()) {
        hint = "'#" + *decoded_frag + "' is in " + book_.chapters[other->second].source +
               "; link to that file";
      } else if (std::string near = closest_id(m, *decoded_frag); !near.empty()) {
        hint = "the closest id in " + file + " is '#" + near + "'";
      } else {
        hint = "link to a heading (its GitHub-style slug), a raw HTML id or a note in " + file;
      }
      if (book_.dead_links_are_errors) {
        diag_.error(chapter_file(book_, c), link.pos,
                    "no heading or id '#" + *decoded_frag + "' in " + file,
                    hint + " (or set dead-links = \"warning\" in [book])");
      } else {
        diag_.warning(chapter_file(book_, c), link.pos,
                      "no heading or id '#" + *decoded_frag + "' in " + file +
                          "; the link goes to the start of the chapter",
                      hint);
      }
      link.target.kind = LinkTarget::Kind::Internal;
      return;
    }
    link.target.kind = LinkTarget::Kind::Internal;
    link.target.anchor = it->second;
  }

  // A link above the source folder leaves the book (mdBook publishes the source folder
  // as the site, often beside other books: ../std/option/enum.Option.html). With a
  // site-url it becomes an absolute link; without, its text stays, unlinked, and
  // report_leaving_links warns once per folder it leads to.
  bool leaves_book(Inline& link, int c, const std::string& path) {
    namespace fs = std::filesystem;
    fs::path target = (chapter_dir(book_, c) / path).lexically_normal();
    fs::path rel = target.lexically_relative(src_root_);
    if (rel.empty() || *rel.begin() != "..") return false;
    if (!book_.site_url.empty()) {
      link.target.kind = LinkTarget::Kind::External;
      link.url = site_address(rel.generic_string(), link.url);
      return true;
    }
    // The folder it leads to: the first name after the "..".
    std::string folder;
    for (const fs::path& part : rel) {
      folder += part.generic_string();
      if (part != "..") break;
      folder += '/';
    }
    auto [it, fresh] = leaving_.try_emplace(folder);
    if (fresh) {
      it->second.file = chapter_file(book_, c);
      it->second.pos = link.pos;
      it->second.example = link.url;
      leaving_order_.push_back(folder);
    }
    ++it->second.count;
    return true;
  }

  // Returns the web address of REL (a path relative to the source folder, starting with
  // "..") under the book's site-url, keeping URL's "#fragment".
  std::string site_address(const std::string& rel, const std::string& url) const {
    std::string base = book_.site_url;  // ends with '/'
    size_t scheme_end = base.find("://");
    size_t path_start = base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    if (path_start == std::string::npos) path_start = base.size();
    std::vector<std::string> parts;
    std::string path = base.substr(path_start);
    for (size_t i = 0; i < path.size();) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      if (j > i) parts.push_back(path.substr(i, j - i));
      i = j + 1;
    }
    for (const auto& part : std::filesystem::path(rel)) {
      std::string p = part.generic_string();
      if (p == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (p != "." && !p.empty()) {
        parts.push_back(p);
      }
    }
    std::string out = base.substr(0, path_start);
    for (const std::string& p : parts) out += "/" + p;
    size_t end = url.find_first_of("#?");
    std::string_view written = std::string_view(url).substr(0, end);
    if (out.size() == path_start || (!written.empty() && written.back() == '/')) out += '/';
    size_t hash = url.find('#');
    if (hash != std::string::npos) out += url.substr(hash);
    return out;
  }

  // Warns once per folder outside the book that links lead to, with their count.
  void report_leaving_links() {
    for (const std::string& folder : leaving_order_) {
      const Leaving& l = leaving_[folder];
      std::string count = l.count == 1 ? "1 link" : std::to_string(l.count) + " links";
      diag_.warning(l.file, l.pos,
                    count + " lead" + (l.count == 1 ? "s" : "") + " outside the book, to " +
                        folder + "/ (first: '" + l.example + "'); written as plain text",
                    "set the book's web address, site-url = \"https://...\" under [book] (or "
                    "[output.html]), to make them absolute links");
    }
  }

  // Finds the chapter PATH (relative to chapter C) names; reports and returns -1 if none.
  int find_chapter(Inline& link, int c, const std::string& path) {
    namespace fs = std::filesystem;
    if (!path.empty() && path[0] == '/') {
      error(c, link, "link '" + link.url + "' is an absolute path",
            "write the path relative to this file, e.g. other.md");
      return -1;
    }
    if (leaves_book(link, c, path)) return -1;
    fs::path base = chapter_dir(book_, c);
    SafePath sp = resolve(base, path);
    fs::path in_src = (base / path).lexically_normal().lexically_relative(src_root_);
    if (sp.status == SafePath::Status::Missing && in_src == "print.html") {
      print_page_ = true;
      return 0;  // mdBook's whole book on one page: the book's start
    }
    if (sp.status == SafePath::Status::Missing &&
        (in_src.filename() == "index.html" || in_src.filename() == "index.md")) {
      // mdBook's index preprocessor: a folder's README.md is its index.
      fs::path dir = fs::path(book_.src_dir) / in_src.parent_path();
      auto it = readme_by_dir_.find(dir.lexically_normal().generic_string());
      if (it != readme_by_dir_.end()) return it->second;
    }
    if (sp.status == SafePath::Status::Missing && path.size() > 5 && path.ends_with(".html")) {
      SafePath md = resolve(base, path.substr(0, path.size() - 5) + ".md");
      if (md.status == SafePath::Status::Ok) sp = md;  // mdBook output name of a chapter
    }
    switch (sp.status) {
      case SafePath::Status::Absolute:
        error(c, link, "link '" + link.url + "' is an absolute path",
              "write the path relative to this file");
        return -1;
      case SafePath::Status::Escapes:
        error(c, link, "link '" + link.url + "' points outside the book",
              "only chapters of this book can be linked by path; use an https: address");
        return -1;
      case SafePath::Status::Missing:
        dead(c, link, "link target '" + path + "' not found (looked for " + sp.relative + ")",
             "check the file name; paths are relative to " +
                 fs::path(book_.chapters[c].source).parent_path().generic_string() + "/");
        return -1;
      case SafePath::Status::Ok: break;
    }
    std::string rel = fs::path(sp.relative).lexically_normal().generic_string();
    auto it = by_source_.find(rel);
    if (it != by_source_.end()) return it->second;
    std::error_code ec;
    if (fs::is_directory(sp.absolute, ec)) {
      dead(c, link, "link '" + link.url + "' points at a directory", "link to a chapter file");
    } else if (rel.ends_with(".md")) {
      dead(c, link, "link to '" + rel + "', which is not in the book",
           "add it to SUMMARY.md, or remove the link");
    } else {
      dead(c, link, "link to '" + rel + "', which is not a chapter",
           "only chapters can be linked by path; show an image with ![alt](" + path +
               ") or link to an https: address");
    }
    return -1;
  }

  // Returns resolve_inside(root, BASE, PATH), asking the file system once per pair: a
  // book links to the same few chapters thousands of times, and each resolution
  // canonicalises paths with several system calls.
  const SafePath& resolve(const std::filesystem::path& base, const std::string& path) {
    std::string key = base.string();
    key.append(1, '\0').append(path);
    auto it = resolved_.find(key);
    if (it == resolved_.end())
      it = resolved_.emplace(std::move(key), resolve_inside(book_.root, base, path)).first;
    return it->second;
  }

  Book& book_;
  Diagnostics& diag_;
  const AnchorTable& anchors_;
  std::unordered_map<std::string, int> by_source_;
  std::unordered_map<std::string, int> readme_by_dir_;  // folder -> its README.md chapter
  std::filesystem::path src_root_;                      // the source folder, absolute
  bool print_page_ = false;                             // find_chapter found print.html
  std::unordered_map<std::string, SafePath> resolved_;  // see resolve()
  // Links that leave the book without a site-url, by the folder they lead to.
  struct Leaving {
    std::string file;
    SourcePos pos;
    std::string example;
    size_t count = 0;
  };
  std::unordered_map<std::string, Leaving> leaving_;
  std::vector<std::string> leaving_order_;  // folders in order of first link
};

}  // namespace

void resolve_links(Book& book, Diagnostics& diag, const AnchorTable& anchors) {
  LinkResolver(book, diag, anchors).run();
}

void resolve_links(Book& book, Diagnostics& diag) {
  resolve_links(book, diag, build_anchor_table(book));
}

}  // namespace colophon
