// colophon: builds a Markdown book into EPUB 3 and PDF.
#include <csignal>
#include <ctime>

#include "cli/app.h"
#include "core/paths.h"

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ and leave
  // a temporary file behind; ignored, the write fails with EFBIG and is reported.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, kill or a closed terminal removes the staged outputs of a build in progress.
  colophon::remove_on_signal();
  // glibc reads the time zone once, on the first call that needs it (libzip's localtime
  // for a ZIP entry's date, strftime); done here, before any thread starts, no two
  // threads can do that first read at once (ThreadSanitizer saw them race in tzset).
  tzset();
  return colophon::run_command_line(argc, argv);
}
