#pragma once
// Test support (header-only, in no library): a FalconX port that answers from
// a script and records what a trade sent, and the answers FalconX gives.
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "falconx_port.h"

namespace xd::testing {

using xecutor::FalconxResponse;

struct SentToFalconx {
  std::string call;  // "quote" or "execute"
  std::string api;   // "v3" or "v1"
  nlohmann::json body;
  std::chrono::milliseconds timeout{0};
};

class FakeFalconx final : public xecutor::FalconxPort {
 public:
  std::deque<FalconxResponse> quote_answers;  // one per quote call, in order
  std::optional<FalconxResponse> execute_answer;
  std::function<void()> during_call;  // e.g. the clock moves on while FalconX thinks
  std::vector<SentToFalconx> sent;
  std::vector<xecutor::PendingExecute> follow_ups;

  FalconxResponse quote(const std::string& api, const std::string& body,
                        std::chrono::milliseconds timeout) override {
    return call("quote", api, body, timeout);
  }
  FalconxResponse execute(const std::string& api, const std::string& body,
                          std::chrono::milliseconds timeout) override {
    return call("execute", api, body, timeout);
  }
  void follow_up(xecutor::PendingExecute pending) override {
    follow_ups.push_back(std::move(pending));
  }

  // "quote v3", "execute v3", ...: the calls in order.
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (const auto& s : sent) out.push_back(s.call + " " + s.api);
    return out;
  }

 private:
  FalconxResponse call(const std::string& what, const std::string& api, const std::string& body,
                       std::chrono::milliseconds timeout) {
    sent.push_back({what, api, nlohmann::json::parse(body), timeout});
    if (during_call) during_call();
    if (what == "execute") {
      REQUIRE(execute_answer);  // a trade that executes where the test scripted none
      return *execute_answer;
    }
    REQUIRE_FALSE(quote_answers.empty());
    FalconxResponse answer = quote_answers.front();
    quote_answers.pop_front();
    return answer;
  }
};

inline FalconxResponse falconx_answers(long status, const nlohmann::json& body) {
  return {FalconxResponse::Transport::Answered, status, body.dump(), ""};
}

// No answer: NotSent (never left this host), Timeout or Failed (may have arrived).
inline FalconxResponse falconx_silent(FalconxResponse::Transport how) {
  return {how, 0, "", "simulated"};
}

// A successful FalconX quote for 0.1 BTC/USD (prices as decimal strings).
inline nlohmann::json falconx_quote(const nlohmann::json& buy_price,
                                    const nlohmann::json& sell_price, const std::string& t_expiry) {
  return {{"status", "success"},
          {"fx_quote_id", "fxq-1"},
          {"buy_price", buy_price},
          {"sell_price", sell_price},
          {"token_pair", {{"base_token", "BTC"}, {"quote_token", "USD"}}},
          {"quantity_requested", {{"token", "BTC"}, {"value", "0.1"}}},
          {"t_expiry", t_expiry},
          {"is_filled", false},
          {"error", nullptr}};
}

// That quote, executed: filled (or not) on `side` at `price_executed`.
inline nlohmann::json falconx_execution(nlohmann::json quote, bool filled, const std::string& side,
                                        const nlohmann::json& price_executed) {
  quote["is_filled"] = filled;
  if (filled) {
    quote["side_executed"] = side;
    quote["price_executed"] = price_executed;
  }
  return quote;
}

}  // namespace xd::testing
