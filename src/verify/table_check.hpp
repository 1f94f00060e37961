// One table, start to finish: split, pass 1 on both sides at once, drill-down of the buckets that
// disagree, and the details of the rows found (differing columns; values on request).
#pragma once

#include "verify/replication.hpp"
#include "verify/report.hpp"
#include "verify/rows.hpp"
#include "verify/session.hpp"

namespace pgflip::verify {

struct TableOptions {
    DrillOptions drill;
    bool show_values = false;
    int max_rows = 20;  //!< rows detailed per table (all are counted)
};

//! Compares one table; failures end up in the result (status error), never thrown.
[[nodiscard]] TableResult check_table(SessionPair& pair, const TablePair& table,
                                      const Replication& rep, const TableOptions& options);

}  // namespace pgflip::verify
