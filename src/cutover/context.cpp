#include "cutover/context.hpp"

#include "catalog/servers.hpp"

namespace pgflip::cutover {

namespace {

Result<Endpoint> endpoint(pg::Connection conn, Side side, std::string database,
                          std::string conninfo, Deadline deadline) {
    auto set = conn.query("SET synchronous_commit = on", deadline);
    if (!set.ok()) return set.take_error();
    Endpoint e;
    e.side = side;
    e.conn.emplace(std::move(conn));
    e.database = std::move(database);
    e.conninfo = std::move(conninfo);
    return e;
}

}  // namespace

Status ensure_connected(Endpoint& e, Deadline deadline) {
    if (e.conn && e.conn->is_ok()) return {};
    auto info = pg::Conninfo::parse(e.conninfo, e.side);
    if (!info.ok()) return info.take_error();
    auto conn = pg::Connection::connect(*info, e.side, deadline);
    if (!conn.ok()) return conn.take_error();
    auto fresh = endpoint(std::move(conn).value(), e.side, e.database, e.conninfo, deadline);
    if (!fresh.ok()) return fresh.take_error();
    e = std::move(fresh).value();
    return {};
}

Result<Endpoints> connect_endpoints(const config::Config& config, Deadline deadline) {
    auto servers = catalog::connect_servers(config, deadline);
    if (!servers.ok()) return servers.take_error();
    auto blue = endpoint(std::move(servers->blue), Side::blue, servers->blue_info.database,
                         config.blue, deadline);
    if (!blue.ok()) return blue.take_error();
    auto green = endpoint(std::move(servers->green), Side::green, servers->green_info.database,
                          config.green, deadline);
    if (!green.ok()) return green.take_error();
    return Endpoints{std::move(blue).value(), std::move(green).value()};
}

Result<std::vector<std::unique_ptr<pooler::Pooler>>> make_poolers(const config::Config& config) {
    std::vector<std::unique_ptr<pooler::Pooler>> out;
    for (const auto& p : config.poolers) {
        auto made = pooler::make_pooler(p);
        if (!made.ok()) return made.take_error();
        out.push_back(std::move(made).value());
    }
    return out;
}

std::unique_ptr<LiveContext> make_context(const config::Config& config, Direction direction,
                                          Endpoints endpoints,
                                          std::vector<std::unique_ptr<pooler::Pooler>> poolers,
                                          FlipState& state, Clock& clock, bool dry_run) {
    auto ctx = std::unique_ptr<LiveContext>(new LiveContext{config,
                                                            direction,
                                                            names_for(config.name, direction),
                                                            {},
                                                            {},
                                                            std::move(poolers),
                                                            {},
                                                            state,
                                                            clock,
                                                            dry_run,
                                                            {}});
    for (const auto& p : config.poolers) ctx->pooler_configs.push_back(&p);
    const bool forward = direction == Direction::cutover;
    ctx->origin = std::move(forward ? endpoints.blue : endpoints.green);
    ctx->dest = std::move(forward ? endpoints.green : endpoints.blue);
    return ctx;
}

void reverse_context(LiveContext& context) {
    context.direction = reverse(context.direction);
    context.names = names_for(context.config.name, context.direction);
    std::swap(context.origin, context.dest);
}

void settle_state(FlipState& state, Side on) {
    if (on == Side::none) return;  // unknown: the next run settles it from the journal
    state.in_progress.reset();
    state.primary = on;
    // The side the application writes to is never fenced; the other keeps its fence.
    state.fences.erase(on);
}

}  // namespace pgflip::cutover
