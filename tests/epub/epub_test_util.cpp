#include "epub_test_util.h"

#include <doctest/doctest.h>
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/paths.h"

namespace colophon::testing {

namespace fs = std::filesystem;

std::vector<ZipFileEntry> read_zip(const fs::path& path) {
  std::vector<ZipFileEntry> out;
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  REQUIRE_MESSAGE(za != nullptr, "cannot open " << path << " as a zip archive");
  zip_int64_t n = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    REQUIRE(zip_stat_index(za, index, 0, &st) == 0);
    ZipFileEntry e;
    e.name = st.name;
    e.method = st.comp_method;
    e.extra_fields = zip_file_extra_fields_count(za, index, ZIP_FL_LOCAL) +
                     zip_file_extra_fields_count(za, index, ZIP_FL_CENTRAL);
    e.data.resize(st.size);
    zip_file_t* f = zip_fopen_index(za, index, 0);
    REQUIRE(f != nullptr);
    if (st.size > 0) CHECK(zip_fread(f, e.data.data(), st.size) == static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    out.push_back(std::move(e));
  }
  zip_discard(za);
  return out;
}

namespace {

bool is_text(const std::string& name) {
  for (const char* ext : {".xhtml", ".opf", ".ncx", ".xml", ".css", ".svg"})
    if (name.ends_with(ext)) return true;
  return name == "mimetype";
}

}  // namespace

void check_golden(const std::string& case_name, const std::vector<ZipFileEntry>& entries) {
  fs::path dir = fs::path(COLOPHON_SOURCE_DIR) / "tests" / "epub" / "golden" / case_name;
  std::ostringstream listing;
  for (const ZipFileEntry& e : entries)
    listing << e.name << ' ' << (e.method == ZIP_CM_STORE ? "stored" : "deflated") << ' '
            << e.data.size() << '\n';
  const char* update = std::getenv("COLOPHON_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "entries.txt", std::ios::binary) << listing.str();
    for (const ZipFileEntry& e : entries) {
      if (!is_text(e.name)) continue;
      fs::create_directories((dir / e.name).parent_path());
      std::ofstream(dir / e.name, std::ios::binary) << e.data;
    }
    MESSAGE("updated golden files in " << dir.string());
    return;
  }
  std::optional<std::string> want = read_file(dir / "entries.txt");
  REQUIRE_MESSAGE(want.has_value(), "no golden files in " << dir.string()
                                                          << "; run with COLOPHON_UPDATE_GOLDEN=1");
  CHECK(listing.str() == *want);
  for (const ZipFileEntry& e : entries) {
    if (!is_text(e.name)) continue;
    INFO("golden file " << (dir / e.name).string() << " (COLOPHON_UPDATE_GOLDEN=1 rewrites it)");
    std::optional<std::string> golden = read_file(dir / e.name);
    REQUIRE(golden.has_value());
    CHECK(e.data == *golden);
  }
}

EpubcheckResult run_epubcheck(const fs::path& file) {
  EpubcheckResult r;
  const char* jar = "/usr/bin/epubcheck";
  if (!fs::exists(jar) || std::system("java -version >/dev/null 2>&1") != 0) {
    r.skipped = true;
    return r;
  }
  std::string cmd = std::string("java -jar ") + jar + " '" + file.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  pclose(p);
  std::smatch m;
  if (std::regex_search(r.output, m,
                        std::regex("Messages: (\\d+) fatals? / (\\d+) errors? / (\\d+) warnings?"))) {
    r.ran = true;
    r.fatals = std::stoi(m[1]);
    r.errors = std::stoi(m[2]);
    r.warnings = std::stoi(m[3]);
  }
  // Count message lines too, in case the summary format differs.
  for (const char* kind : {"FATAL(", "ERROR(", "WARNING("}) {
    int c = 0;
    for (size_t at = r.output.find(kind); at != std::string::npos; at = r.output.find(kind, at + 1))
      ++c;
    if (kind[0] == 'F') r.fatals = std::max(r.fatals, c);
    if (kind[0] == 'E') r.errors = std::max(r.errors, c);
    if (kind[0] == 'W') r.warnings = std::max(r.warnings, c);
  }
  if (r.output.find("No errors or warnings detected") != std::string::npos) r.ran = true;
  return r;
}

}  // namespace colophon::testing
