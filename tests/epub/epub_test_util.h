// Helpers of the EPUB tests: read an archive back, compare golden files, run epubcheck.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace colophon::testing {

// One file read back from a zip archive.
struct ZipFileEntry {
  std::string name;
  std::string data;
  int method = 0;        // ZIP_CM_STORE or ZIP_CM_DEFLATE
  int extra_fields = 0;  // local + central extra fields
};

// Reads every entry of the archive at PATH, in archive order (fails the test if unreadable).
std::vector<ZipFileEntry> read_zip(const std::filesystem::path& path);

// Compares ENTRIES with tests/epub/golden/CASE/ byte for byte (text files as files, all
// entries listed in entries.txt); rewrites them when COLOPHON_UPDATE_GOLDEN=1.
void check_golden(const std::string& case_name, const std::vector<ZipFileEntry>& entries);

// Outcome of running epubcheck.
struct EpubcheckResult {
  bool skipped = false;  // java or epubcheck missing
  bool ran = false;      // the summary line was found
  int fatals = 0, errors = 0, warnings = 0;
  std::string output;
};

// Runs `java -jar /usr/bin/epubcheck FILE` and counts its messages.
EpubcheckResult run_epubcheck(const std::filesystem::path& file);

}  // namespace colophon::testing
