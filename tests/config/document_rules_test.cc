#include "config/document_rules.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "base/files.h"

using namespace pushgate;

namespace {

std::string Fixture(const std::string& name) {
  auto text = ReadFile(std::string(PUSHGATE_SOURCE_DIR) + "/tests/config/fixtures/" + name);
  REQUIRE(text.ok());
  return *text;
}

// 1-based line of the first line of `text` containing `needle`, at or after line `from`.
int LineOf(const std::string& text, const std::string& needle, int from = 1) {
  int n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    ++n;
    if (n >= from && text.substr(pos, nl - pos).find(needle) != std::string::npos) return n;
    pos = nl + 1;
  }
  FAIL("no line containing '" << needle << "'");
  return 0;
}

DocumentRule Rule(const std::string& yaml) {
  auto rule = ParseDocumentRule(YAML::Load(yaml), "pushgate.yaml");
  INFO(rule.status().ToString());
  REQUIRE(rule.ok());
  return std::move(*rule);
}

std::vector<DocumentViolation> Eval(const std::string& rule_yaml, const std::string& content,
                                    const DocumentLimits& limits = {}) {
  return EvaluateDocumentRules({Rule(rule_yaml)}, "file.yaml", content, limits);
}

Status RuleError(const std::string& yaml) {
  auto rule = ParseDocumentRule(YAML::Load(yaml), "pushgate.yaml");
  REQUIRE_FALSE(rule.ok());
  return rule.status();
}

const char kDeploymentMatch[] = "match: { kind: [Deployment, StatefulSet, DaemonSet] }\n";

}  // namespace

// ---------------------------------------------------------------- selectors and quantities

TEST_CASE("selectors: keys, indexes, wildcards and quoted keys") {
  auto s = ParseSelector("spec.template.spec.containers[*].image");
  REQUIRE(s.ok());
  REQUIRE(s->steps.size() == 6);
  CHECK(s->steps[4].kind == SelectorStep::Kind::kAll);
  CHECK(s->steps[5].key == "image");

  auto q = ParseSelector("metadata.labels[\"app.kubernetes.io/name\"]");
  REQUIRE(q.ok());
  REQUIRE(q->steps.size() == 3);
  CHECK(q->steps[2].key == "app.kubernetes.io/name");
  CHECK(FormatSelector(q->steps) == "metadata.labels[\"app.kubernetes.io/name\"]");

  auto i = ParseSelector("items[-1]['a b'][0]");
  REQUIRE(i.ok());
  CHECK(i->steps[1].index == -1);
  CHECK(i->steps[2].key == "a b");
  CHECK(i->steps[3].index == 0);
  CHECK(ParseSelector("[*].x")->steps.size() == 2);

  for (const char* bad : {"", "a..b", "a.", ".a", "a[", "a[x]", "a[\"x]", "a]b", "a[*]b", "a[1.5]", "a[99999999999]"}) {
    INFO(bad);
    CHECK_FALSE(ParseSelector(bad).ok());
  }
}

TEST_CASE("quantities: numbers, SI and binary suffixes, exponents") {
  CHECK(*ParseQuantity("500m") == Approx(0.5));
  CHECK(*ParseQuantity("2") == 2);
  CHECK(*ParseQuantity("1.5") == 1.5);
  CHECK(*ParseQuantity("2Gi") == 2147483648.0);
  CHECK(*ParseQuantity("256Mi") == 268435456.0);
  CHECK(*ParseQuantity("1k") == 1000);
  CHECK(*ParseQuantity("1M") == 1e6);
  CHECK(*ParseQuantity("1E") == 1e18);
  CHECK(*ParseQuantity("1e3") == 1000);
  CHECK(*ParseQuantity("-1") == -1);
  CHECK(*ParseQuantity("100u") == Approx(1e-4));
  CHECK(*ParseQuantity(" 4 ") == 4);
  CHECK(*ParseQuantity("2Gi") > *ParseQuantity("2G"));
  for (const char* bad : {"", "abc", "Gi", "2GB", "0x10", "inf", "nan", "1e", "1.2.3", "2 Gi"}) {
    INFO(bad);
    CHECK_FALSE(ParseQuantity(bad).has_value());
  }
}

// ---------------------------------------------------------------- rule parsing

TEST_CASE("a rule parses with every field") {
  DocumentRule r = Rule(
      "id: no-latest-image\n"
      "paths: [\"deploy/**/*.yaml\", \"k8s/**\"]\n"
      "match: { kind: [Deployment, StatefulSet], apiVersion: apps/v1 }\n"
      "select: spec.template.spec.containers[*].image\n"
      "assert: { not_matches: \":latest$|^[^:]+$\", exists: true }\n"
      "message: pin container images to a version\n");
  CHECK(r.id == "no-latest-image");
  CHECK(r.paths == std::vector<std::string>{"deploy/**/*.yaml", "k8s/**"});
  CHECK(r.match.at("kind") == std::vector<std::string>{"Deployment", "StatefulSet"});
  CHECK(r.match.at("apiVersion") == std::vector<std::string>{"apps/v1"});
  CHECK(r.conditions.size() == 2);
  CHECK(r.select == "spec.template.spec.containers[*].image");
  CHECK(r.assertions.exists == true);
  CHECK(r.assertions.not_matches == ":latest$|^[^:]+$");
  CHECK(r.message == "pin container images to a version");
  CHECK(r.line == 1);
}

TEST_CASE("rule errors name the file, the line and the key") {
  CHECK(RuleError("paths: [a]\nselect: x\nassert: {exists: true}\n").message() == "pushgate.yaml:1: id: a rule id is required");
  CHECK(RuleError("id: r\npaths: [a]\nselect: x\nassert: {exists: true}\nmesage: typo\n").message() ==
        "pushgate.yaml:5: mesage: unknown key (known keys: id, paths, match, select, assert, message)");
  CHECK(RuleError("id: r\npaths: [a]\nselect: a..b\nassert: {exists: true}\n").message().rfind("pushgate.yaml:3: select: ", 0) == 0);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert:\n  matches: \"(unclosed\"\n").message().rfind(
            "pushgate.yaml:5: assert.matches: invalid regular expression", 0) == 0);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert:\n  max: lots\n").message().rfind("pushgate.yaml:5: assert.max: ", 0) == 0);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert:\n  bigger: 3\n").message().rfind("pushgate.yaml:5: assert.bigger: unknown assertion", 0) == 0);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert: {}\n").message().rfind("pushgate.yaml:4: assert: ", 0) == 0);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert: {exists: maybe}\n").message().find("assert.exists: expected true or false") != std::string::npos);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert: {absent: true, equals: 3}\n").message().find("cannot be checked further") != std::string::npos);
  CHECK(RuleError("id: r\npaths: [a]\nselect: a\nassert: {in: []}\n").message().find("assert.in: ") != std::string::npos);
  CHECK(RuleError("id: 'bad id'\npaths: [a]\nselect: a\nassert: {exists: true}\n").message().find("id: expected a name") != std::string::npos);
  CHECK(RuleError("id: r\nselect: a\nassert: {exists: true}\n").message().find("paths: ") != std::string::npos);
  CHECK(RuleError("id: r\npaths: [a]\nmatch: [kind]\nselect: a\nassert: {exists: true}\n").message().find("pushgate.yaml:3: match: ") == 0);
  CHECK(RuleError("- not a mapping\n").message().find("document rule: expected a mapping") != std::string::npos);
}

// ---------------------------------------------------------------- Kubernetes manifests

TEST_CASE("Kubernetes: :latest and untagged images, with document index and line") {
  const std::string text = Fixture("k8s-deployments.yaml");
  auto v = EvaluateDocumentRules({Rule(std::string("id: no-latest-image\npaths: [\"**\"]\n") + kDeploymentMatch +
                                       "select: spec.template.spec.containers[*].image\n"
                                       "assert: { not_matches: \":latest$|^[^:]+$\" }\n"
                                       "message: pin container images to a version\n")},
                                 "deploy/app.yaml", text);
  REQUIRE(v.size() == 2);
  CHECK(v[0].rule_id == "no-latest-image");
  CHECK(v[0].document_index == 2);
  CHECK(v[0].selector == "spec.template.spec.containers[0].image");
  CHECK(v[0].value == "nginx:latest");
  CHECK(v[0].line == LineOf(text, "image: nginx:latest"));
  CHECK(v[0].message ==
        "pin container images to a version: spec.template.spec.containers[0].image is \"nginx:latest\", which matches "
        "/:latest$|^[^:]+$/");
  CHECK(v[1].document_index == 2);
  CHECK(v[1].selector == "spec.template.spec.containers[1].image");
  CHECK(v[1].value == "busybox");
  CHECK(v[1].line == LineOf(text, "image: busybox"));
}

TEST_CASE("Kubernetes: resource limits are required per container, and a missing list is reported") {
  const std::string text = Fixture("k8s-deployments.yaml");
  auto v = EvaluateDocumentRules({Rule(std::string("id: limits\npaths: [\"**\"]\n") + kDeploymentMatch +
                                       "select: spec.template.spec.containers[*].resources.limits.cpu\n"
                                       "assert: { exists: true }\n")},
                                 "deploy/app.yaml", text);
  REQUIRE(v.size() == 2);
  CHECK(v[0].document_index == 2);
  CHECK(v[0].selector == "spec.template.spec.containers[1].resources.limits.cpu");
  CHECK(v[0].line == LineOf(text, "resources: {}"));
  CHECK(v[0].value.empty());
  CHECK(v[0].message == "spec.template.spec.containers[1].resources.limits.cpu is absent");
  // The DaemonSet has no containers list at all.
  CHECK(v[1].document_index == 3);
  CHECK(v[1].selector == "spec.template.spec.containers[*].resources.limits.cpu");
  CHECK(v[1].line == LineOf(text, "spec: {}"));
}

TEST_CASE("Kubernetes: an empty containers list selects nothing") {
  auto v = Eval(std::string("id: limits\npaths: [a]\nselect: spec.containers[*].resources.limits.cpu\nassert: {exists: true}\n"),
                "kind: Pod\nspec:\n  containers: []\n");
  CHECK(v.empty());
  // An explicit null is absent.
  auto null_list = Eval(std::string("id: limits\npaths: [a]\nselect: spec.containers[*].image\nassert: {exists: true}\n"),
                        "kind: Pod\nspec:\n  containers:\n");
  REQUIRE(null_list.size() == 1);
  CHECK(null_list[0].selector == "spec.containers[*].image");
}

TEST_CASE("Kubernetes: privileged containers and host networking are refused") {
  const std::string text = Fixture("k8s-deployments.yaml");
  std::vector<DocumentRule> rules = {
      Rule(std::string("id: no-privileged\npaths: [\"**\"]\n") + kDeploymentMatch +
           "select: spec.template.spec.containers[*].securityContext.privileged\nassert: { not_equals: true }\n"
           "message: privileged containers are forbidden\n"),
      Rule(std::string("id: no-host-network\npaths: [\"**\"]\n") + kDeploymentMatch +
           "select: spec.template.spec.hostNetwork\nassert: { equals: false }\n")};
  auto v = EvaluateDocumentRules(rules, "deploy/app.yaml", text);
  REQUIRE(v.size() == 2);
  CHECK(v[0].rule_id == "no-privileged");
  CHECK(v[0].document_index == 2);
  CHECK(v[0].selector == "spec.template.spec.containers[0].securityContext.privileged");
  CHECK(v[0].line == LineOf(text, "privileged: true"));
  CHECK(v[0].value == "true");
  CHECK(v[1].rule_id == "no-host-network");
  CHECK(v[1].line == LineOf(text, "hostNetwork: true"));
  CHECK(v[1].message == "spec.template.spec.hostNetwork is \"true\", expected false");

  // YAML 1.1 spellings that Kubernetes reads as true do not slip through.
  for (const char* spelling : {"yes", "True", "on", "Y"}) {
    INFO(spelling);
    auto y = EvaluateDocumentRules({rules[0]}, "a.yaml",
                                   std::string("kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
                                               "        - securityContext:\n            privileged: ") + spelling + "\n");
    CHECK(y.size() == 1);
  }
  // A quoted "true" is a string, which Kubernetes rejects; the rule does not claim it is true.
  CHECK(EvaluateDocumentRules({rules[0]}, "a.yaml",
                              "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
                              "        - securityContext:\n            privileged: \"yes\"\n")
            .empty());
}

TEST_CASE("Kubernetes: runAsNonRoot must be present and true") {
  const std::string text = Fixture("k8s-deployments.yaml");
  auto v = EvaluateDocumentRules({Rule(std::string("id: non-root\npaths: [\"**\"]\n") + kDeploymentMatch +
                                       "select: spec.template.spec.securityContext.runAsNonRoot\n"
                                       "assert: { exists: true, equals: true }\n")},
                                 "deploy/app.yaml", text);
  REQUIRE(v.size() == 2);
  CHECK(v[0].document_index == 2);
  CHECK(v[0].line == LineOf(text, "hostNetwork: true"));  // the pod spec that lacks it starts there
  CHECK(v[1].document_index == 3);
  auto explicit_false = Eval("id: non-root\npaths: [a]\nselect: spec.securityContext.runAsNonRoot\nassert: {exists: true, equals: true}\n",
                             "spec:\n  securityContext:\n    runAsNonRoot: false\n");
  REQUIRE(explicit_false.size() == 1);
  CHECK(explicit_false[0].line == 3);
  CHECK(explicit_false[0].message == "spec.securityContext.runAsNonRoot is \"false\", expected true");
}

TEST_CASE("Kubernetes: max and min over quantities and numbers") {
  const std::string text = Fixture("k8s-deployments.yaml");
  std::vector<DocumentRule> rules = {
      Rule(std::string("id: max-cpu\npaths: [\"**\"]\n") + kDeploymentMatch +
           "select: spec.template.spec.containers[*].resources.limits.cpu\nassert: { max: 2 }\n"),
      Rule(std::string("id: max-memory\npaths: [\"**\"]\n") + kDeploymentMatch +
           "select: spec.template.spec.containers[*].resources.limits.memory\nassert: { max: 4Gi }\n"),
      Rule(std::string("id: replicas\npaths: [\"**\"]\n") + kDeploymentMatch + "select: spec.replicas\nassert: { min: 1, max: 10 }\n")};
  auto v = EvaluateDocumentRules(rules, "deploy/app.yaml", text);
  REQUIRE(v.size() == 3);
  CHECK(v[0].rule_id == "max-cpu");
  CHECK(v[0].value == "4");
  CHECK(v[0].line == LineOf(text, "cpu: \"4\""));
  CHECK(v[0].message == "spec.template.spec.containers[0].resources.limits.cpu is \"4\", above the maximum 2");
  CHECK(v[1].rule_id == "max-memory");
  CHECK(v[1].value == "8Gi");
  CHECK(v[2].rule_id == "replicas");
  CHECK(v[2].value == "40");
  CHECK(v[2].document_index == 2);
}

TEST_CASE("match restricts a rule to documents whose field has one of the values") {
  const std::string text = Fixture("k8s-deployments.yaml");
  auto services = EvaluateDocumentRules(
      {Rule("id: svc\npaths: [a]\nmatch: { kind: Service }\nselect: spec.ports[*].port\nassert: { in: [443] }\n")}, "a.yaml", text);
  REQUIRE(services.size() == 1);
  CHECK(services[0].document_index == 0);
  CHECK(services[0].message == "spec.ports[0].port is \"80\", not one of [443]");
  // Conditions may use selectors; all of them must hold.
  auto named = EvaluateDocumentRules({Rule("id: labels\npaths: [a]\nmatch: { kind: Deployment, metadata.name: [good, bad] }\n"
                                           "select: metadata.labels[\"app.kubernetes.io/name\"]\nassert: { exists: true }\n")},
                                     "a.yaml", text);
  REQUIRE(named.size() == 1);
  CHECK(named[0].document_index == 2);
  CHECK(named[0].selector == "metadata.labels[\"app.kubernetes.io/name\"]");
}

// ---------------------------------------------------------------- every assertion kind

TEST_CASE("assertions: exists and absent") {
  const std::string doc = "a:\n  b: 1\n  n: ~\n";
  CHECK(Eval("id: r\npaths: [a]\nselect: a.b\nassert: {exists: true}\n", doc).empty());
  CHECK(Eval("id: r\npaths: [a]\nselect: a.c\nassert: {exists: true}\n", doc).size() == 1);
  CHECK(Eval("id: r\npaths: [a]\nselect: a.n\nassert: {exists: true}\n", doc).size() == 1);
  CHECK(Eval("id: r\npaths: [a]\nselect: a.b\nassert: {absent: true}\n", doc).size() == 1);
  CHECK(Eval("id: r\npaths: [a]\nselect: a.b\nassert: {exists: false}\n", doc)[0].message == "a.b is present (\"1\")");
  CHECK(Eval("id: r\npaths: [a]\nselect: a.c\nassert: {absent: true}\n", doc).empty());
  CHECK(Eval("id: r\npaths: [a]\nselect: a.b\nassert: {absent: false}\n", doc).empty());
}

TEST_CASE("assertions: equals and not_equals compare as YAML readers do") {
  const std::string doc = "i: 1\nf: 1.0\nb: True\ns: \"true\"\nt: text\nm: {x: 1}\n";
  auto n = [&](const std::string& select, const std::string& assert_yaml) {
    return Eval("id: r\npaths: [a]\nselect: " + select + "\nassert: " + assert_yaml + "\n", doc).size();
  };
  CHECK(n("i", "{equals: 1}") == 0);
  CHECK(n("f", "{equals: 1}") == 0);
  CHECK(n("i", "{equals: 2}") == 1);
  CHECK(n("b", "{equals: true}") == 0);
  CHECK(n("s", "{equals: \"true\"}") == 0);
  CHECK(n("s", "{equals: \"True\"}") == 1);  // quoted: compared as text
  CHECK(n("t", "{equals: text}") == 0);
  CHECK(n("m", "{equals: x}") == 1);
  CHECK(n("t", "{not_equals: text}") == 1);
  CHECK(n("t", "{not_equals: other}") == 0);
  CHECK(n("missing", "{equals: 1}") == 0);  // only present values are compared
}

TEST_CASE("assertions: in and not_in") {
  const std::string doc = "kind: Deployment\nns: kube-system\n";
  CHECK(Eval("id: r\npaths: [a]\nselect: kind\nassert: {in: [Deployment, StatefulSet]}\n", doc).empty());
  CHECK(Eval("id: r\npaths: [a]\nselect: kind\nassert: {in: [Job]}\n", doc).size() == 1);
  CHECK(Eval("id: r\npaths: [a]\nselect: kind\nassert: {in: Deployment}\n", doc).empty());
  auto forbidden = Eval("id: r\npaths: [a]\nselect: ns\nassert: {not_in: [kube-system, default]}\n", doc);
  REQUIRE(forbidden.size() == 1);
  CHECK(forbidden[0].message == "ns is \"kube-system\", one of the forbidden [kube-system, default]");
  CHECK(Eval("id: r\npaths: [a]\nselect: ns\nassert: {not_in: [default]}\n", doc).empty());
}

TEST_CASE("assertions: matches and not_matches use RE2 searches") {
  const std::string doc = "images: [\"nginx:1.25\", \"nginx:latest\", busybox, \"r.io/app@sha256:abcd\"]\nmap: {a: 1}\n";
  auto pinned = Eval("id: r\npaths: [a]\nselect: images[*]\nassert: {matches: \"@sha256:[0-9a-f]+$\"}\n", doc);
  REQUIRE(pinned.size() == 3);
  CHECK(pinned[0].selector == "images[0]");
  auto latest = Eval("id: r\npaths: [a]\nselect: images[*]\nassert: {not_matches: \":latest$|^[^:]+$\"}\n", doc);
  REQUIRE(latest.size() == 2);
  CHECK(latest[0].value == "nginx:latest");
  CHECK(latest[1].value == "busybox");
  CHECK(Eval("id: r\npaths: [a]\nselect: map\nassert: {matches: \".*\"}\n", doc).size() == 1);
  CHECK(Eval("id: r\npaths: [a]\nselect: map\nassert: {not_matches: \".*\"}\n", doc).empty());
  // Linear-time matching on hostile values.
  std::string hostile = "v: \"" + std::string(100000, 'a') + "!\"\n";
  auto start = std::chrono::steady_clock::now();
  CHECK(Eval("id: r\npaths: [a]\nselect: v\nassert: {matches: \"^(a+)+$\"}\n", hostile).size() == 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("assertions: max and min") {
  const std::string doc = "cpu: 250m\nmem: 1Gi\nn: 7\nbad: lots\nlist: [1, 2]\n";
  auto n = [&](const std::string& select, const std::string& assert_yaml) {
    return Eval("id: r\npaths: [a]\nselect: " + select + "\nassert: " + assert_yaml + "\n", doc);
  };
  CHECK(n("cpu", "{max: 500m}").empty());
  CHECK(n("cpu", "{max: 0.1}").size() == 1);
  CHECK(n("cpu", "{min: 100m, max: 1}").empty());
  CHECK(n("mem", "{max: 1Gi}").empty());
  CHECK(n("mem", "{max: 1G}").size() == 1);
  CHECK(n("n", "{min: 8}")[0].message == "n is \"7\", below the minimum 8");
  CHECK(n("bad", "{max: 3}")[0].message == "bad is \"lots\", not a number or quantity");
  CHECK(n("list", "{max: 3}").size() == 1);
  CHECK(n("list[*]", "{max: 1}").size() == 1);
}

TEST_CASE("index selectors, negative indexes and wildcards over mappings") {
  const std::string doc = "list: [a, b, c]\nlabels: {team: x, \"app.kubernetes.io/name\": y}\n";
  CHECK(Eval("id: r\npaths: [a]\nselect: list[-1]\nassert: {equals: c}\n", doc).empty());
  CHECK(Eval("id: r\npaths: [a]\nselect: list[3]\nassert: {exists: true}\n", doc)[0].selector == "list[3]");
  auto values = Eval("id: r\npaths: [a]\nselect: labels[*]\nassert: {equals: z}\n", doc);
  REQUIRE(values.size() == 2);
  CHECK(values[0].selector == "labels.team");
  CHECK(values[1].selector == "labels[\"app.kubernetes.io/name\"]");
}

TEST_CASE("every value of a repeated key is checked") {
  auto v = Eval("id: r\npaths: [a]\nselect: image\nassert: {not_matches: \":latest$\"}\n", "image: nginx:1.2\nimage: nginx:latest\n");
  REQUIRE(v.size() == 1);
  CHECK(v[0].line == 2);
}

// ---------------------------------------------------------------- YAML merge keys

namespace {

const char kNoPrivileged[] =
    "id: no-privileged\npaths: [a]\nselect: spec.containers[*].securityContext.privileged\n"
    "assert: { not_equals: true }\n";

std::string Pod(const std::string& security_context) {
  return "kind: Pod\nspec:\n  containers:\n    - name: c\n      securityContext: " + security_context + "\n";
}

}  // namespace

TEST_CASE("merge keys: a merged privileged: true is refused, as Kubernetes reads it") {
  auto v = Eval(kNoPrivileged, Pod("{<<: {privileged: true}}"));
  REQUIRE(v.size() == 1);
  CHECK(v[0].selector == "spec.containers[0].securityContext.privileged");
  CHECK(v[0].value == "true");
  CHECK(v[0].line == 5);
  // The accepting twin: a merged privileged: false passes.
  CHECK(Eval(kNoPrivileged, Pod("{<<: {privileged: false}}")).empty());
}

TEST_CASE("merge keys: through an alias, in block style, from another document part") {
  const std::string doc = "defaults: &root\n  privileged: true\n  runAsUser: 0\n"
                          "kind: Pod\nspec:\n  containers:\n    - name: c\n      securityContext:\n"
                          "        <<: *root\n        runAsNonRoot: true\n";
  auto v = Eval(kNoPrivileged, doc);
  REQUIRE(v.size() == 1);
  CHECK(v[0].line == 2);  // the merged value's own line
  const std::string safe = "defaults: &root\n  privileged: false\n"
                           "kind: Pod\nspec:\n  containers:\n    - name: c\n      securityContext:\n"
                           "        <<: *root\n";
  CHECK(Eval(kNoPrivileged, safe).empty());
}

TEST_CASE("merge keys: a list of mappings, earlier ones winning") {
  CHECK(Eval(kNoPrivileged, Pod("{<<: [{privileged: true}, {privileged: false}]}")).size() == 1);
  CHECK(Eval(kNoPrivileged, Pod("{<<: [{privileged: false}, {privileged: true}]}")).empty());
  CHECK(Eval(kNoPrivileged, Pod("{<<: [{runAsUser: 0}, {privileged: true}]}")).size() == 1);
}

TEST_CASE("merge keys: a key the mapping writes itself wins over a merged one") {
  CHECK(Eval(kNoPrivileged, Pod("{privileged: false, <<: {privileged: true}}")).empty());
  CHECK(Eval(kNoPrivileged, Pod("{<<: {privileged: true}, privileged: false}")).empty());
  CHECK(Eval(kNoPrivileged, Pod("{privileged: true, <<: {privileged: false}}")).size() == 1);
}

TEST_CASE("merge keys: merged mappings merge in turn; a quoted \"<<\" is an ordinary key") {
  const std::string nested = "a: &a {privileged: true}\nb: &b {<<: *a, runAsUser: 0}\n"
                             "spec:\n  containers:\n    - securityContext: {<<: *b}\n";
  CHECK(Eval(kNoPrivileged, nested).size() == 1);
  CHECK(Eval(kNoPrivileged, Pod("{\"<<\": {privileged: true}}")).empty());
}

TEST_CASE("merge keys: match, exists and wildcards see merged keys") {
  const std::string doc = "base: &base {kind: Deployment}\n<<: *base\nmetadata:\n  labels: {<<: {team: x}, app: y}\n";
  // match on a merged kind applies the rule.
  auto v = Eval("id: r\npaths: [a]\nmatch: { kind: [Deployment] }\nselect: metadata.labels.owner\nassert: {exists: true}\n",
                doc);
  REQUIRE(v.size() == 1);
  CHECK(v[0].selector == "metadata.labels.owner");
  CHECK(Eval("id: r\npaths: [a]\nselect: metadata.labels.team\nassert: {exists: true}\n", doc).empty());
  auto all = Eval("id: r\npaths: [a]\nselect: metadata.labels[*]\nassert: {equals: z}\n", doc);
  REQUIRE(all.size() == 2);
  CHECK(all[0].selector == "metadata.labels.app");
  CHECK(all[1].selector == "metadata.labels.team");
}

TEST_CASE("hostile: merge-key bombs and self-merges are bounded") {
  // Each level merges the previous one ten times through a list: 10^9 pairs if expanded.
  std::string bomb = "a: &a {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}\n";
  std::string prev = "a";
  for (char name = 'b'; name <= 'j'; ++name) {
    std::string list;
    for (int i = 0; i < 10; ++i) list += std::string(i ? ", " : "") + "*" + prev;
    bomb += std::string(1, name) + ": &" + name + " {<<: [" + list + "], own" + name + ": y}\n";
    prev = std::string(1, name);
  }
  auto start = std::chrono::steady_clock::now();
  DocumentLimits limits;
  limits.max_steps = 100000;
  auto v = Eval("id: r\npaths: [a]\nselect: j[*]\nassert: {equals: x}\n", bomb, limits);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  // Earlier mappings win, so only one copy of each key survives; either way, bounded.
  CHECK(v.size() <= 20);
  // A mapping merging itself adds nothing again and does not loop.
  auto self = Eval(kNoPrivileged, "spec:\n  containers:\n    - securityContext: &s {<<: *s, privileged: true}\n");
  CHECK(self.size() == 1);
  std::string deep = "m0: &m0 {privileged: true}\n";
  for (int i = 1; i <= 300; ++i) {
    deep += "m" + std::to_string(i) + ": &m" + std::to_string(i) + " {<<: *m" + std::to_string(i - 1) + "}\n";
  }
  deep += "spec:\n  containers:\n    - securityContext: *m300\n";
  auto d = Eval(kNoPrivileged, deep);
  REQUIRE(d.size() == 1);
  CHECK(d[0].message.rfind("too complex: merge keys nested deeper than", 0) == 0);
}

// ---------------------------------------------------------------- JSON

TEST_CASE("JSON: CloudFormation template") {
  const std::string text = Fixture("cloudformation.json");
  auto v = EvaluateDocumentRules({Rule("id: no-public-buckets\npaths: [\"**/*.json\"]\nmatch: { AWSTemplateFormatVersion: \"2010-09-09\" }\n"
                                       "select: Resources[*].Properties.AccessControl\n"
                                       "assert: { not_in: [PublicRead, PublicReadWrite] }\nmessage: buckets must not be public\n")},
                                 "cfn/stack.json", text);
  REQUIRE(v.size() == 1);
  CHECK(v[0].selector == "Resources.Bucket.Properties.AccessControl");
  CHECK(v[0].line == LineOf(text, "\"PublicRead\""));
  CHECK(v[0].document_index == 0);
  CHECK(v[0].value == "PublicRead");
}

TEST_CASE("JSON: compact *.tf.json") {
  const std::string text = Fixture("main.tf.json");
  std::vector<DocumentRule> rules = {
      Rule("id: no-open-ingress\npaths: [\"**/*.tf.json\"]\nselect: resource.aws_security_group_rule[*].cidr_blocks[*]\n"
           "assert: { not_equals: \"0.0.0.0/0\" }\n"),
      Rule("id: ports\npaths: [\"**/*.tf.json\"]\nselect: resource.aws_security_group_rule[*].from_port\nassert: { min: 100 }\n")};
  auto v = EvaluateDocumentRules(rules, "infra/main.tf.json", text);
  REQUIRE(v.size() == 3);
  CHECK(v[0].selector == "resource.aws_security_group_rule.ssh.cidr_blocks[1]");
  CHECK(v[1].selector == "resource.aws_security_group_rule.https.cidr_blocks[0]");
  CHECK(v[0].line == 1);
  CHECK(v[2].rule_id == "ports");
  CHECK(v[2].value == "22");
}

// ---------------------------------------------------------------- broken and hostile input

TEST_CASE("a file that does not parse gives one violation per rule") {
  const std::string text = Fixture("broken.yaml");
  std::vector<DocumentRule> rules = {Rule("id: one\npaths: [a]\nselect: a\nassert: {exists: true}\n"),
                                     Rule("id: two\npaths: [a]\nselect: b\nassert: {absent: true}\n")};
  auto v = EvaluateDocumentRules(rules, "broken.yaml", text);
  REQUIRE(v.size() == 2);
  CHECK(v[0].rule_id == "one");
  CHECK(v[1].rule_id == "two");
  CHECK(v[0].message.rfind("does not parse: ", 0) == 0);
  CHECK(v[0].line >= 4);
  CHECK(v[0].selector.empty());

  auto second_doc = Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", "a: 1\n---\nb: [\n");
  REQUIRE(second_doc.size() == 1);
  CHECK(second_doc[0].document_index == 1);
  CHECK(second_doc[0].message.rfind("does not parse: ", 0) == 0);

  for (const std::string& junk : {std::string("{\"a\": 1,}"), std::string("\0\x01\xff\xfe garbage: [", 16), std::string("key: \"unterminated"),
                                  std::string("a: *undefined\n"), std::string("\t- tab\n  - x")}) {
    auto j = Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", junk);
    CHECK(j.size() <= 1);
  }
}

TEST_CASE("empty files and empty documents give nothing to check") {
  CHECK(Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", "").empty());
  CHECK(Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", "---\n---\n# only a comment\n").empty());
  // A leading `---` opens the first document: the second `---` opens document 1.
  auto v = Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", "---\n---\nb: 1\n");
  REQUIRE(v.size() == 1);
  CHECK(v[0].document_index == 1);
  CHECK(v[0].line == 3);
}

TEST_CASE("hostile: a 10 MB file is too complex, quickly") {
  std::string big;
  big.reserve(10u << 20);
  while (big.size() < (10u << 20)) big += "- key: value-" + std::to_string(big.size()) + "\n";
  auto start = std::chrono::steady_clock::now();
  auto v = Eval("id: r\npaths: [a]\nselect: \"[*].key\"\nassert: {exists: true}\n", big);
  REQUIRE(v.size() == 1);
  CHECK(v[0].message.rfind("too complex: ", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("hostile: a large file under the limit is checked in bounded time") {
  std::string big;
  while (big.size() < (3u << 20)) big += "- image: nginx:1." + std::to_string(big.size()) + "\n";
  big += "- image: nginx:latest\n";
  auto start = std::chrono::steady_clock::now();
  auto v = Eval("id: r\npaths: [a]\nselect: \"[*].image\"\nassert: {not_matches: \":latest$\"}\n", big);
  REQUIRE(v.size() == 1);
  CHECK(v[0].value == "nginx:latest");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

TEST_CASE("hostile: 10,000 levels of nesting are too complex, not a stack overflow") {
  const std::string rule = "id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n";
  std::string flow = std::string(10000, '[') + std::string(10000, ']');
  std::string flow_map;
  for (int i = 0; i < 10000; ++i) flow_map += "{a: ";
  flow_map += "1" + std::string(10000, '}');
  std::string block;
  for (int i = 0; i < 10000; ++i) block += std::string(static_cast<size_t>(i) * 2, ' ') + "a:\n";
  std::string dashes;
  for (int i = 0; i < 10000; ++i) dashes += "- ";
  dashes += "x\n";
  for (const std::string* doc : {&flow, &flow_map, &block, &dashes}) {
    auto v = Eval(rule, *doc);
    REQUIRE(v.size() == 1);
    CHECK(v[0].message.rfind("too complex: ", 0) == 0);
  }
  // Moderate nesting is fine.
  std::string ok;
  for (int i = 0; i < 100; ++i) ok += std::string(static_cast<size_t>(i) * 2, ' ') + "a:\n";
  ok += std::string(200, ' ') + "b: 1\n";
  CHECK(Eval(rule, ok).empty());
}

TEST_CASE("hostile: alias bombs are bounded") {
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char name = 'b'; name <= 'j'; ++name) {
    std::string list;
    for (int i = 0; i < 10; ++i) list += std::string(i ? ", " : "") + "*" + prev;
    laughs += std::string(1, name) + ": &" + name + " [" + list + "]\n";
    prev = std::string(1, name);
  }
  // Nine levels of ten aliases: 10^9 values if expanded.
  auto start = std::chrono::steady_clock::now();
  auto v = Eval("id: r\npaths: [a]\nselect: j[*][*][*][*][*][*][*][*][*]\nassert: {equals: y}\n", laughs);
  REQUIRE(v.size() == 1);
  CHECK(v[0].message.rfind("too complex: ", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  // The same file is fine for a rule that does not fan out.
  CHECK(Eval("id: r\npaths: [a]\nselect: a[0]\nassert: {equals: x}\n", laughs).empty());
  // Self-referencing anchors do not loop.
  auto self = Eval("id: r\npaths: [a]\nselect: a[0][0][0][0]\nassert: {exists: true}\n", "a: &s [*s]\n");
  CHECK(self.size() <= 1);
}

TEST_CASE("hostile: node and document counts are bounded") {
  DocumentLimits small;
  small.max_nodes = 1000;
  small.max_documents = 10;
  std::string many_nodes = "[";
  for (int i = 0; i < 2000; ++i) many_nodes += "1,";
  many_nodes += "1]";
  auto v = Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", many_nodes, small);
  REQUIRE(v.size() == 1);
  CHECK(v[0].message.find("YAML nodes") != std::string::npos);
  std::string many_docs;
  for (int i = 0; i < 20; ++i) many_docs += "---\na: 1\n";
  auto d = Eval("id: r\npaths: [a]\nselect: a\nassert: {exists: true}\n", many_docs, small);
  REQUIRE(d.size() == 1);
  CHECK(d[0].message.find("documents") != std::string::npos);
}
