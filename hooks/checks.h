// The checks a push goes through, each a function from the push to findings. They share one
// read-only CheckContext; each appends to its own output so the gate can run and time them
// independently.
//
// Thread-safety: a check uses the context's Repository, so checks sharing one context run on the
// thread that owns it.
#pragma once

#include <chrono>
#include <vector>

#include "config/config.h"
#include "hooks/finding.h"
#include "hooks/platform.h"
#include "hooks/push_model.h"
#include "hooks/repository.h"

namespace pushgate {

struct CheckContext {
  const Config& config;
  const Repository& repo;
  const PushModel& model;
  const PushContext& push;
  std::chrono::steady_clock::time_point deadline;
};

// The severity of a finding about a limit: an error under `limits.on_limit: reject`, else a
// warning (reported either way, never silent).
Severity LimitSeverity(const LimitsConfig& limits);

// policies.protected_refs: deletes, force pushes, creators, linear history.
void CheckProtectedRefs(const CheckContext& ctx, std::vector<Finding>* out);

// policies.forbidden_paths and policies.max_file_bytes over the paths each new commit adds or changes.
void CheckPaths(const CheckContext& ctx, std::vector<Finding>* out);

// policies.commit_message and policies.emails over each new commit.
void CheckCommitMetadata(const CheckContext& ctx, std::vector<Finding>* out);

// policies.documents over the YAML/JSON files the new commits add or change ("document/<id>").
void CheckDocuments(const CheckContext& ctx, std::vector<Finding>* out);

// policies.external: runs each command on the changed files matching its paths ("external/<id>").
// What the commands print goes to `notes`, for the pusher.
void CheckExternalPolicies(const CheckContext& ctx, std::vector<Finding>* out, std::vector<std::string>* notes);

// environments: signed commits ("signed-commit") and CODEOWNERS approval ("codeowners") for new
// commits on protected refs that touch live paths. A non-OK Status means trust files could not
// be loaded (a configuration error).
Status CheckEnvironments(const CheckContext& ctx, std::vector<Finding>* out);

}  // namespace pushgate
