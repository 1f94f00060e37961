#include "process.hpp"

#include <fstream>
#include <sstream>
#include <utility>

namespace pgflip::bench {

namespace {

constexpr milliseconds term_grace{3000};

ProcessSpec spec_for(const Command& command) {
    ProcessSpec spec;
    spec.argv = command.argv;
    spec.env = command.env;
    spec.out = Output::appended_to(command.output);
    spec.err = command.errors.empty() ? Output::with_stdout() : Output::appended_to(command.errors);
    spec.own_group = true;  // the deadline reaches whatever the child started
    spec.term_grace = term_grace;
    return spec;
}

}  // namespace

Result<Child> Child::spawn(const Command& command) {
    auto child = pgflip::Child::spawn(spec_for(command));
    if (!child) return child.take_error();
    return Child(std::move(*child));
}

Result<int> Child::wait(SteadyClock::time_point deadline) {
    const int pid = child_.pid();
    auto result = child_.wait(deadline);
    if (!result) return result.take_error();
    if (result->killed) {
        return make_error(Side::local, "process " + std::to_string(pid) + " ran past its deadline");
    }
    return result->exit_code;
}

Result<int> run(const Command& command, milliseconds timeout) {
    auto child = Child::spawn(command);
    if (!child) return child.take_error();
    return child->wait(SteadyClock::now() + timeout);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Status write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return make_error(Side::local, "cannot write " + path.string());
    return {};
}

}  // namespace pgflip::bench
