// Work spread over N sessions of one server (foreign keys, ANALYZE): each thread opens its own
// session and takes the next task until none is left or one failed.
#pragma once

#include <cstddef>
#include <functional>

#include "pg/connection.hpp"

namespace pgflip::sync {

using Task = std::function<Status(pg::Connection& conn, size_t index)>;

//! Runs task(conn, i) for every i in [0, count) on up to `jobs` sessions named
//! session_name(info, role); returns the first failure.
Status for_each_parallel(const pg::Conninfo& info, Side side, const std::string& role, int jobs,
                         size_t count, const Task& task);

}  // namespace pgflip::sync
