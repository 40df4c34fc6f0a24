// The file libzip writes the EPUB into: a libzip source of our own for writing, so that
// we decide how the bytes reach the disk (see file_sink.cpp).
#pragma once

#include <zip.h>

#include <string>

namespace colophon {

// Returns a writable libzip source for a new archive at PATH, for zip_open_from_source
// with ZIP_CREATE | ZIP_TRUNCATE; nullptr with ERROR set on failure. The archive is
// written to a temporary file beside PATH and renamed to PATH when libzip commits it;
// when writing fails or is rolled back the temporary file is removed, so PATH is either
// untouched or complete.
zip_source_t* file_sink_create(const std::string& path, zip_error_t* error);

}  // namespace colophon
