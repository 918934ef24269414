#include "move_budget.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using xd::attach_allowance;
using xd::MoveBudget;
using xd::way_back_reserve;

TEST_CASE("move budget: the way back is reserved out of the dark budget") {
  // A 7 s plan and 3 s to the detach: the way back is planned at 1.5 x 10 s + 4 s = 19 s.
  const MoveBudget budget{45s, 7s, 3s};
  CHECK(way_back_reserve(budget) == 19s);
  CHECK(attach_allowance(budget) == 26s);
}

TEST_CASE("move budget: a slow machine still gives the attach a quarter of the budget") {
  const MoveBudget budget{40s, 30s, 10s};  // the way back alone would take 64 s
  CHECK(attach_allowance(budget) == 10s);
}

TEST_CASE("move budget: an instant plan leaves the unseen costs reserved") {
  const MoveBudget budget{45s, 0ms, 0ms};
  CHECK(way_back_reserve(budget) == 4s);
  CHECK(attach_allowance(budget) == 41s);
}
