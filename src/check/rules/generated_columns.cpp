// Generated columns are not replicated: green computes them itself. From PostgreSQL 18 a
// generated column is VIRTUAL unless STORED is written, which changes what hand-written DDL on
// green creates.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Finding on_new_green(const Row& r, int green_major) {
    return finding(
        Severity::warning, Side::green,
        "table " + r.str("qualified") + " columns " + join(json_strings(r.str("columns")), ", "),
        "Green runs PostgreSQL " + std::to_string(green_major) +
            ", where GENERATED ALWAYS AS (...) without STORED creates a VIRTUAL column "
            "(computed on read, not indexable). pgflip's schema copy keeps these stored, "
            "because pg_dump writes STORED; but migrations and DDL replayed by hand on green "
            "must say STORED too, or the column changes kind.",
        "-- in DDL meant for green, always spell the kind out:\n-- ... GENERATED ALWAYS AS "
        "(expression) STORED");
}

Finding on_old_green(const Row& r) {
    return finding(
        Severity::info, Side::green,
        "table " + r.str("qualified") + " columns " + join(json_strings(r.str("columns")), ", "),
        "Generated columns are not replicated; green computes them from the "
        "replicated columns with its own copy of the expression.");
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_generated_columns);
    if (!rows.ok()) return rows.take_error();
    int green_major = ctx.servers.green_info.major();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) {
        out.push_back(green_major >= 18 ? on_new_green(r, green_major) : on_old_green(r));
    }
    return out;
}

}  // namespace

Rule generated_columns() {
    return {"generated-columns", "generated columns keep their meaning on green", run};
}

}  // namespace pgflip::check::rules
