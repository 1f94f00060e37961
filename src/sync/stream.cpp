#include "sync/stream.hpp"

namespace pgflip::sync {

namespace {

//! Big-endian reader over a message; every read fails softly past the end.
class Reader {
  public:
    explicit Reader(std::string_view data) : data_(data) {}
    bool u8(std::uint8_t& out) { return fixed(1, out); }
    bool u32(std::uint32_t& out) { return fixed(4, out); }
    bool u64(std::uint64_t& out) { return fixed(8, out); }
    bool skip(size_t n) {
        if (pos_ + n > data_.size()) return false;
        pos_ += n;
        return true;
    }

  private:
    template <class T>
    bool fixed(size_t n, T& out) {
        if (pos_ + n > data_.size()) return false;
        T v = 0;
        for (size_t i = 0; i < n; ++i) {
            v = static_cast<T>((v << 8) | static_cast<unsigned char>(data_[pos_ + i]));
        }
        out = v;
        pos_ += n;
        return true;
    }
    std::string_view data_;
    size_t pos_ = 0;
};

std::optional<StreamMessage> parse_keepalive(Reader& in) {
    StreamMessage m;
    m.kind = StreamMessage::Kind::keepalive;
    std::uint8_t reply = 0;
    if (!in.u64(m.wal_end) || !in.skip(8) || !in.u8(reply)) return std::nullopt;
    m.reply_requested = reply != 0;
    return m;
}

//! The pgoutput payload of an XLogData message.
std::optional<StreamMessage> parse_payload(Reader& in) {
    StreamMessage m;
    std::uint8_t tag = 0;
    if (!in.u8(tag)) return std::nullopt;
    m.tag = static_cast<char>(tag);
    std::uint32_t relid = 0;
    switch (m.tag) {
        case 'B':
            if (!in.u64(m.final_lsn)) return std::nullopt;
            return m;
        case 'I':
        case 'U':
        case 'D':
        case 'R':
            if (!in.u32(relid)) return std::nullopt;
            m.relids.push_back(relid);
            return m;
        case 'T': {
            std::uint32_t count = 0;
            if (!in.u32(count) || !in.skip(1)) return std::nullopt;
            for (std::uint32_t i = 0; i < count; ++i) {
                if (!in.u32(relid)) return std::nullopt;
                m.relids.push_back(relid);
            }
            return m;
        }
        default:
            return m;  // COMMIT, ORIGIN, TYPE, MESSAGE: nothing to learn
    }
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out += static_cast<char>((v >> shift) & 0xff);
    }
}

}  // namespace

std::optional<StreamMessage> parse_stream_message(std::string_view data) {
    Reader in(data);
    std::uint8_t kind = 0;
    if (!in.u8(kind)) return std::nullopt;
    if (kind == 'k') return parse_keepalive(in);
    if (kind != 'w') return std::nullopt;
    if (!in.skip(24)) return std::nullopt;  // dataStart, walEnd, sendTime
    return parse_payload(in);
}

std::string status_update(std::uint64_t now_us) {
    std::string out = "r";
    put_u64(out, 0);  // written
    put_u64(out, 0);  // flushed: 0 confirms nothing, so the slot stays where it is
    put_u64(out, 0);  // applied
    put_u64(out, now_us);
    out += '\0';
    return out;
}

}  // namespace pgflip::sync
