// The one clock of the build: SOURCE_DATE_EPOCH when set, so builds are reproducible.
#pragma once
#include <cstdint>
#include <string>

namespace colophon {

// The latest SOURCE_DATE_EPOCH taken: 9999-12-31T23:59:59Z, the last time an EPUB's or
// a PDF's four-digit year can write.
constexpr int64_t kMaxSourceDateEpoch = 253402300799;

// Returns the build time in seconds since the epoch: SOURCE_DATE_EPOCH if it is set
// to a valid number, else the current time.
int64_t build_time();

// Returns what is wrong with SOURCE_DATE_EPOCH ("" when it is unset, empty or a whole
// number of seconds from 0 to kMaxSourceDateEpoch): a build must not quietly use the
// current time, or a year past 9999, in place of the one asked for.
std::string source_date_epoch_problem();

// Formats seconds since the epoch as UTC `YYYY-MM-DDThh:mm:ssZ`, whatever the time zone.
std::string iso8601_utc(int64_t seconds);

// Formats seconds since the epoch as the UTC date `YYYY-MM-DD`.
std::string iso_date_utc(int64_t seconds);

}  // namespace colophon
