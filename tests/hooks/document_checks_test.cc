// Document rules over pushed Kubernetes manifests (hooks/document_checks.cc), end to end.
#include <catch2/catch.hpp>

#include "tests/support/git_fixture.h"

using pushgate::testing::GitFixture;

namespace {

const char* kConfig = R"(version: 1
policies:
  documents:
    - id: no-latest-image
      paths: ["deploy/**/*.yaml"]
      match: { kind: [Deployment, StatefulSet, DaemonSet] }
      select: spec.template.spec.containers[*].image
      assert: { not_matches: ":latest$|^[^:]+$" }
      message: pin container images to a version
    - id: no-privileged
      paths: ["deploy/**/*.yaml"]
      select: spec.template.spec.containers[*].securityContext.privileged
      assert: { not_equals: true }
      message: privileged containers are forbidden
)";

std::string Deployment(const std::string& image, bool privileged = false) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\n"
         "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
         "      containers:\n        - name: web\n          image: " + image + "\n" +
         (privileged ? "          securityContext: { privileged: true }\n" : "");
}

// A Deployment whose container's securityContext is the given flow mapping.
std::string DeploymentWithSecurityContext(const std::string& security_context) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
         "      containers:\n        - name: web\n          image: nginx:1.25.3\n"
         "          securityContext: " + security_context + "\n";
}

struct Docs : GitFixture {
  Docs() {
    Commit("README.md", "x\n", "initial");
    REQUIRE(Push("origin main").code == 0);
    InstallGate(kConfig);
  }
};

}  // namespace

TEST_CASE("a Deployment with a :latest image is refused naming file and line") {
  Docs d;
  d.Commit("deploy/prod/web.yaml", Deployment("nginx:latest"), "deploy");
  auto r = d.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("document/no-latest-image: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("deploy/prod/web.yaml:14") != std::string::npos);
  CHECK(r.err.find("document 2") != std::string::npos);
  CHECK(r.err.find("nginx:latest") != std::string::npos);
}

TEST_CASE("a pinned image lands and a later fix in the same push is judged by the final version") {
  Docs d;
  d.Commit("deploy/prod/web.yaml", Deployment("nginx"), "untagged first");
  d.Commit("deploy/prod/web.yaml", Deployment("nginx:1.25.3"), "then pinned");
  auto r = d.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
}

TEST_CASE("privileged containers and unparsable manifests are refused") {
  Docs d;
  d.Commit("deploy/x/web.yaml", Deployment("nginx:1.2", true), "privileged");
  auto r = d.Push("origin main");
  CHECK(r.code != 0);
  CHECK(r.err.find("document/no-privileged") != std::string::npos);
  d.Run("git reset -q --hard origin/main");
  d.Commit("deploy/x/broken.yaml", "kind: Deployment\nspec: [unclosed\n", "broken");
  auto b = d.Push("origin main");
  CHECK(b.code != 0);
  CHECK(b.err.find("does not parse") != std::string::npos);
}

TEST_CASE("privileged: true brought in by a YAML merge key is refused") {
  Docs d;
  const std::string before = d.ServerRev("main");
  d.Commit("deploy/x/web.yaml", DeploymentWithSecurityContext("{<<: {privileged: true}}"), "merged privileged");
  auto r = d.Push("origin main");
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(r.err.find("document/no-privileged: refs/heads/main") != std::string::npos);
  CHECK(r.err.find("deploy/x/web.yaml:11") != std::string::npos);
  CHECK(d.ServerRev("main") == before);
}

TEST_CASE("privileged: false brought in by a YAML merge key lands") {
  Docs d;
  d.Commit("deploy/x/web.yaml", DeploymentWithSecurityContext("{<<: {privileged: false}, runAsNonRoot: true}"),
           "merged unprivileged");
  auto r = d.Push("origin main");
  INFO(r.all());
  CHECK(r.code == 0);
}
