#include "cutover/session.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/process.hpp"
#include "cutover/journal_observer.hpp"
#include "cutover/summary.hpp"
#include "cutover/watchdog.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kConnectTimeout = milliseconds(30000);
constexpr auto kWatchdogReady = milliseconds(20000);

std::atomic<bool> g_interrupted{false};

void on_interrupt(int /*signal*/) {
    g_interrupted.store(true);
}

//! Ctrl-C (SIGINT) and SIGTERM during a session turn the flip back instead of killing pgflip
//! in the middle of the blackout.
class InterruptGuard {
  public:
    InterruptGuard() {
        g_interrupted.store(false);
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
    ~InterruptGuard() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }

  private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

int lock_holder(const std::filesystem::path& dir) {
    std::ifstream in(dir / "lock");
    int pid = 0;
    in >> pid;
    return pid;
}

FlipSettings settings_for(const config::Config& config, const SessionOptions& options,
                          Direction direction) {
    FlipSettings s;
    s.direction = direction;
    s.budget = milliseconds(options.budget_ms.value_or(config.cutover.budget_ms));
    s.drain = milliseconds(options.drain_timeout_ms.value_or(config.cutover.drain_timeout_ms));
    s.drain_policy = options.drain_policy.value_or(config.cutover.drain_policy);
    s.dry_run = options.dry_run;
    return s;
}

//! The resume step failed: the poolers may still be paused, so the watchdog must stay on.
bool resume_failed(const FlipResult& r) {
    for (const auto& s : r.steps) {
        if (s.step == Step::resume && !s.ok) return true;
    }
    return false;
}

//! Everything one session holds while it flips.
class Session {
  public:
    Session(const config::Config& config, const SessionOptions& options, state::StateDir& dir,
            FlipState& state, SessionReport& report)
        : config_(config),
          options_(options),
          dir_(dir),
          state_(state),
          report_(report),
          observer_(dir, options.log_steps) {}

    void run();

  private:
    Status safety_net(Deadline deadline);
    FlipResult flip(LiveContext& ctx, Direction direction);
    void after_flip(const FlipResult& result);

    const config::Config& config_;
    const SessionOptions& options_;
    state::StateDir& dir_;
    FlipState& state_;
    SessionReport& report_;
    SystemClock clock_;
    JournalObserver observer_;
    std::optional<WatchdogLink> watchdog_;
    Direction direction_ = Direction::cutover;  //!< of the flip running now
};

Status Session::safety_net(Deadline deadline) {
    state_.in_progress = InProgress{observer_.run_id(), direction_};
    PGFLIP_TRY(save_flip_state(dir_, state_));
    auto link = WatchdogLink::start({dir_.path(), options_.global_args},
                                    std::min(deadline, clock_.now() + kWatchdogReady));
    if (!link.ok()) {
        state_.in_progress.reset();
        ignore_failure(save_flip_state(dir_, state_));
        return link.take_error();
    }
    watchdog_.emplace(std::move(link).value());
    observer_.attach(&*watchdog_);
    watchdog_->send("flip " + observer_.run_id() + " " + std::string(to_string(direction_)));
    return {};
}

FlipResult Session::flip(LiveContext& ctx, Direction direction) {
    direction_ = direction;
    LiveOps ops(ctx, [this](Deadline d) { return safety_net(d); });
    FlipResult result = run_flip(ops, clock_, observer_, settings_for(config_, options_, direction),
                                 [] { return g_interrupted.load(); });
    after_flip(result);
    return result;
}

void Session::after_flip(const FlipResult& result) {
    if (!options_.dry_run) {
        // A failed RESUME stays "in progress": the watchdog (or the next run) resumes.
        settle_state(state_, resume_failed(result) ? Side::none : result.on);
        if (Status saved = save_flip_state(dir_, state_); !saved.ok()) {
            report_.error = saved.error();
        }
    }
    if (watchdog_ && result.outcome != Outcome::return_failed && !resume_failed(result)) {
        watchdog_->done();
    }
    observer_.attach(nullptr);
    watchdog_.reset();  // without done(): the watchdog settles what this run could not
}

void Session::run() {
    auto endpoints = connect_endpoints(config_, clock_.now() + kConnectTimeout);
    if (!endpoints.ok()) {
        report_.error = endpoints.take_error();
        return;
    }
    auto poolers = make_poolers(config_);
    if (!poolers.ok()) {
        report_.error = poolers.take_error();
        return;
    }
    auto ctx = make_context(config_, report_.direction, std::move(endpoints).value(),
                            std::move(poolers).value(), state_, clock_, options_.dry_run);
    ctx->record = [this](const std::string& event, const nlohmann::json& fields) {
        nlohmann::json f = fields;
        f["run"] = observer_.run_id();
        ignore_failure(dir_.record(event, f));
    };
    InterruptGuard guard;
    report_.flips.push_back(flip(*ctx, report_.direction));
    const FlipResult& first = report_.flips.back();
    report_.on = first.on;
    report_.ok = first.ok();
    if (first.outcome != Outcome::unhealthy || options_.dry_run || resume_failed(first)) return;
    // Healthy or not, writes may have landed on the destination: back through the way back.
    reverse_context(*ctx);
    report_.flips.push_back(flip(*ctx, reverse(report_.direction)));
    report_.on = report_.flips.back().on;
}

//! An earlier run stopped during a flip and no watchdog settled it: settle it now.
Status settle_interrupted(const config::Config& config, state::StateDir& dir, FlipState& state,
                          SessionReport& report, Clock& clock) {
    auto events = state::read_journal(dir.journal_path());
    if (!events.ok()) return events.take_error();
    const Progress progress = progress_from_journal(*events, state.in_progress->run_id);
    auto settler = Settler::connect(config, state, clock, clock.now() + kConnectTimeout);
    if (!settler.ok()) return settler.take_error();
    report.settled = (*settler)->settle(progress, &dir);
    if (!report.settled->ok) {
        return make_error(Side::local,
                          "could not settle the interrupted flip: " + report.settled->error,
                          "fix what the error names, then run the command again");
    }
    auto fresh = load_flip_state(dir);
    if (!fresh.ok()) return fresh.take_error();
    state = std::move(fresh).value();
    return {};
}

}  // namespace

Result<state::StateDir> open_state_dir(const std::filesystem::path& path, Clock& clock,
                                       milliseconds wait) {
    const auto until = clock.now() + wait;
    for (;;) {
        auto dir = state::StateDir::open(path);
        if (dir.ok()) return dir;
        // Wait while the watchdog settles a killed run, and while the lock file names no live
        // process: the watchdog between its flock and the pid it writes (the file still names
        // the dead run), or a holder that has just let go and exited (the watchdog, done). A
        // live holder that is not the watchdog is a second pgflip: refused at once.
        const int holder = lock_holder(path);
        const bool settling = !process_alive(holder) || holder == live_watchdog_pid(path);
        if (!settling || clock.now() >= until) return dir;
        clock.sleep_for(std::chrono::milliseconds(20));
    }
}

Result<OpenState> open_flip_state(const std::filesystem::path& path, Clock& clock) {
    auto dir = open_state_dir(path, clock);
    if (!dir.ok()) return dir.take_error();
    auto flip = load_flip_state(*dir);
    if (!flip.ok()) return flip.take_error();
    return OpenState{std::move(*dir), std::move(*flip)};
}

SessionReport run_session(const config::Config& config, const SessionOptions& options) {
    SessionReport report;
    report.direction = options.direction;
    SystemClock clock;
    auto opened = open_flip_state(config.state_dir, clock);
    if (!opened.ok()) {
        report.error = opened.take_error();
        return report;
    }
    auto& [dir, state] = *opened;
    if (Status writable =
            dir.record("run_start", {{"op", std::string(to_string(options.direction))},
                                     {"pid", static_cast<int>(::getpid())},
                                     {"dry_run", options.dry_run}});
        !writable.ok()) {
        report.error = writable.take_error();
        return report;
    }
    if (state.in_progress && !options.dry_run) {
        if (Status s = settle_interrupted(config, dir, state, report, clock); !s.ok()) {
            report.error = s.take_error();
            return report;
        }
    }
    if (state.primary == destination(options.direction)) {
        report.on = state.primary;
        report.ok = true;
        report.note = "the application already writes to " + std::string(to_string(state.primary)) +
                      ": nothing to do";
        return report;
    }
    Session session(config, options, dir, state, report);
    session.run();
    return report;
}

nlohmann::json to_json(const SessionReport& report) {
    nlohmann::json flips = nlohmann::json::array();
    for (const auto& f : report.flips) flips.push_back(to_json(f));
    nlohmann::json doc = {{"ok", report.ok},
                          {"op", std::string(to_string(report.direction))},
                          {"on", std::string(to_string(report.on))},
                          {"flips", flips}};
    if (!report.flips.empty()) {
        const auto& first = report.flips.front();
        doc["outcome"] = std::string(to_string(first.outcome));
        doc["blackout_ms"] = first.blackout_ms ? nlohmann::json(*first.blackout_ms) : nullptr;
    }
    if (report.settled) doc["settled"] = report.settled->to_json();
    if (!report.note.empty()) doc["note"] = report.note;
    if (report.error) {
        doc["error"] = {{"side", std::string(to_string(report.error->side))},
                        {"message", report.error->message}};
        if (!report.error->fix.empty()) doc["error"]["fix"] = report.error->fix;
    }
    return doc;
}

std::string render_text(const SessionReport& report) {
    std::string out;
    if (report.settled) out += "an interrupted flip was " + report.settled->summary() + "\n\n";
    if (!report.note.empty()) out += report.note + "\n";
    for (size_t i = 0; i < report.flips.size(); ++i) {
        if (i > 0) out += "\nthe health probe failed, so pgflip went straight back:\n";
        out += render_text(report.flips[i]);
    }
    if (report.error) out += "error: " + report.error->str() + "\n";
    return out;
}

}  // namespace pgflip::cutover
