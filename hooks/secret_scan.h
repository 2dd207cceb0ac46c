// Secret checks of a push (SPEC §1.2): every new blob and every new commit or tag message goes
// through the scanner once. A secret blocks when it is new: absent (same rule, same bytes) from
// the same path in the parent commit, for at least one place the blob appears. Secrets already
// there are warnings unless `block_preexisting`. Fingerprints in the baseline are skipped.
// Blobs over `limits.max_blob_bytes` are not scanned and are reported per `limits.on_limit`.
//
// Thread-safety: uses the context's Repository; run on the thread that owns it.
#pragma once

#include <memory>
#include <vector>

#include "hooks/checks.h"
#include "scanner/baseline.h"
#include "scanner/scanner.h"

namespace pushgate {

// Loads the rules the config asks for and builds the scanner (from the database cache when it can).
Result<std::unique_ptr<scanner::Scanner>> MakeScanner(const SecretsConfig& secrets);

// Loads the baseline `secrets.baseline` names; null when none is configured.
Result<std::unique_ptr<scanner::Baseline>> LoadConfiguredBaseline(const SecretsConfig& secrets);

// What the content scan did, for the audit record and benchmarks.
struct SecretScanStats {
  size_t blobs = 0;        // blobs judged
  size_t cache_hits = 0;   // of those, known clean from the verdict cache
  bool cache_read = false; // the verdict cache was consulted (pushes of 32 blobs or more)
};

// Scans the push's content inputs. A non-OK Status means content could not be read. When
// secrets_out is given, it receives (rule id, secret) for each finding, for writing a baseline.
Status CheckSecrets(const CheckContext& ctx, const scanner::Scanner& scanner, const scanner::Baseline* baseline,
                    std::vector<Finding>* out,
                    std::vector<std::pair<std::string, std::string>>* secrets_out = nullptr,
                    SecretScanStats* stats = nullptr);

}  // namespace pushgate
