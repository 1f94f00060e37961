// Catch-up by sentinel: a row written on the side being left (synchronous_commit on) is the
// last transaction there; apply runs in commit order, so the moment the other side shows it,
// everything acknowledged before it is there too. Polled at about a millisecond.
#pragma once

#include <string>

#include "cutover/clock.hpp"
#include "pg/connection.hpp"

namespace pgflip::cutover {

//! Writes a sentinel row (kind: "catch_up", "probe") on `origin`.
Status write_sentinel(pg::Connection& origin, const std::string& token, const std::string& kind,
                      Deadline deadline);
//! Polls `destination` until the sentinel is there; returns the number of polls.
Result<int> wait_for_sentinel(pg::Connection& destination, const std::string& token, Clock& clock,
                              Deadline deadline);
//! Writes a sentinel and waits for it: the replication round trip, in milliseconds.
Result<double> measure_catch_up(pg::Connection& origin, pg::Connection& destination, Clock& clock,
                                Deadline deadline);

}  // namespace pgflip::cutover
