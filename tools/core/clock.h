// The one clock of the build: SOURCE_DATE_EPOCH when set, so builds are reproducible.
#pragma once
#include <cstdint>
#include <string>

namespace colophon {

// Returns the build time in seconds since the epoch: SOURCE_DATE_EPOCH if it is set
// to a valid number, else the current time.
int64_t build_time();

// Formats seconds since the epoch as UTC `YYYY-MM-DDThh:mm:ssZ`, whatever the time zone.
std::string iso8601_utc(int64_t seconds);

// Formats seconds since the epoch as the UTC date `YYYY-MM-DD`.
std::string iso_date_utc(int64_t seconds);

}  // namespace colophon
