// Passwords for the roles of lab clusters (benches, `pgflip sandbox`).
#include <random>

#include "lab/lab.hpp"

namespace pgflip::lab {

std::string random_password() {
    static const char kChars[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::random_device rd;
    std::string out;
    for (int i = 0; i < 24; ++i) out += kChars[rd() % (sizeof kChars - 1)];
    return out;
}

}  // namespace pgflip::lab
