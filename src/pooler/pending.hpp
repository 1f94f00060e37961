// One admin-console command running on a thread of its own, so that its caller can stop waiting
// for it. Used for PAUSE, which returns only once every server connection is released.
//
// Why a thread and no deadline on the command itself: on PgBouncer 1.18's console a cancel
// request is answered by nothing (the connection hangs) and, whenever a global PAUSE is in
// force, it RESUMEs everything (admin_handle_cancel -> full_resume). pg::Connection cancels a
// query whose deadline expires, so a PAUSE sent with a deadline would, if abandoned, later undo
// the next cutover's PAUSE. The command therefore runs without a deadline and is abandoned
// instead: its thread keeps the connection until PgBouncer answers or closes it.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "pg/connection.hpp"

namespace pgflip::pooler {

class PendingCommand {
  public:
    //! Sends `sql` on `conn` from a new thread.
    PendingCommand(pg::Connection conn, std::string sql);
    PendingCommand(const PendingCommand&) = delete;
    PendingCommand& operator=(const PendingCommand&) = delete;
    //! Waits for a finished command's thread; leaves an unfinished one running (abandon()).
    ~PendingCommand();

    //! True once the command finished, waiting for it until `deadline` at most.
    bool wait(pg::Deadline deadline);
    //! The command's outcome; only after wait() returned true.
    Status result();
    //! The connection back, for the next command; only after wait() returned true.
    pg::Connection take_connection();
    //! Stops caring: the thread finishes on its own whenever PgBouncer answers or closes the
    //! connection, and frees it then.
    void abandon();

  private:
    struct State;
    std::shared_ptr<State> state_;
    std::thread thread_;
};

}  // namespace pgflip::pooler
