// Prometheus text format writing.
#include "core/prometheus_text.h"

#include <cstdio>

namespace regsweep {

void PrometheusText::Family(const char* name, const char* help) {
  out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
}

void PrometheusText::Sample(const std::string& name, const std::string& labels,
                            const std::string& value) {
  out_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + value + "\n";
}

void PrometheusText::Sample(const std::string& name, const std::string& labels, uint64_t value) {
  Sample(name, labels, std::to_string(value));
}

void PrometheusText::Sample(const std::string& name, const std::string& labels, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  Sample(name, labels, std::string(text));
}

std::string PrometheusLabel(const char* key, const std::string& value) {
  std::string out = std::string(key) + "=\"";
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace regsweep
