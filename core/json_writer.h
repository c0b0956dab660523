// A minimal streaming JSON writer for reports and plans (objects, arrays, strings, numbers).
// Commas and escaping are handled here so that report code reads like the document it writes.
#ifndef REGSWEEP_CORE_JSON_WRITER_H_
#define REGSWEEP_CORE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regsweep {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value, int decimals = 3);
  JsonWriter& Bool(bool value);

  // Shorthands for "key": value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Escapes a string for inclusion in JSON (without the quotes).
std::string JsonEscape(std::string_view text);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_JSON_WRITER_H_
