// Progress of the data comparison: a bar on stderr when stdout is a terminal, else one plain log
// line per finished table. Safe to call from every worker.
#pragma once

#include <mutex>
#include <string>

#include "verify/report.hpp"

namespace pgflip::verify {

class Progress {
  public:
    enum class Mode { quiet, lines, bar };

    Progress(Mode mode, long long total_bytes, int total_tables);
    void table_done(const TableResult& result, long long bytes);
    void finish();  //!< clears the bar

    //! "[#######.............]  35%  12/104 tables": the bar's text for a fraction.
    [[nodiscard]] static std::string bar(double fraction, int done, int total, int width = 30);

  private:
    void draw(const std::string& last) const;

    Mode mode_;
    long long total_bytes_;
    int total_tables_;
    long long done_bytes_ = 0;
    int done_tables_ = 0;
    mutable std::mutex mutex_;
};

}  // namespace pgflip::verify
