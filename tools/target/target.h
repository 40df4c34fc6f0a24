// The output targets' interface, as mdBook's renderers: a target is a name and one
// render call over a context. Each target is one folder under tools/ (tools/epub,
// tools/pdf ...) with its own [output.NAME] table in book.toml; the driver builds the
// targets the book's tables or --target ask for, all at once, from the one read-only
// model, and knows none of them by name. A target never calls another: what one makes
// for others (the PDF's page breaks for the EPUB's page list) goes through the
// Exchange as data.
#pragma once
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "core/config_table.h"
#include "core/diagnostics.h"
#include "model/model.h"

namespace colophon {

// Named values one target hands to others during a build. The driver announces every
// key some target of the build will publish before any target starts; waiting for a key
// nobody publishes returns at once, so no target can wait forever.
class Exchange {
 public:
  // Announces that KEY will be published (or abandoned) in this build.
  void expect(const std::string& key);
  // Publishes VALUE under KEY and wakes the targets waiting for it.
  template <class T>
  void publish(const std::string& key, std::shared_ptr<const T> value) {
    put(key, std::move(value), typeid(T));
  }
  // Marks KEY as never coming (its target failed): waiters get nullptr.
  void abandon(const std::string& key);
  // Waits until KEY is published or abandoned; returns the value, or nullptr when it is
  // not of type T, never announced or abandoned.
  template <class T>
  std::shared_ptr<const T> wait(const std::string& key) {
    auto [value, type] = get(key);
    if (!value || type != std::type_index(typeid(T))) return nullptr;
    return std::static_pointer_cast<const T>(value);
  }
  // Tells whether KEY was announced, i.e. whether waiting for it can bring a value.
  bool expected(const std::string& key) const;

 private:
  struct Slot {
    bool done = false;
    std::shared_ptr<const void> value;
    std::type_index type = typeid(void);
  };
  void put(const std::string& key, std::shared_ptr<const void> value, std::type_index type);
  std::pair<std::shared_ptr<const void>, std::type_index> get(const std::string& key);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Slot> slots_;
};

// What a target needs from others: an exchange key, and whether the build must make it
// (running a target that publishes it without writing that target's file) when no
// target of the build publishes it anyway. A key not required comes only when a target
// of the build publishes it: Exchange::expected tells.
struct Need {
  std::string key;
  bool required = false;
};

// Everything one target's render call gets.
struct RenderContext {
  const Book& book;              // the model, read-only and shared by every target
  std::filesystem::path output;  // the file to write (a staged name the driver renames
                                 // into place); empty when the target runs only to
                                 // publish what others need
  Diagnostics& diag;             // messages naming `output` are shown with the final name
  Exchange& exchange;            // values from and for the other targets
  ChapterReuse* reuse = nullptr;  // colophon watch: chapters an EPUB-family target may
                                  // reuse from the last good build; null for none
};

// One output of the build (EPUB, PDF, Kobo ...).
class Target {
 public:
  virtual ~Target() = default;

  // Returns the name: the word --target takes and NAME in [output.NAME].
  virtual std::string name() const = 0;
  // Returns what the output file's name ends with (".epub", ".kepub.epub").
  virtual std::string extension() const = 0;
  // Returns one line for --help saying what the target writes.
  virtual std::string summary() const = 0;
  // Tells whether the target is built when book.toml names no known target.
  virtual bool default_on() const { return false; }

  // Reads the target's [output.NAME] table (TABLE is null when book.toml has none) into
  // the target or the book, reporting mistakes at their line:col. Called for every
  // target, built or not, before the passes run: the book is not yet read-only. The
  // default takes no keys: each one is reported as unknown.
  virtual void configure(const ConfigTable* table, Book& book, Diagnostics& diag);
  // Returns the keys its [output.NAME] table takes, as configure reads them: for "did
  // you mean", for "belongs in [output.NAME]", and for the test that the guide
  // documents each one.
  virtual std::vector<std::string> keys() const { return {}; }
  // Returns the exchange keys this target publishes whenever it renders.
  virtual std::vector<std::string> provides() const { return {}; }
  // Returns the exchange keys this target uses in building BOOK (after configure).
  virtual std::vector<Need> needs(const Book& book) const {
    (void)book;
    return {};
  }
  // Reports what would make the output refused where it goes (a store, a device),
  // without writing anything (`colophon check --target NAME`).
  virtual void check(const Book& book, Diagnostics& diag) const {
    (void)book;
    (void)diag;
  }
  // Writes the output to ctx.output (or only publishes, see RenderContext). Returns
  // false, with a diagnostic, when it could not; must publish or abandon every key of
  // provides() on every way out (the driver abandons what is left).
  virtual bool render(RenderContext& ctx) = 0;
};

// Returns one instance of every target built into colophon, in registration order
// (defined in a file generated from the COLOPHON_TARGETS list in CMakeLists.txt).
std::vector<std::unique_ptr<Target>> make_targets();

}  // namespace colophon
