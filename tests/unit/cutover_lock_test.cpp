// Who may wait for the state directory's lock: a run started right after a kill waits for the
// watchdog settling the dead run, even in the instant the lock file still names the dead run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "common/process.hpp"
#include "cutover/clock.hpp"
#include "cutover/session.hpp"
#include "state/state_dir.hpp"
#include "temp_dir.hpp"

namespace pgflip::cutover {
namespace {

using namespace std::chrono_literals;

class StateLock : public test::TempDirTest {
  protected:
    void SetUp() override {
        TempDirTest::SetUp();
        ProcessSpec spec;
        spec.argv = {"/bin/sleep", "30"};
        auto child = Child::spawn(spec);
        ASSERT_TRUE(child.ok()) << child.error().str();
        watchdog_ = std::move(child).value();
        std::ofstream(dir_ / "watchdog.pid") << watchdog_->pid() << "\n";
    }

    //! Overwrites the pid the lock file names, as the holder's write would.
    void lock_names(int pid) { std::ofstream(dir_ / "lock", std::ios::trunc) << pid << "\n"; }

    //! A pid that named a process which has exited and been reaped.
    static int dead_pid() {
        ProcessSpec spec;
        spec.argv = {"/bin/true"};
        auto child = Child::spawn(spec);
        EXPECT_TRUE(child.ok());
        const int pid = child->pid();
        EXPECT_TRUE(child->wait().ok());
        return pid;
    }

    //! Opens the state directory while `held` is let go on another thread after `before`
    //! runs there (300 ms in); true when the open waited for it instead of refusing.
    template <class Before>
    bool open_while_released(Result<state::StateDir>& held, Before before) {
        std::thread release([&] {
            std::this_thread::sleep_for(300ms);
            before();
            std::this_thread::sleep_for(100ms);
            auto closed = std::move(held).value();
        });
        SystemClock clock;
        auto opened = open_state_dir(dir_, clock, 10s);
        release.join();
        EXPECT_TRUE(opened.ok()) << opened.error().str();
        return opened.ok();
    }

    std::optional<Child> watchdog_;
};

TEST_F(StateLock, WaitsWhileTheLockFileStillNamesTheDeadRun) {
    auto held = state::StateDir::open(dir_);
    ASSERT_TRUE(held.ok());
    lock_names(dead_pid());  // the watchdog has the flock but has not written its pid yet
    EXPECT_TRUE(open_while_released(held, [&] { lock_names(watchdog_->pid()); }));
}

TEST_F(StateLock, WaitsWhenTheWatchdogHasJustFinishedAndExited) {
    auto held = state::StateDir::open(dir_);
    ASSERT_TRUE(held.ok());
    const int gone = dead_pid();
    lock_names(gone);  // the watchdog's own pid, and it has exited: its lock goes with it
    std::ofstream(dir_ / "watchdog.pid", std::ios::trunc) << gone << "\n";
    EXPECT_TRUE(open_while_released(held, [] {}));
}

TEST_F(StateLock, RefusesAtOnceWhenAnotherLivePgflipHoldsIt) {
    auto held = state::StateDir::open(dir_);  // names us: alive and not the watchdog
    ASSERT_TRUE(held.ok());
    SystemClock clock;
    const auto start = std::chrono::steady_clock::now();
    auto opened = open_state_dir(dir_, clock, 10s);
    EXPECT_FALSE(opened.ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_NE(opened.error().str().find("is locked"), std::string::npos) << opened.error().str();
}

TEST(ProcessAlive, ReapedAndMissingProcessesAreDead) {
    EXPECT_TRUE(process_alive(static_cast<int>(::getpid())));
    EXPECT_FALSE(process_alive(0));
    EXPECT_FALSE(process_alive(-1));
}

}  // namespace
}  // namespace pgflip::cutover
