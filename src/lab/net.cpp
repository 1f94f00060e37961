// Loopback TCP: finding a free port and probing whether a server accepts connections. Readiness
// is probed with a plain connect, so the lab needs no libpq.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

constexpr int probe_timeout_ms = 200;

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

//! Closes the socket when it goes out of scope.
class Socket {
  public:
    Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int fd() const { return fd_; }

  private:
    int fd_;
};

//! Waits for a non-blocking connect to finish; true when it succeeded.
bool connect_finished(int fd) {
    pollfd pfd{fd, POLLOUT, 0};
    if (::poll(&pfd, 1, probe_timeout_ms) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

}  // namespace

int free_port() {
    Socket sock;
    if (sock.fd() < 0) return 0;
    sockaddr_in addr = loopback(0);
    if (::bind(sock.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
    socklen_t len = sizeof addr;
    if (::getsockname(sock.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    return ntohs(addr.sin_port);
}

bool port_accepts(int port) {
    Socket sock;
    if (sock.fd() < 0 || port <= 0) return false;
    const sockaddr_in addr = loopback(port);
    if (::connect(sock.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
        return true;
    }
    return errno == EINPROGRESS && connect_finished(sock.fd());
}

}  // namespace pgflip::lab
