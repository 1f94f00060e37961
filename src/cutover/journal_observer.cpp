#include "cutover/journal_observer.hpp"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cutover/summary.hpp"

namespace pgflip::cutover {

void test_hooks(std::string_view step) {
    const char* exec_at = std::getenv("PGFLIP_TEST_EXEC_AT_STEP");
    const char* command = std::getenv("PGFLIP_TEST_EXEC");
    if (exec_at != nullptr && command != nullptr && step == exec_at) {
        [[maybe_unused]] const int rc = std::system(command);
    }
    const char* kill_at = std::getenv("PGFLIP_TEST_KILL_AT_STEP");
    if (kill_at != nullptr && step == kill_at) ::raise(SIGKILL);
}

void JournalObserver::record(const std::string& event, nlohmann::json fields) {
    fields["run"] = run_;
    fields["op"] = op_;
    // A journal that cannot be written is caught at the start of the run (the flip_start
    // record); during the blackout the flip goes on and the watchdog still hears everything.
    ignore_failure(dir_.record(event, fields));
}

void JournalObserver::tell_watchdog(const std::string& line) {
    if (watchdog_ != nullptr) watchdog_->send(line);
}

void JournalObserver::flip_started(const std::string& run_id, const FlipSettings& settings) {
    run_ = run_id;
    op_ = std::string(to_string(settings.direction));
    record("flip_start",
           {{"from", std::string(to_string(origin(settings.direction)))},
            {"to", std::string(to_string(destination(settings.direction)))},
            {"budget_ms", settings.budget.count()},
            {"drain_ms", settings.drain.count()},
            {"drain_policy",
             settings.drain_policy == config::DrainPolicy::cancel ? "cancel" : "abort"},
            {"dry_run", settings.dry_run}});
    if (log_) std::fprintf(stderr, "pgflip %s %s\n", op_.c_str(), run_.c_str());
}

void JournalObserver::step_started(Step step) {
    record("step_start", {{"step", std::string(to_string(step))}});
    tell_watchdog("start " + std::string(to_string(step)));
    test_hooks(to_string(step));
}

void JournalObserver::step_ended(const StepTiming& timing) {
    nlohmann::json fields = {
        {"step", std::string(to_string(timing.step))}, {"ms", timing.ms}, {"ok", timing.ok}};
    if (!timing.error.empty()) fields["error"] = timing.error;
    if (!timing.detail.empty()) fields["detail"] = timing.detail;
    tell_watchdog("end " + std::string(to_string(timing.step)) + (timing.ok ? " ok" : " fail"));
    record("step_end", fields);
    if (log_) std::fprintf(stderr, "  %s\n", step_line(timing).c_str());
}

void JournalObserver::return_started(const Error& why) {
    record("return_start", {{"reason", why.str()}});
    tell_watchdog("return start");
    test_hooks("return");
    if (log_) std::fprintf(stderr, "  returning to the origin: %s\n", why.str().c_str());
}

void JournalObserver::return_ended(const Status& status, double ms) {
    nlohmann::json fields = {{"ok", status.ok()}, {"ms", ms}};
    if (!status.ok()) fields["error"] = status.error().str();
    tell_watchdog(std::string("return end ") + (status.ok() ? "ok" : "fail"));
    record("return_end", fields);
}

void JournalObserver::flip_ended(const FlipResult& result) {
    nlohmann::json fields = to_json(result);
    fields.erase("run");
    fields.erase("op");
    record("flip_end", fields);
}

}  // namespace pgflip::cutover
