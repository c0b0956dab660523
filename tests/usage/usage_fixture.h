// Test support for usage: a small registry with known sharing, and the sizes of everything in
// it, so that tests can write every expected number as a hand computation.
//
//   lib/base   tags 1.0 and stable -> manifest B {config cB; layers os, libs}
//   apps/web   tag 1.0 -> W {cW; os, libs, web}; referrer S {cS; sig} whose subject is W;
//              an untagged manifest U {cU; old}
//   multi      tag 1.0 -> index I [A, R]; tag amd64 -> A (a child of I)
//              A {cA; os, amd}, R {cR; arm}
//   an orphan blob nobody references
#ifndef REGSWEEP_TESTS_USAGE_USAGE_FIXTURE_H_
#define REGSWEEP_TESTS_USAGE_USAGE_FIXTURE_H_

#include <string>

#include "tests/testing/registry_builder.h"

namespace regsweep::testing {

struct SharingRegistry {
  explicit SharingRegistry(RegistryBuilder& b) {
    B = b.PushImage("lib/base", {os, libs}, kOciManifest, std::nullopt, cB);
    b.Tag("lib/base", "1.0", B.digest);
    b.Tag("lib/base", "stable", B.digest);
    W = b.PushImage("apps/web", {os, libs, web}, kOciManifest, std::nullopt, cW);
    b.Tag("apps/web", "1.0", W.digest);
    S = b.PushImage("apps/web", {sig}, kOciManifest, W, cS);
    U = b.PushImage("apps/web", {old}, kOciManifest, std::nullopt, cU);
    A = b.PushImage("multi", {os, amd}, kOciManifest, std::nullopt, cA);
    R = b.PushImage("multi", {arm}, kOciManifest, std::nullopt, cR);
    I = b.PushIndex("multi", {A, R});
    b.Tag("multi", "1.0", I.digest);
    b.Tag("multi", "amd64", A.digest);
    b.AddBlob(orphan);
  }

  // Layers (sizes in the names) and configs.
  const std::string os = std::string(1000, 'o');
  const std::string libs = std::string(500, 'l');
  const std::string web = std::string(300, 'w');
  const std::string sig = std::string(40, 's');
  const std::string amd = std::string(200, 'a');
  const std::string arm = std::string(150, 'r');
  const std::string old = std::string(60, 'u');
  const std::string orphan = std::string(77, 'x');
  const std::string cB = "{\"config\":\"base\"}";
  const std::string cW = "{\"config\":\"web\"}";
  const std::string cS = "{\"config\":\"signature\"}";
  const std::string cU = "{\"config\":\"untagged\"}";
  const std::string cA = "{\"config\":\"amd64\"}";
  const std::string cR = "{\"config\":\"arm64\"}";
  // Manifests (their sizes are the JSON the builder wrote).
  Blob B, W, S, U, A, R, I;
};

}  // namespace regsweep::testing

#endif  // REGSWEEP_TESTS_USAGE_USAGE_FIXTURE_H_
