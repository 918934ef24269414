#pragma once
// Small TCP facts about 127.0.0.1 ports that the local backend checks before
// and after starting a process.
#include <chrono>
#include <functional>
#include <string>

namespace xd {

// Empty when nothing accepts connections on bind:port, else what is wrong.
// Asked by connecting, not by binding: a test bind would trip over the
// TIME_WAIT connections a just-stopped server leaves behind (servers using
// SO_REUSEPORT, like httplib, bind fine over them).
std::string port_unavailable_reason(const std::string& bind, int port);

// A connected blocking TCP socket to host:port, or -1 (errno set).
int connect_tcp(const std::string& host, int port);

// Polls until something accepts connections on host:port; stops early (false)
// when `still_worth_waiting` says the process died, or after `budget`.
bool wait_until_listening(const std::string& host, int port, std::chrono::milliseconds budget,
                          const std::function<bool()>& still_worth_waiting);

// A listening socket on bind:port (SO_REUSEADDR, CLOEXEC), or -1 with `error` set.
int listen_tcp(const std::string& bind, int port, std::string* error);

}  // namespace xd
