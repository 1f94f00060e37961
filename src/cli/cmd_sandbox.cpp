// pgflip sandbox up|down|status: a local blue + green + PgBouncer to try pgflip on.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "sandbox/sandbox.hpp"

namespace pgflip::cli {

namespace {

nlohmann::json to_json(const sandbox::Description& d) {
    return {
        {"blue", {{"conninfo", d.blue}, {"major", d.blue_major}, {"running", d.blue_running}}},
        {"green", {{"conninfo", d.green}, {"major", d.green_major}, {"running", d.green_running}}},
        {"pooler",
         {{"admin", d.pooler_admin},
          {"application", d.app_through_pooler},
          {"running", d.pooler_running}}},
        {"load_running", d.load_running},
        {"config", d.config.string()}};
}

void print_human(const sandbox::Description& d) {
    auto state = [](bool running) { return running ? "running" : "stopped"; };
    std::printf("blue   (PostgreSQL %d, %s): %s\n", d.blue_major, state(d.blue_running),
                d.blue.c_str());
    std::printf("green  (PostgreSQL %d, %s): %s\n", d.green_major, state(d.green_running),
                d.green.c_str());
    std::printf("pooler (PgBouncer, %s):     %s\n", state(d.pooler_running),
                d.app_through_pooler.c_str());
    std::printf("pooler admin console:        %s\n", d.pooler_admin.c_str());
    std::printf("write load through pooler:   %s\n", d.load_running ? "running" : "off");
    std::printf("configuration:               %s\n", d.config.c_str());
    std::printf("\nnext: pgflip --config %s check\n", d.config.c_str());
}

}  // namespace

int run_sandbox(const GlobalOptions& global, const SandboxOptions& options) {
    if (options.action == "down") {
        Status s = sandbox::down(options.dir);
        if (!s.ok()) return report_error(s.error(), global.json);
        if (global.json) {
            print_json({{"ok", true}});
        } else {
            std::printf("sandbox in %s stopped and removed\n", options.dir.c_str());
        }
        return kOk;
    }
    Result<sandbox::Description> d = [&] {
        if (options.action == "status") return sandbox::status(options.dir);
        sandbox::Options o;
        o.dir = options.dir;
        o.blue_major = options.blue_major;
        o.green_major = options.green_major;
        o.load_clients = options.load_clients;
        return sandbox::up(o);
    }();
    if (!d.ok()) return report_error(d.error(), global.json);
    if (global.json) {
        print_json(to_json(*d));
    } else {
        print_human(*d);
    }
    return kOk;
}

}  // namespace pgflip::cli
