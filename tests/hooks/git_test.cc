#include "hooks/git.h"

#include <catch2/catch.hpp>

#include "hooks/repository.h"
#include "tests/support/git_fixture.h"

namespace pushgate {
namespace {

TEST_CASE("ResolveRevision peels a revision to the object type asked for") {
  testing::GitFixture fx;
  fx.Commit("a.txt", "one\n", "first");
  fx.Commit("a.txt", "two\n", "second");
  fx.Run("git tag -a -m release v1 HEAD~1");
  auto repo = Repository::Discover(fx.work());
  REQUIRE(repo.ok());

  auto tip = ResolveRevision(repo->get(), "HEAD", GIT_OBJECT_COMMIT);
  REQUIRE(tip.ok());
  CHECK(OidToHex(*git_object_id(tip->get())) == fx.Run("git rev-parse HEAD").out.substr(0, 40));

  auto tagged = ResolveRevision(repo->get(), "v1", GIT_OBJECT_COMMIT);  // an annotated tag
  REQUIRE(tagged.ok());
  CHECK(OidToHex(*git_object_id(tagged->get())) == fx.Run("git rev-parse HEAD~1").out.substr(0, 40));

  auto tree = ResolveRevision(repo->get(), "HEAD~1", GIT_OBJECT_TREE);
  REQUIRE(tree.ok());
  CHECK(git_object_type(tree->get()) == GIT_OBJECT_TREE);
  CHECK(OidToHex(*git_object_id(tree->get())) == fx.Run("git rev-parse HEAD~1^{tree}").out.substr(0, 40));
}

TEST_CASE("ResolveRevision names the revision it cannot resolve or peel") {
  testing::GitFixture fx;
  fx.Commit("a.txt", "one\n", "first");
  auto repo = Repository::Discover(fx.work());
  REQUIRE(repo.ok());

  auto unknown = ResolveRevision(repo->get(), "no-such-branch", GIT_OBJECT_COMMIT);
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().code() == Status::Code::kNotFound);
  CHECK(unknown.status().message().rfind("unknown revision 'no-such-branch'", 0) == 0);

  auto blob = ResolveRevision(repo->get(), "HEAD:a.txt", GIT_OBJECT_COMMIT);
  REQUIRE(!blob.ok());
  CHECK(blob.status().message().rfind("'HEAD:a.txt' does not name a commit", 0) == 0);

  auto garbage = ResolveRevision(repo->get(), std::string(5000, '^'), GIT_OBJECT_COMMIT);
  CHECK(!garbage.ok());
}

}  // namespace
}  // namespace pushgate
