#include "xdeploy/core/deployment.h"

#include <catch2/catch.hpp>

using namespace xd;

TEST_CASE("the deploy variable is ordered inactive,active") {
  CHECK(Deployment{Color::Green, Color::Blue}.to_deploy_var() == "blue,green");
  CHECK(Deployment{Color::Blue, std::nullopt}.to_deploy_var() == "blue");
  CHECK(Deployment{}.to_deploy_var().empty());
}

TEST_CASE("parse_deploy_var trims, drops empties and keeps the seed's meaning") {
  auto d = parse_deploy_var(" blue , green ,");
  REQUIRE(d);
  CHECK(d->active == Color::Green);
  CHECK(d->inactive == Color::Blue);
  auto single = parse_deploy_var("green");
  REQUIRE(single);
  CHECK(single->active == Color::Green);
  CHECK_FALSE(single->inactive);
  CHECK(parse_deploy_var("")->empty());
}

TEST_CASE("parse_deploy_var rejects unknown colors, duplicates and a third slot") {
  DeployVarError e;
  CHECK_FALSE(parse_deploy_var("blue,purple", &e));
  CHECK(e.reason.find("purple") != std::string::npos);
  CHECK_FALSE(parse_deploy_var("blue,blue", &e));
  CHECK(e.reason.find("twice") != std::string::npos);
  CHECK_FALSE(parse_deploy_var("blue,green,blue", &e));
  CHECK(e.reason.find("more than two") != std::string::npos);
}

TEST_CASE("describe names both slots") {
  CHECK(Deployment{Color::Green, Color::Blue}.describe() == "green active, blue inactive");
  CHECK(Deployment{}.describe() == "nothing deployed");
}
