#include "config/glob.h"

#include <catch2/catch.hpp>

using namespace pushgate;

namespace {
bool M(const char* pattern, const char* path) {
  auto g = Glob::Compile(pattern);
  REQUIRE(g.ok());
  return g->Matches(path);
}
}  // namespace

TEST_CASE("a pattern without a slash matches the last segment at any depth") {
  CHECK(M("*.tfstate", "prod.tfstate"));
  CHECK(M("*.tfstate", "infra/live/prod.tfstate"));
  CHECK(M(".env", "app/.env"));
  CHECK_FALSE(M(".env", "app/.env.example"));
  CHECK_FALSE(M("*.pem", "a.pem.txt"));
}

TEST_CASE("a pattern with a slash is anchored at the root") {
  CHECK(M("live/prod/**", "live/prod/app/values.yaml"));
  CHECK_FALSE(M("live/prod/**", "live/prod"));
  CHECK_FALSE(M("live/prod/**", "old/live/prod/x"));
  CHECK(M("/docs/*.md", "docs/a.md"));
  CHECK_FALSE(M("docs/*.md", "docs/sub/a.md"));
}

TEST_CASE("double star spans segments, single star does not") {
  CHECK(M("**/*.pem", "key.pem"));
  CHECK(M("**/*.pem", "a/b/c/key.pem"));
  CHECK(M("a/**/b", "a/b"));
  CHECK(M("a/**/b", "a/x/y/b"));
  CHECK_FALSE(M("a/*/b", "a/x/y/b"));
  CHECK(M("refs/heads/release/*", "refs/heads/release/1.0"));
  // As in .gitignore, a pattern that matches a directory covers everything under it.
  CHECK(M("refs/heads/release/*", "refs/heads/release/1.0/hotfix"));
  CHECK_FALSE(M("refs/heads/release/*", "refs/heads/release"));
}

TEST_CASE("classes, question marks, escapes and directories") {
  CHECK(M("file?.txt", "file1.txt"));
  CHECK_FALSE(M("file?.txt", "file/.txt"));
  CHECK(M("[a-c]x", "bx"));
  CHECK_FALSE(M("[!a-c]x", "bx"));
  CHECK(M("build/", "build/out/a.o"));
  CHECK(M("a\\*b", "a*b"));
  CHECK_FALSE(M("a\\*b", "axb"));
  CHECK(M("a+b(c).txt", "a+b(c).txt"));  // regex metacharacters are literal
}

TEST_CASE("bad globs are refused with a reason") {
  CHECK_FALSE(Glob::Compile("").ok());
  auto g = Glob::Compile("[oops");
  REQUIRE_FALSE(g.ok());
  CHECK(g.status().message().find("unclosed") != std::string::npos);
}

TEST_CASE("matching a hostile path is linear") {
  auto g = Glob::Compile("**/a*a*a*a*a*a*a*a*b");
  REQUIRE(g.ok());
  std::string path(200000, 'a');
  CHECK_FALSE(g->Matches(path));
}
