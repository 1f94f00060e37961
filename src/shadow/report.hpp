// Shadow's findings grouped by query fingerprint: how often each query shape ran, how often blue
// and green agreed, example parameters, and the first difference in full. Differences and
// one-sided errors make shadow exit 1; statements that are not reads are listed as skipped.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

#include "shadow/results.hpp"
#include "shadow/source.hpp"

namespace pgflip::shadow {

//! One query shape.
struct Group {
    std::string fingerprint;
    std::string sql;  //!< the first statement seen with this fingerprint
    long long runs = 0;
    long long equal = 0;
    long long differences = 0;  //!< executions whose verdict is a difference
    long long both_failed = 0;
    long long skipped = 0;
    std::string skip_reason;
    std::map<Verdict, long long> verdicts;
    std::vector<std::string> examples;  //!< parameters ("$1 = '42'") of differing runs first
    bool has_first = false;
    Comparison first;          //!< the first difference
    std::string first_params;  //!< its parameters
    std::string first_origin;  //!< where it came from
};

struct ShadowReport {
    std::string blue_version;
    std::string green_version;
    std::string source;
    long long read = 0;         //!< executions in the source
    long long sampled = 0;      //!< kept by --sample
    long long replayed = 0;     //!< run on both sides
    long long skipped = 0;      //!< refused by the read-only pre-filter
    std::vector<Group> groups;  //!< differences first, then by runs
    double seconds = 0;
};

//! Collects executions into groups (not thread-safe: the caller serializes).
class Collector {
  public:
    explicit Collector(int max_examples) : max_examples_(max_examples) {}
    void skipped(const Execution& e, const std::string& reason);
    void compared(const Execution& e, const Comparison& c);
    //! The groups, differences first, then the most frequent.
    [[nodiscard]] std::vector<Group> groups() const;

  private:
    Group& group_of(const Execution& e);
    void add_example(Group& g, const Execution& e, bool differing) const;

    int max_examples_;
    std::map<std::string, Group> groups_;
};

[[nodiscard]] bool has_differences(const ShadowReport& report);
[[nodiscard]] std::string render_text(const ShadowReport& report);
[[nodiscard]] nlohmann::json to_json(const ShadowReport& report);

}  // namespace pgflip::shadow
