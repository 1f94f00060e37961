// The few messages of a logical replication stream (pgoutput, protocol version 1) that tell
// which tables changed: XLogData carrying BEGIN (with the commit LSN), INSERT, UPDATE, DELETE,
// TRUNCATE and RELATION messages, and the server's keepalives. Used after a crash to learn which
// tables changed between the lost snapshot and a new one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgflip::sync {

struct StreamMessage {
    enum class Kind { data, keepalive };
    Kind kind = Kind::data;
    std::uint64_t wal_end = 0;          //!< keepalive: how far the server has sent
    bool reply_requested = false;       //!< keepalive: the server wants a status update
    char tag = 0;                       //!< data: pgoutput message type ('B', 'I', ...)
    std::uint64_t final_lsn = 0;        //!< 'B': where the transaction commits
    std::vector<std::uint32_t> relids;  //!< 'I', 'U', 'D', 'R', 'T': the tables concerned
};

//! Parses one CopyData message; nullopt when it is malformed or of another kind.
[[nodiscard]] std::optional<StreamMessage> parse_stream_message(std::string_view data);

//! A standby status update that confirms nothing (the slot does not move) but keeps the
//! walsender from timing the connection out.
[[nodiscard]] std::string status_update(std::uint64_t now_us);

}  // namespace pgflip::sync
