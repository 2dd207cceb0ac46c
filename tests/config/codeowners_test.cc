#include "config/codeowners.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "base/files.h"
#include "tests/support/git_fixture.h"

using namespace pushgate;

namespace {

using Owners = std::vector<std::string>;

std::string Fixture(const std::string& name) {
  auto text = ReadFile(std::string(PUSHGATE_SOURCE_DIR) + "/tests/config/fixtures/" + name);
  REQUIRE(text.ok());
  return *text;
}

// 1-based line of the first line of `text` equal to `line`.
int LineOf(const std::string& text, const std::string& line) {
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    ++n;
    if (text.compare(pos, nl == std::string::npos ? std::string::npos : nl - pos, line) == 0) return n;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  FAIL("no line '" << line << "' in the fixture");
  return 0;
}

// Last line of `text` equal to `line`.
int LastLineOf(const std::string& text, const std::string& line) {
  int found = 0;
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    ++n;
    if (text.compare(pos, nl == std::string::npos ? std::string::npos : nl - pos, line) == 0) found = n;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  REQUIRE(found > 0);
  return found;
}

Codeowners Parse(const std::string& text, CodeownersDialect dialect) {
  auto c = Codeowners::Parse(text, dialect, "CODEOWNERS");
  REQUIRE(c.ok());
  return std::move(*c);
}

// The owners GitHub gives `path`; empty when unowned.
Owners GitHubOwners(const Codeowners& c, const std::string& path) {
  auto m = c.Lookup(path);
  REQUIRE(m.size() <= 1);
  return m.empty() ? Owners{} : m[0].owners;
}

// The match of `path` in GitLab section `section`, or nullptr-like empty optional.
std::optional<OwnerMatch> InSection(const Codeowners& c, const std::string& path, const std::string& section) {
  for (auto& m : c.Lookup(path)) {
    if (m.section == section) return m;
  }
  return std::nullopt;
}

bool HasWarning(const Codeowners& c, const std::string& needle) {
  for (const auto& w : c.warnings()) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------- GitHub

TEST_CASE("GitHub documentation example: the owners the page gives") {
  const std::string text = Fixture("github-CODEOWNERS");
  Codeowners c = Parse(text, CodeownersDialect::kGitHub);
  CHECK(c.warnings().empty());

  CHECK(GitHubOwners(c, "README.md") == Owners{"@global-owner1", "@global-owner2"});
  CHECK(GitHubOwners(c, "src/deep/main.c") == Owners{"@global-owner1", "@global-owner2"});
  // The inline comment is not an owner.
  CHECK(GitHubOwners(c, "src/app.js") == Owners{"@js-owner"});
  CHECK(GitHubOwners(c, "cmd/tool/main.go") == Owners{"docs@example.com"});
  CHECK(GitHubOwners(c, "notes.txt") == Owners{"@octo-org/octocats"});
  // `apps/` is not anchored: an apps directory anywhere, and later than *.js.
  CHECK(GitHubOwners(c, "web/apps/index.js") == Owners{"@octocat"});
  CHECK(GitHubOwners(c, "docs/getting-started.md") == Owners{"@doctocat"});
  CHECK(GitHubOwners(c, "docs/build-app/troubleshooting.md") == Owners{"@doctocat"});
  CHECK(GitHubOwners(c, "scripts/deploy.sh") == Owners{"@doctocat", "@octocat"});
  // **/logs comes after /build/logs/ and /scripts/: any logs directory goes to @octocat.
  CHECK(GitHubOwners(c, "build/logs/today.log") == Owners{"@octocat"});
  CHECK(GitHubOwners(c, "scripts/logs/run.log") == Owners{"@octocat"});
  CHECK(GitHubOwners(c, "deeply/nested/logs/a/b.log") == Owners{"@octocat"});
  CHECK(GitHubOwners(c, "apps/web/index.html") == Owners{"@octocat"});
  CHECK(GitHubOwners(c, "apps/github/hook.rb") == Owners{"@doctocat"});

  auto m = c.Lookup("apps/github/hook.rb");
  REQUIRE(m.size() == 1);
  CHECK(m[0].line == LastLineOf(text, "/apps/github @doctocat"));
  CHECK(m[0].pattern == "/apps/github");
  CHECK(m[0].section.empty());
  CHECK(m[0].approvals_required == 1);
  CHECK_FALSE(m[0].optional);
  auto js = c.Lookup("src/app.js");
  REQUIRE(js.size() == 1);
  CHECK(js[0].line == LineOf(text, "*.js    @js-owner #This is an inline comment."));
}

TEST_CASE("GitHub: a matching line without owners leaves the path unowned") {
  Codeowners c = Parse("/apps/ @octocat\n/apps/github\n", CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(c, "apps/web/x.js") == Owners{"@octocat"});
  CHECK(c.Lookup("apps/github/x.js").empty());
  CHECK(c.Lookup("apps/github").empty());
  CHECK(c.Lookup("README.md").empty());
}

TEST_CASE("GitHub: docs/* matches files directly in docs/ only, /docs/ everything under it") {
  Codeowners star = Parse("docs/* docs@example.com\n", CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(star, "docs/getting-started.md") == Owners{"docs@example.com"});
  CHECK(star.Lookup("docs/build-app/troubleshooting.md").empty());
  // Anchored because of the inner slash.
  CHECK(star.Lookup("sub/docs/getting-started.md").empty());

  Codeowners dir = Parse("/docs/ @doctocat\n", CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(dir, "docs/build-app/troubleshooting.md") == Owners{"@doctocat"});
  CHECK(dir.Lookup("sub/docs/a.md").empty());
  CHECK(dir.Lookup("docs").empty());  // a trailing slash needs something under the directory
}

TEST_CASE("GitHub: gitignore anchoring, wildcards and directory patterns") {
  Codeowners c = Parse(
      "*.md @md\n"
      "/build/logs/ @logs\n"
      "config @cfg\n"
      "src/*.c @c\n"
      "a/**/z.txt @az\n"
      "/root-only.txt @root\n"
      "?.h @oneletter\n"
      "live/prod/** @prod\n",
      CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(c, "x/y/README.md") == Owners{"@md"});
  CHECK(GitHubOwners(c, "build/logs/x/y.log") == Owners{"@logs"});
  CHECK(c.Lookup("other/build/logs/y.log").empty());
  // A pattern without a slash matches a file or directory of that name at any depth.
  CHECK(GitHubOwners(c, "config") == Owners{"@cfg"});
  CHECK(GitHubOwners(c, "deploy/config/values.yaml") == Owners{"@cfg"});
  CHECK(c.Lookup("configs/values.yaml").empty());
  CHECK(GitHubOwners(c, "src/main.c") == Owners{"@c"});
  CHECK(c.Lookup("src/sub/main.c").empty());
  CHECK(c.Lookup("lib/src/main.c").empty());
  CHECK(GitHubOwners(c, "a/z.txt") == Owners{"@az"});
  CHECK(GitHubOwners(c, "a/b/c/z.txt") == Owners{"@az"});
  CHECK(GitHubOwners(c, "root-only.txt") == Owners{"@root"});
  CHECK(c.Lookup("sub/root-only.txt").empty());
  CHECK(GitHubOwners(c, "include/x.h") == Owners{"@oneletter"});
  CHECK(c.Lookup("include/xy.h").empty());
  CHECK(GitHubOwners(c, "live/prod/app/values.yaml") == Owners{"@prod"});
  CHECK(c.Lookup("live/prod").empty());
}

TEST_CASE("GitHub: paths are case-sensitive") {
  Codeowners c = Parse("/Docs/ @upper\n*.MD @md\n", CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(c, "Docs/a.txt") == Owners{"@upper"});
  CHECK(c.Lookup("docs/a.txt").empty());
  CHECK(c.Lookup("readme.md").empty());
}

TEST_CASE("GitHub: negation, character ranges and escaped # make the file an error naming the line") {
  // GitHub skips such lines, which would let the earlier `*` owner approve what they meant to
  // restrict; the file is refused instead.
  auto [line, what] = GENERATE(table<std::string, std::string>({
      {"!secret.txt @nobody", "negation"},
      {"*.[ch] @c-owner", "character ranges"},
      {"/live/[ab]/ @ops", "character ranges"},
      {"\\#notes @hash", "escaping a leading '#'"},
      {"[Section] @x", "character ranges"},
  }));
  auto c = Codeowners::Parse("* @all\n" + line + "\n", CodeownersDialect::kGitHub, "CODEOWNERS");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == pushgate::Status::Code::kInvalidArgument);
  CHECK(c.status().message().rfind("CODEOWNERS:2: ", 0) == 0);
  CHECK(c.status().message().find(what) != std::string::npos);
  // The same lines are read by GitLab's own rules there.
  CHECK(Codeowners::Parse("* @all\n" + line + "\n", CodeownersDialect::kGitLab, "CODEOWNERS").ok());
}

TEST_CASE("GitHub: several unsupported lines are counted in the one error") {
  auto c = Codeowners::Parse("* @all\n*.[ch] @c\n!x @y\n", CodeownersDialect::kGitHub, "CODEOWNERS");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("CODEOWNERS:2: ") == 0);
  CHECK(c.status().message().find("(and 1 more such lines)") != std::string::npos);
}

TEST_CASE("GitHub: malformed owners are ignored with a warning") {
  Codeowners c = Parse("/infra/ @alice bob @org/team/extra carol@example.com @@maintainer\n", CodeownersDialect::kGitHub);
  CHECK(GitHubOwners(c, "infra/main.tf") == Owners{"@alice", "carol@example.com"});
  REQUIRE(c.warnings().size() == 1);
  CHECK(c.warnings()[0] == "CODEOWNERS:1: ignored malformed owners: bob, @org/team/extra, @@maintainer");
}

TEST_CASE("GitHub: files of 3 MB or more are refused, smaller large files parse quickly") {
  std::string big;
  while (big.size() < Codeowners::kMaxFileBytes) big += "/generated/dir-" + std::to_string(big.size()) + "/ @bot\n";
  auto refused = Codeowners::Parse(big, CodeownersDialect::kGitHub, "CODEOWNERS");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Status::Code::kInvalidArgument);
  CHECK(refused.status().message().find("3 MB") != std::string::npos);

  std::string many;
  for (int i = 0; i < 20000; ++i) many += "/a/**/b" + std::to_string(i) + "/**/*.txt @team" + std::to_string(i) + "\n";
  auto start = std::chrono::steady_clock::now();
  auto c = Codeowners::Parse(many, CodeownersDialect::kGitHub, "CODEOWNERS");
  REQUIRE(c.ok());
  CHECK(GitHubOwners(*c, "a/x/b19999/y/z.txt") == Owners{"@team19999"});
  CHECK(GitHubOwners(*c, "a/b7/z.txt") == Owners{"@team7"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("hostile CODEOWNERS text gives warnings or an error, not crashes") {
  std::string junk = std::string("\0\xff\xfe[[[**/**/**/\\", 17) + "\n" + std::string(5000, '*') + " @a\n" +
                     std::string(3000, '[') + "\n^[\n[]\n[x][\n!\n\r\n   \t\n@only-owner\n";
  // GitHub refuses the file for its '[' and '!' lines (see above); without them it parses.
  CHECK_FALSE(Codeowners::Parse(junk, CodeownersDialect::kGitHub, "CODEOWNERS").ok());
  // A pattern that is not UTF-8 cannot be matched: an error in GitHub too.
  CHECK_FALSE(Codeowners::Parse("a\xff @x\n", CodeownersDialect::kGitHub, "CODEOWNERS").ok());
  std::string github_junk = std::string("\0**/**/**/\\", 12) + "\n" + std::string(5000, '*') + " @a\n" +
                            "\r\n   \t\n@only-owner\n" + std::string(3000, '/') + " @b\n";
  for (auto [dialect, text] : {std::pair{CodeownersDialect::kGitHub, github_junk}, std::pair{CodeownersDialect::kGitLab, junk}}) {
    auto c = Codeowners::Parse(text, dialect, "CODEOWNERS");
    INFO(c.status().message());
    REQUIRE(c.ok());
    (void)c->Lookup("a/b/c");
    (void)c->Lookup(std::string(10000, 'a'));
    (void)c->Lookup("");
  }
}

// End to end: a GitHub-dialect CODEOWNERS whose live-path line uses `[p]` must not let the
// earlier `*` owner approve a push to that path; the gate refuses with the parse error, and
// `pushgate codeowners` reports it. The twin without the line lets the `*` owner's push land.
TEST_CASE("GitHub CODEOWNERS with a '[ ]' line refuses the live push it governs; without it the owner's push lands") {
  auto setup = [](pushgate::testing::GitFixture& g, const std::string& owners) {
    g.Commit("CODEOWNERS", owners, "owners");
    g.Commit("live/prod/app.yaml", "replicas: 1\n", "first");
    REQUIRE(g.Push("origin main").code == 0);
    g.InstallGate("version: 1\nenvironments:\n  - name: production\n    refs: [refs/heads/main]\n"
                  "    paths: [\"live/prod/**\"]\n    require_codeowners: true\n    approver: pusher\n"
                  "    codeowners: { file: CODEOWNERS, dialect: github }\n");
    g.Commit("live/prod/app.yaml", "replicas: 2\n", "scale");
  };
  SECTION("without the bracket line, alice (the pusher, owner through '*') lands") {
    pushgate::testing::GitFixture g;
    setup(g, "* @alice\n");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code == 0);
  }
  SECTION("with '/live/[p]rod/ @bob', alice's push is refused naming the line") {
    pushgate::testing::GitFixture g;
    setup(g, "* @alice\n/live/[p]rod/ @bob\n");
    std::string before = g.ServerRev("main");
    auto p = g.Push("origin main");
    INFO(p.all());
    CHECK(p.code != 0);
    CHECK(p.err.find("codeowners") != std::string::npos);
    CHECK(p.err.find("CODEOWNERS:2: '/live/[p]rod/': character ranges") != std::string::npos);
    CHECK(g.ServerRev("main") == before);

    auto cmd = g.Run("'" + pushgate::testing::PushgateBinary() + "' codeowners live/prod/app.yaml");
    INFO(cmd.all());
    CHECK(cmd.code == 2);
    CHECK(cmd.err.find("CODEOWNERS:2: '/live/[p]rod/'") != std::string::npos);
  }
}

// ---------------------------------------------------------------- GitLab

TEST_CASE("GitLab reference example: the unnamed section") {
  const std::string text = Fixture("gitlab-CODEOWNERS");
  Codeowners c = Parse(text, CodeownersDialect::kGitLab);
  auto owners = [&](const std::string& path) {
    auto m = InSection(c, path, "");
    return m ? m->owners : Owners{"<none>"};
  };
  CHECK(owners("Makefile") == Owners{"@default-owner"});
  CHECK(owners(".gitlab-ci.yml") == Owners{"@default-owner"});  // FNM_DOTMATCH
  CHECK(owners(".hidden/dir/file") == Owners{"@default-owner"});
  CHECK(owners("README.md") == Owners{"@doc-team", "@tech-lead"});
  CHECK(owners("internal/README.md") == Owners{"@doc-team", "@tech-lead"});
  CHECK(owners("app/models/user.rb") == Owners{"@ruby-owner"});
  CHECK(owners("LICENSE") == Owners{"@legal", "janedoe@gitlab.com"});
  CHECK(owners("README") == Owners{"@group", "@group/with-nested/subgroup"});
  CHECK(owners("docs/img/logo.png") == Owners{"@all-docs"});
  CHECK(owners("docs/logo.png") == Owners{"@root-docs"});
  CHECK(owners("docs/index.md") == Owners{"@markdown-docs"});
  CHECK(owners("docs/projects/index.md") == Owners{"@markdown-docs"});
  CHECK(owners("db/index.md") == Owners{"@index-docs"});
  CHECK(owners("db/a/b/index.md") == Owners{"@index-docs"});
  CHECK(owners("#file_with_pound.rb") == Owners{"@owner-file-with-pound"});
  CHECK(owners("path with spaces/notes.txt") == Owners{"@space-owner"});
  CHECK(owners("nested/path with spaces/notes.txt") == Owners{"@space-owner"});
  CHECK(owners("lib/a.c") == Owners{"@lib-owner"});
  CHECK(owners("src/lib/a.c") == Owners{"@lib-owner"});
  CHECK(owners("config/app.yml") == Owners{"@@maintainer"});
  CHECK(owners("config/app.rb") == Owners{"@@maintainer"});
  // Excluded from the unnamed section at any depth.
  CHECK_FALSE(InSection(c, "pom.xml", ""));
  CHECK_FALSE(InSection(c, "services/api/pom.xml", ""));

  auto m = InSection(c, "docs/index.md", "");
  REQUIRE(m);
  CHECK(m->line == LineOf(text, "/docs/**/*.md @markdown-docs  # Match specific file types in any subdirectory"));
  CHECK(m->pattern == "/docs/**/*.md");
  CHECK_FALSE(m->optional);
  CHECK(m->approvals_required == 1);
  // GitLab has no inline comments: the words after `#` are read as owners and ignored.
  CHECK(HasWarning(c, "ignored malformed owners: #, Match, specific"));
}

TEST_CASE("GitLab reference example: sections") {
  const std::string text = Fixture("gitlab-CODEOWNERS");
  Codeowners c = Parse(text, CodeownersDialect::kGitLab);
  REQUIRE(c.sections().size() == 7);
  CHECK(c.sections()[0].name.empty());
  CHECK(c.sections()[1].name == "Documentation");  // [DOCUMENTATION] merged into it
  CHECK(c.sections()[1].default_owners == Owners{"@docs-team"});

  // README.md: one owner set per section.
  auto readme = c.Lookup("README.md");
  REQUIRE(readme.size() == 4);
  CHECK(readme[0].section.empty());
  CHECK(readme[1].section == "Documentation");
  CHECK(readme[1].owners == Owners{"@docs-team"});
  CHECK(readme[2].section == "README Owners");
  CHECK(readme[2].owners == Owners{"@user1", "@user2"});
  CHECK(readme[3].section == "README other owners");
  CHECK(readme[3].owners == Owners{"@user3"});
  // internal/README.md: both [README Owners] lines match; the last one is kept.
  CHECK(InSection(c, "internal/README.md", "README Owners")->owners == Owners{"@user4"});
  CHECK(InSection(c, "internal/README.md", "README other owners")->owners == Owners{"@user3"});

  // model/db/CHANGELOG.txt needs the unnamed section, Documentation (*.txt) and Database.
  auto changelog = c.Lookup("model/db/CHANGELOG.txt");
  REQUIRE(changelog.size() == 3);
  CHECK(changelog[0].owners == Owners{"@default-owner"});
  CHECK(changelog[1].owners == Owners{"@docs-team"});
  CHECK(changelog[2].section == "Database");
  CHECK(changelog[2].owners == Owners{"@database-team", "@agarcia"});
  CHECK(changelog[2].approvals_required == 2);
  CHECK(changelog[2].optional);
  CHECK(InSection(c, "config/db/database-setup.md", "Database")->owners == Owners{"@docs-team"});

  // The merged [DOCUMENTATION] entry is the last match in Documentation.
  auto ee = InSection(c, "ee/docs/install.md", "Documentation");
  REQUIRE(ee);
  CHECK(ee->owners == Owners{"@docs"});
  CHECK(ee->line == LineOf(text, "ee/docs/ @docs"));

  // [Ruby]: config Ruby files are excluded, and /config/routes.rb cannot bring one back.
  CHECK(InSection(c, "app/models/user.rb", "Ruby")->owners == Owners{"@ruby-team"});
  CHECK_FALSE(InSection(c, "config/routes.rb", "Ruby"));
  CHECK_FALSE(InSection(c, "config/initializers/x.rb", "Ruby"));
  CHECK(InSection(c, "config/routes.rb", "")->owners == Owners{"@@maintainer"});

  auto go = InSection(c, "cmd/main.go", "Go");
  REQUIRE(go);
  CHECK(go->owners == Owners{"@root"});
  CHECK(go->optional);
  CHECK_FALSE(InSection(c, "cmd/main.go", "Documentation"));
}

TEST_CASE("GitLab: the README Owners example exactly as documented") {
  Codeowners c = Parse(
      "* @admin\n\n[README Owners]\nREADME.md @user1 @user2\ninternal/README.md @user4\n\n"
      "[README other owners]\nREADME.md @user3\n",
      CodeownersDialect::kGitLab);
  auto root = c.Lookup("README.md");
  REQUIRE(root.size() == 3);
  CHECK(root[0].owners == Owners{"@admin"});
  CHECK(root[1].owners == Owners{"@user1", "@user2"});
  CHECK(root[2].owners == Owners{"@user3"});
  auto internal = c.Lookup("internal/README.md");
  REQUIRE(internal.size() == 3);
  CHECK(internal[0].owners == Owners{"@admin"});
  CHECK(internal[1].owners == Owners{"@user4"});
  CHECK(internal[2].owners == Owners{"@user3"});
}

TEST_CASE("GitLab: duplicate sections merge ignoring case, under the first spelling") {
  Codeowners c = Parse(
      "[Documentation]\nee/docs/    @docs\ndocs/       @docs\n\n[Database]\nREADME.md  @database\nmodel/db/   @database\n\n"
      "[DOCUMENTATION]\nREADME.md  @docs\n",
      CodeownersDialect::kGitLab);
  REQUIRE(c.sections().size() == 3);
  int documentation = 0, database = 0;
  for (const auto& r : c.rules()) {
    documentation += r.section == "Documentation";
    database += r.section == "Database";
  }
  CHECK(documentation == 3);
  CHECK(database == 2);
  CHECK(InSection(c, "README.md", "Documentation")->owners == Owners{"@docs"});
}

TEST_CASE("GitLab: a section is optional only if every heading of its name is") {
  Codeowners c = Parse("[Documentation]\n*.go @user\n\n^[Documentation]\n*.rb @user\n\n^[Go]\n*.go @root\n",
                       CodeownersDialect::kGitLab);
  CHECK_FALSE(InSection(c, "a.rb", "Documentation")->optional);
  CHECK(InSection(c, "a.go", "Go")->optional);
}

TEST_CASE("GitLab: approval counts below 1 or not numbers require one approval") {
  Codeowners c = Parse("[Five][5]\n*.a @x\n[Zero][0]\n*.b @x\n[Bad][two]\n*.c @x\n", CodeownersDialect::kGitLab);
  CHECK(InSection(c, "f.a", "Five")->approvals_required == 5);
  CHECK(InSection(c, "f.b", "Zero")->approvals_required == 1);
  CHECK(InSection(c, "f.c", "Bad")->approvals_required == 1);
  CHECK(HasWarning(c, "CODEOWNERS:5: approval count [two]"));
}

TEST_CASE("GitLab: default owners apply to entries that name none, specific owners override") {
  Codeowners c = Parse(
      "[Documentation] @docs-team\ndocs/\nREADME.md\n\n[Database] @database-team @agarcia\nmodel/db/\n"
      "config/db/database-setup.md @docs-team\n",
      CodeownersDialect::kGitLab);
  CHECK(InSection(c, "docs/a.md", "Documentation")->owners == Owners{"@docs-team"});
  CHECK(InSection(c, "model/db/schema.rb", "Database")->owners == Owners{"@database-team", "@agarcia"});
  CHECK(InSection(c, "config/db/database-setup.md", "Database")->owners == Owners{"@docs-team"});
}

TEST_CASE("GitLab: an unterminated section heading is read as an entry") {
  Codeowners c = Parse("* @group\n\n[Section name\ndocs/ @docs_group\n", CodeownersDialect::kGitLab);
  REQUIRE(c.sections().size() == 1);
  CHECK(InSection(c, "docs/a.md", "")->owners == Owners{"@docs_group"});
  CHECK(InSection(c, "src/a.c", "")->owners == Owners{"@group"});
  CHECK(HasWarning(c, "CODEOWNERS:3: "));
}

TEST_CASE("GitLab: malformed owners are ignored") {
  Codeowners c = Parse("/path/* @group user_without_at_symbol @user_with_at_symbol\n", CodeownersDialect::kGitLab);
  CHECK(InSection(c, "path/a", "")->owners == Owners{"@group", "@user_with_at_symbol"});
  CHECK(HasWarning(c, "user_without_at_symbol"));
}

TEST_CASE("GitLab: an entry without owners is a match nobody can approve") {
  Codeowners c = Parse("* @default\n/vendor/\n", CodeownersDialect::kGitLab);
  auto m = c.Lookup("vendor/lib.c");
  REQUIRE(m.size() == 1);
  CHECK(m[0].owners.empty());
  CHECK(m[0].pattern == "/vendor/");
}

TEST_CASE("GitLab: exclusions are final within their section") {
  Codeowners c = Parse(
      "* @default-owner\n!*.rb\n/special/*.rb @ruby-owner\n"
      "[Automation]\n* @ops\n!package-lock.json\n!yarn.lock\n!**/generated/\n!.gitlab-ci.yml\n",
      CodeownersDialect::kGitLab);
  CHECK_FALSE(InSection(c, "special/a.rb", ""));
  CHECK_FALSE(InSection(c, "a.rb", ""));
  CHECK(InSection(c, "a.py", "")->owners == Owners{"@default-owner"});
  CHECK(InSection(c, "special/a.rb", "Automation")->owners == Owners{"@ops"});
  CHECK_FALSE(InSection(c, "web/package-lock.json", "Automation"));
  CHECK_FALSE(InSection(c, "src/generated/api.go", "Automation"));
  CHECK_FALSE(InSection(c, ".gitlab-ci.yml", "Automation"));
  CHECK(InSection(c, "src/api.go", "Automation"));
}

TEST_CASE("GitLab: a repeated pattern keeps its first position and takes its last owners") {
  Codeowners c = Parse("docs/ @a\n*.md @b\ndocs/ @c\n", CodeownersDialect::kGitLab);
  CHECK(InSection(c, "docs/x.md", "")->owners == Owners{"@b"});
  auto txt = InSection(c, "docs/x.txt", "");
  CHECK(txt->owners == Owners{"@c"});
  CHECK(txt->line == 3);
}

TEST_CASE("GitLab: fnmatch semantics differ from gitignore") {
  Codeowners c = Parse(
      "docs @file-only\n/docs/** @one-level\n/src/*.[ch] @c\n/bin/[!a-m]* @late\n/odd/[a-\n",
      CodeownersDialect::kGitLab);
  // A plain name matches a file of that name, not the contents of such a directory.
  CHECK(InSection(c, "docs", "")->owners == Owners{"@file-only"});
  CHECK(InSection(c, "sub/docs", "")->owners == Owners{"@file-only"});
  // `**` not followed by `/` is a single-segment `*`.
  CHECK(InSection(c, "docs/a.md", "")->owners == Owners{"@one-level"});
  CHECK_FALSE(InSection(c, "docs/sub/a.md", ""));
  CHECK(InSection(c, "src/main.c", "")->owners == Owners{"@c"});
  CHECK(InSection(c, "src/main.h", "")->owners == Owners{"@c"});
  CHECK_FALSE(InSection(c, "src/main.o", ""));
  CHECK(InSection(c, "bin/zip", "")->owners == Owners{"@late"});
  CHECK_FALSE(InSection(c, "bin/cat", ""));
  CHECK(HasWarning(c, "CODEOWNERS:5: "));  // unterminated bracket
}

TEST_CASE("GitLab pattern normalisation follows GitLab's own") {
  auto re = [](const char* p) { return *CodeownersPatternToRegex(p, CodeownersDialect::kGitLab); };
  CHECK(re("*") == re("/**/*"));
  CHECK(re("app") == re("/**/app"));
  CHECK(re("/app/") == re("/app/**/*"));
  CHECK(re("lib/") == re("/**/lib/**/*"));
  CHECK(re("\\#x") == re("/**/#x"));
  CHECK(re("a\\   b") == re("/**/a b"));
  CHECK(re("/**/**/x") == re("/**/x"));
}

// ---------------------------------------------------------------- owners

TEST_CASE("ExpandOwner resolves users, teams, groups, roles and emails") {
  std::map<std::string, std::vector<std::string>> teams = {
      {"@acme/platform", {"alice", "bob"}}, {"@infra", {"carol"}}, {"@@maintainer", {"dave"}}};
  CHECK(ExpandOwner("@alice", teams) == Owners{"alice"});
  CHECK(ExpandOwner("@acme/platform", teams) == Owners{"alice", "bob"});
  CHECK(ExpandOwner("@infra", teams) == Owners{"carol"});
  CHECK(ExpandOwner("@@maintainer", teams) == Owners{"dave"});
  CHECK(ExpandOwner("@acme/unknown", teams).empty());
  CHECK(ExpandOwner("@@developer", teams).empty());
  CHECK(ExpandOwner("Ops@Example.com", teams) == Owners{"Ops@Example.com"});
  CHECK(ExpandOwner("not-an-owner", teams).empty());
}

TEST_CASE("IsOwner checks every owner of a match") {
  std::map<std::string, std::vector<std::string>> teams = {{"@acme/platform", {"alice", "bob@example.com"}}};
  OwnerMatch m;
  m.owners = {"@acme/platform", "@erin", "ops@example.com"};
  CHECK(IsOwner(m, "alice", teams));
  CHECK(IsOwner(m, "BOB@example.COM", teams));
  CHECK(IsOwner(m, "erin", teams));
  CHECK(IsOwner(m, "Ops@Example.com", teams));
  CHECK_FALSE(IsOwner(m, "mallory", teams));
  CHECK_FALSE(IsOwner(m, "acme/platform", teams));
  CHECK_FALSE(IsOwner(m, "", teams));
  OwnerMatch nobody;
  CHECK_FALSE(IsOwner(nobody, "alice", teams));
}

TEST_CASE("CODEOWNERS locations in each platform's search order") {
  CHECK(CodeownersLocations(CodeownersDialect::kGitHub) ==
        Owners{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"});
  CHECK(CodeownersLocations(CodeownersDialect::kGitLab) ==
        Owners{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"});
}
