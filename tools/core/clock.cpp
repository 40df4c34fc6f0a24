#include "core/clock.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace colophon {

int64_t build_time() {
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env && *env) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(env, env + std::strlen(env), v);
    if (ec == std::errc() && *p == '\0' && v >= 0 && v <= kMaxSourceDateEpoch) return v;
  }
  return static_cast<int64_t>(std::time(nullptr));
}

std::string source_date_epoch_problem() {
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (env == nullptr || *env == '\0') return {};
  int64_t v = 0;
  auto [p, ec] = std::from_chars(env, env + std::strlen(env), v);
  std::string shown = std::string(env).substr(0, 40);
  const std::string range =
      " (from 0 to " + std::to_string(kMaxSourceDateEpoch) + ", the end of the year 9999)";
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && *p == '\0' && v < 0) ||
      (ec == std::errc() && *p == '\0' && v > kMaxSourceDateEpoch))
    return "SOURCE_DATE_EPOCH '" + shown + "' is out of range" + range;
  if (ec != std::errc() || *p != '\0')
    return "SOURCE_DATE_EPOCH '" + shown + "' is not a whole number of seconds since 1970" +
           range;
  return {};
}

namespace {
std::string format_utc(int64_t seconds, const char* fmt) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}
}  // namespace

std::string iso8601_utc(int64_t seconds) { return format_utc(seconds, "%Y-%m-%dT%H:%M:%SZ"); }

std::string iso_date_utc(int64_t seconds) { return format_utc(seconds, "%Y-%m-%d"); }

}  // namespace colophon
