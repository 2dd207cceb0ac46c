#include "scanner/rule_cache.h"

#include <sodium.h>

#include <cstring>

#include "scanner/cache_file.h"

namespace pushgate::scanner {

namespace {

// 2: sealed cache files (cache_file.h); the magic is hashed into the key, so a file of format 1
// is never read.
constexpr std::string_view kMagic = "pushgate-rules-2\n";

class Writer {
 public:
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void List(const std::vector<std::string>& list) {
    U64(list.size());
    for (const auto& s : list) Str(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t* v) {
    if (in_.size() < sizeof *v) return false;
    memcpy(v, in_.data(), sizeof *v);
    in_.remove_prefix(sizeof *v);
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!U64(&n) || n > in_.size()) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool List(std::vector<std::string>* list) {
    uint64_t n;
    if (!U64(&n) || n > in_.size()) return false;  // every entry needs at least 8 bytes
    list->resize(n);
    for (auto& s : *list) {
      if (!Str(&s)) return false;
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeRuleSet(const RuleSet& rules) {
  Writer w;
  w.out() = kMagic;
  w.U64(rules.rules.size());
  for (const Rule& r : rules.rules) {
    w.Str(r.id);
    w.Str(r.name);
    w.Str(r.pattern);
    w.List(r.keywords);
    uint64_t entropy_bits;
    memcpy(&entropy_bits, &r.min_entropy, sizeof entropy_bits);
    w.U64(entropy_bits);
    w.U64(static_cast<uint64_t>(r.checksum));
    w.U64(r.multiline ? 1 : 0);
    w.Str(r.confidence);
    w.List(r.references);
    w.List(r.examples);
    w.List(r.negative_examples);
    w.Str(r.source);
    w.U64(r.source_line);
  }
  return std::move(w.out());
}

Result<RuleSet> DecodeRuleSet(std::string_view data) {
  auto bad = [] { return Status::Corruption("cached rule set is damaged"); };
  if (data.substr(0, kMagic.size()) != kMagic) return bad();
  Reader r(data.substr(kMagic.size()));
  uint64_t count;
  if (!r.U64(&count) || count > data.size()) return bad();
  RuleSet set;
  set.rules.resize(count);
  for (Rule& rule : set.rules) {
    uint64_t entropy_bits, checksum, multiline, line;
    if (!r.Str(&rule.id) || !r.Str(&rule.name) || !r.Str(&rule.pattern) || !r.List(&rule.keywords) ||
        !r.U64(&entropy_bits) || !r.U64(&checksum) || !r.U64(&multiline) || !r.Str(&rule.confidence) ||
        !r.List(&rule.references) || !r.List(&rule.examples) || !r.List(&rule.negative_examples) ||
        !r.Str(&rule.source) || !r.U64(&line)) {
      return bad();
    }
    memcpy(&rule.min_entropy, &entropy_bits, sizeof entropy_bits);
    if (checksum > static_cast<uint64_t>(Checksum::kNpm) || multiline > 1) return bad();
    rule.checksum = static_cast<Checksum>(checksum);
    rule.multiline = multiline == 1;
    rule.source_line = line;
  }
  if (!r.done()) return bad();
  return set;
}

std::string RuleSetCacheKey(const std::vector<RuleSource>& sources, const std::vector<std::string>& disabled) {
  if (sodium_init() < 0) return "";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  auto field = [&](std::string_view s) {
    uint64_t n = s.size();
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  field(kMagic);
  for (const auto& src : sources) {
    field(src.name);
    field(src.contents);
  }
  field("disabled");
  for (const auto& id : disabled) field(id);
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return HexBytes(out, sizeof out);
}

}  // namespace pushgate::scanner
