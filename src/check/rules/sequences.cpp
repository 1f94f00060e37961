// Logical replication does not carry sequences; pgflip copies their values at cutover. A
// sequence owned by no column is reported too: it is synced all the same, but it is easy to
// miss in a review of what the application uses.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Finding summary(long long n) {
    return finding(Severity::info, Side::blue, count_of(n, "sequence", "sequences"),
                   "Logical replication does not carry sequence values. pgflip reads every "
                   "sequence on blue during the pause and sets it on green before resuming, "
                   "so nothing is needed from you.");
}

Finding unowned(const Row& r) {
    auto users = json_strings(r.str("default_of"));
    std::string fix = users.size() == 1 ? "-- optional, ties it to the column that uses it:\n"
                                          "ALTER SEQUENCE " +
                                              r.str("qualified") + " OWNED BY " + users[0] + ";"
                                        : "";
    std::string used = users.empty() ? "no column default uses it (the application calls "
                                       "nextval() itself, or it is unused)"
                                     : "it is the default of " + join(users, ", ");
    return finding(Severity::info, Side::blue, "sequence " + r.str("qualified"),
                   "Owned by no column (OWNED BY NONE); " + used +
                       ". pgflip still copies its value to green at cutover.",
                   fix);
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_sequences);
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    if (rows->empty()) return out;
    out.push_back(summary(rows->size()));
    for (const Row& r : rows_of(*rows)) {
        if (!r.flag("owned")) out.push_back(unowned(r));
    }
    return out;
}

}  // namespace

Rule sequences() {
    return {"sequences", "sequences are synced at cutover", run};
}

}  // namespace pgflip::check::rules
