// The process helper against real programs (/bin/sh, sleep, cat): no server needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/process.hpp"
#include "temp_dir.hpp"

using namespace pgflip;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

namespace {

ProcessSpec shell(const std::string& command) {
    ProcessSpec spec;
    spec.argv = shell_argv(command);
    return spec;
}

ProcessResult run_ok(const ProcessSpec& spec, milliseconds timeout = milliseconds(10000)) {
    auto result = run_process(spec, ProcessClock::now() + timeout);
    if (!result) throw std::runtime_error(result.error().str());
    return std::move(*result);
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool process_gone(int pid) {
    for (int i = 0; i < 200; ++i) {
        if (!process_alive(pid)) return true;  // dead or a zombie pid 1 may never reap
        std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
}

std::vector<int> read_pids(const fs::path& path) {
    std::vector<int> pids;
    std::istringstream in(slurp(path));
    for (int pid = 0; in >> pid;) pids.push_back(pid);
    return pids;
}

using ProcessTest = pgflip::test::TempDirTest;

}  // namespace

TEST_F(ProcessTest, ReturnsTheExitCode) {
    const auto r = run_ok(shell("exit 3"));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.signal, 0);
    EXPECT_FALSE(r.killed);
    EXPECT_EQ(run_ok(shell("true")).exit_code, 0);
}

TEST_F(ProcessTest, ASignalGivesExitCode128PlusIt) {
    const auto r = run_ok(shell("kill -KILL $$"));
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_EQ(r.exit_code, 128 + SIGKILL);
    EXPECT_FALSE(r.killed);  // the deadline did not do it
}

TEST_F(ProcessTest, AProgramThatCannotRunIsAnError) {
    ProcessSpec spec;
    spec.argv = {"/nonexistent/program", "--flag"};
    const auto r = run_process(spec);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("/nonexistent/program"), std::string::npos);
    EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().str();
    ProcessSpec empty;
    EXPECT_FALSE(run_process(empty).ok());
}

TEST_F(ProcessTest, CapturesStdoutAndStderrApart) {
    auto spec = shell("echo out; echo err >&2; echo more");
    spec.out = Output::captured();
    spec.err = Output::captured();
    const auto r = run_ok(spec);
    EXPECT_EQ(r.out, "out\nmore\n");
    EXPECT_EQ(r.err, "err\n");
}

TEST_F(ProcessTest, DiscardsWhatIsNotCaptured) {
    auto spec = shell("echo out; echo err >&2");
    spec.err = Output::captured();
    const auto r = run_ok(spec);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "err\n");
}

TEST_F(ProcessTest, KeepsOnlyTheLastBytesWhenAsked) {
    auto spec = shell("printf abcdefghij");
    spec.out = Output::captured(4);
    EXPECT_EQ(run_ok(spec).out, "ghij");
}

TEST_F(ProcessTest, CapturesMoreThanAPipeHolds) {
    auto spec = shell("head -c 1000000 /dev/zero; head -c 300000 /dev/zero >&2");
    spec.out = Output::captured();
    spec.err = Output::captured();
    const auto r = run_ok(spec);
    EXPECT_EQ(r.out.size(), 1000000U);
    EXPECT_EQ(r.err.size(), 300000U);
}

TEST_F(ProcessTest, MergesStderrIntoStdoutInOrder) {
    auto spec = shell("echo a; echo b >&2; echo c");
    spec.out = Output::captured();
    spec.err = Output::with_stdout();
    const auto r = run_ok(spec);
    EXPECT_EQ(r.out, "a\nb\nc\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(ProcessTest, StdoutCannotBeMergedIntoItself) {
    auto spec = shell("true");
    spec.out = Output::with_stdout();
    EXPECT_FALSE(run_process(spec).ok());
}

TEST_F(ProcessTest, AddsAndReplacesEnvironmentVariables) {
    ::setenv("PGFLIP_PROCESS_TEST_KEPT", "kept", 1);
    ::setenv("PGFLIP_PROCESS_TEST_REPLACED", "old", 1);
    auto spec = shell(
        "printf '%s|%s|%s|' \"$PGFLIP_PROCESS_TEST_KEPT\" \"$PGFLIP_PROCESS_TEST_REPLACED\" "
        "\"$PGFLIP_PROCESS_TEST_ADDED\"; env | grep -c '^PGFLIP_PROCESS_TEST_REPLACED='");
    spec.env = {{"PGFLIP_PROCESS_TEST_REPLACED", "new"}, {"PGFLIP_PROCESS_TEST_ADDED", "a b"}};
    spec.out = Output::captured();
    const auto r = run_ok(spec);
    ::unsetenv("PGFLIP_PROCESS_TEST_KEPT");
    ::unsetenv("PGFLIP_PROCESS_TEST_REPLACED");
    EXPECT_EQ(r.out, "kept|new|a b|1\n");
}

TEST_F(ProcessTest, StdinIsDevNull) {
    ProcessSpec spec;
    spec.argv = {"/bin/cat"};
    spec.out = Output::captured();
    const auto r = run_ok(spec, milliseconds(5000));
    EXPECT_FALSE(r.killed);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
}

TEST_F(ProcessTest, AppendsOutputToAFile) {
    const fs::path log = dir_ / "child.log";
    std::ofstream(log) << "first\n";
    auto spec = shell("echo second; echo third >&2");
    spec.out = Output::appended_to(log);
    spec.err = Output::with_stdout();
    EXPECT_EQ(run_ok(spec).exit_code, 0);
    EXPECT_EQ(slurp(log), "first\nsecond\nthird\n");
}

TEST_F(ProcessTest, SendsStderrToAFileOfItsOwn) {
    const fs::path out = dir_ / "out.log";
    const fs::path err = dir_ / "err.log";
    auto spec = shell("echo to-out; echo to-err >&2");
    spec.out = Output::appended_to(out);
    spec.err = Output::appended_to(err);
    EXPECT_EQ(run_ok(spec).exit_code, 0);
    EXPECT_EQ(slurp(out), "to-out\n");
    EXPECT_EQ(slurp(err), "to-err\n");
}

TEST_F(ProcessTest, AFileThatCannotBeOpenedIsAnError) {
    auto spec = shell("true");
    spec.out = Output::appended_to(dir_ / "missing" / "child.log");
    const auto r = run_process(spec);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("could not open"), std::string::npos) << r.error().str();
}

TEST_F(ProcessTest, KillsTheWholeProcessGroupAtTheDeadline) {
    const fs::path pids = dir_ / "pids";
    auto spec = shell("sleep 30 & echo $! > " + pids.string() + "; sleep 30 & echo $! >> " +
                      pids.string() + "; wait");
    spec.own_group = true;
    const auto t0 = ProcessClock::now();
    const auto r = run_ok(spec, milliseconds(500));
    const auto took = ProcessClock::now() - t0;
    EXPECT_TRUE(r.killed);
    EXPECT_EQ(r.exit_code, 128 + SIGKILL);
    EXPECT_GE(took, milliseconds(500));
    EXPECT_LT(took, milliseconds(3000));
    const auto sleepers = read_pids(pids);
    ASSERT_EQ(sleepers.size(), 2U) << slurp(pids);
    for (const int pid : sleepers) EXPECT_TRUE(process_gone(pid)) << "pid " << pid;
}

TEST_F(ProcessTest, TheGraceLetsTheChildCleanUpAfterSigterm) {
    auto spec = shell("trap 'echo cleaned; exit 5' TERM; while :; do sleep 0.05; done");
    spec.own_group = true;
    spec.term_grace = milliseconds(5000);
    spec.out = Output::captured();
    const auto t0 = ProcessClock::now();
    const auto r = run_ok(spec, milliseconds(200));
    EXPECT_TRUE(r.killed);
    EXPECT_EQ(r.exit_code, 5);
    EXPECT_EQ(r.out, "cleaned\n");
    EXPECT_LT(ProcessClock::now() - t0, milliseconds(4000));  // it did not wait the whole grace
}

TEST_F(ProcessTest, DestroyingARunningChildKillsIt) {
    ProcessSpec spec;
    spec.argv = {"/bin/sleep", "30"};
    int pid = 0;
    {
        auto child = Child::spawn(spec);
        ASSERT_TRUE(child.ok()) << child.error().str();
        pid = child->pid();
        ASSERT_GT(pid, 0);
        EXPECT_TRUE(process_alive(pid));
    }
    EXPECT_FALSE(process_alive(pid));
}

TEST_F(ProcessTest, AReleasedChildRunsOnInASessionOfItsOwn) {
    ProcessSpec spec;
    spec.argv = {"/bin/sleep", "30"};
    spec.own_session = true;
    int pid = 0;
    {
        auto child = Child::spawn(spec);
        ASSERT_TRUE(child.ok()) << child.error().str();
        pid = child->release();
        EXPECT_EQ(child->pid(), 0);
        EXPECT_EQ(child->release(), 0);
    }
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_alive(pid));
    EXPECT_EQ(::getsid(pid), pid);
    EXPECT_EQ(::getpgid(pid), pid);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);  // still our child: reap it here
}

TEST_F(ProcessTest, ASessionOfItsOwnIsKilledWholeAtTheDeadline) {
    const fs::path pids = dir_ / "pids";
    auto spec = shell("sleep 30 & echo $! > " + pids.string() + "; wait");
    spec.own_session = true;
    const auto r = run_ok(spec, milliseconds(300));
    EXPECT_TRUE(r.killed);
    const auto sleepers = read_pids(pids);
    ASSERT_EQ(sleepers.size(), 1U) << slurp(pids);
    EXPECT_TRUE(process_gone(sleepers[0]));
}

TEST_F(ProcessTest, WaitingTwiceIsAnError) {
    auto child = Child::spawn(shell("true"));
    ASSERT_TRUE(child.ok()) << child.error().str();
    ASSERT_TRUE(child->wait().ok());
    EXPECT_EQ(child->pid(), 0);
    EXPECT_FALSE(child->wait().ok());
}

TEST_F(ProcessTest, RunsInTheWorkingDirectoryGiven) {
    auto spec = shell("pwd");
    spec.cwd = dir_;
    spec.out = Output::captured();
    EXPECT_EQ(run_ok(spec).out, fs::canonical(dir_).string() + "\n");
}

TEST_F(ProcessTest, RunsAsAnotherUserWhenRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "changing the user needs root";
    ProcessSpec spec;
    spec.argv = {"/usr/bin/id", "-u"};
    spec.user = ProcessUser{65534, 65534};
    spec.cwd = "/";
    spec.out = Output::captured();
    EXPECT_EQ(run_ok(spec).out, "65534\n");
}
