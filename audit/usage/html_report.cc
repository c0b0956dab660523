// The HTML report: one self-contained page (inline CSS and SVG, no script, no network) with
// three charts - repositories by exclusive and shared bytes, the bytes shared between the
// largest repositories, and the reclaimable total - followed by the tables.
#include <algorithm>
#include <cstdio>
#include <map>

#include "audit/usage/report.h"
#include "core/format.h"
#include "core/xml_escape.h"

namespace regsweep::usage {
namespace {

constexpr size_t kRepositoryBars = 20;
constexpr size_t kMatrixSize = 8;

std::string Num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

double Scale(uint64_t value, uint64_t max, double width) {
  return max == 0 ? 0 : width * static_cast<double>(value) / static_cast<double>(max);
}

std::vector<const RepositoryUsage*> LargestRepositories(const Usage& usage, size_t count) {
  std::vector<const RepositoryUsage*> rows;
  for (const RepositoryUsage& row : usage.repositories) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
    return a->logical_bytes > b->logical_bytes;
  });
  if (rows.size() > count) rows.resize(count);
  return rows;
}

std::string RepositoriesChart(const Usage& usage) {
  const auto rows = LargestRepositories(usage, kRepositoryBars);
  const double label = 220, width = 520, row_height = 24;
  uint64_t max = 0;
  for (const auto* row : rows) max = std::max(max, row->logical_bytes);
  const double height = 30 + row_height * static_cast<double>(rows.size());
  std::string svg =
      "<svg id=\"chart-repositories\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"" +
      Num(label + width + 110) + "\" height=\"" + Num(height) + "\" role=\"img\">\n";
  svg += "<title>Repositories by exclusive and shared bytes</title>\n";
  svg += "<rect class=\"legend exclusive\" x=\"" + Num(label) +
         "\" y=\"4\" width=\"12\" height=\"12\"/>"
         "<text x=\"" +
         Num(label + 16) +
         "\" y=\"14\">exclusive</text>"
         "<rect class=\"legend shared\" x=\"" +
         Num(label + 100) +
         "\" y=\"4\" width=\"12\" height=\"12\"/>"
         "<text x=\"" +
         Num(label + 116) + "\" y=\"14\">shared</text>\n";
  double y = 26;
  for (const auto* row : rows) {
    const double exclusive = Scale(row->exclusive_bytes, max, width);
    const double shared = Scale(row->shared_bytes, max, width);
    svg += "<g class=\"row\" data-repository=\"" + EscapeXml(row->name) + "\">";
    svg += "<text class=\"label\" x=\"" + Num(label - 6) + "\" y=\"" + Num(y + 15) +
           "\" text-anchor=\"end\">" + EscapeXml(row->name) + "</text>";
    svg += "<rect class=\"bar exclusive\" data-bytes=\"" + std::to_string(row->exclusive_bytes) +
           "\" x=\"" + Num(label) + "\" y=\"" + Num(y) + "\" width=\"" + Num(exclusive) +
           "\" height=\"18\"><title>" + EscapeXml(row->name) + ": " +
           FormatBytes(row->exclusive_bytes) + " exclusive</title></rect>";
    svg += "<rect class=\"bar shared\" data-bytes=\"" + std::to_string(row->shared_bytes) +
           "\" x=\"" + Num(label + exclusive) + "\" y=\"" + Num(y) + "\" width=\"" + Num(shared) +
           "\" height=\"18\"><title>" + EscapeXml(row->name) + ": " +
           FormatBytes(row->shared_bytes) + " shared</title></rect>";
    svg += "<text class=\"value\" x=\"" + Num(label + exclusive + shared + 6) + "\" y=\"" +
           Num(y + 15) + "\">" + FormatBytes(row->logical_bytes) + "</text></g>\n";
    y += row_height;
  }
  return svg + "</svg>\n";
}

std::string SharingChart(const Usage& usage) {
  const auto rows = LargestRepositories(usage, kMatrixSize);
  std::map<std::pair<std::string, std::string>, uint64_t> shared;
  uint64_t max = 0;
  for (const SharedPair& pair : usage.shared_pairs) {
    shared[{pair.first, pair.second}] = pair.bytes;
    shared[{pair.second, pair.first}] = pair.bytes;
  }
  for (const auto* a : rows) {
    for (const auto* b : rows) {
      if (a != b) max = std::max(max, shared[{a->name, b->name}]);
    }
  }
  const double label = 220, cell = 56, top = 150;
  const double n = static_cast<double>(rows.size());
  std::string svg =
      "<svg id=\"chart-sharing\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
      Num(label + cell * n + 10) + "\" height=\"" + Num(top + cell * n + 10) +
      "\" role=\"img\">\n<title>Bytes shared between the largest repositories</title>\n";
  for (size_t j = 0; j < rows.size(); ++j) {
    const double x = label + cell * static_cast<double>(j) + cell / 2;
    svg += "<text class=\"label column\" transform=\"translate(" + Num(x) + "," + Num(top - 6) +
           ") rotate(-40)\">" + EscapeXml(rows[j]->name) + "</text>\n";
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const double y = top + cell * static_cast<double>(i);
    svg += "<text class=\"label\" x=\"" + Num(label - 6) + "\" y=\"" + Num(y + cell / 2 + 4) +
           "\" text-anchor=\"end\">" + EscapeXml(rows[i]->name) + "</text>\n";
    for (size_t j = 0; j < rows.size(); ++j) {
      const double x = label + cell * static_cast<double>(j);
      const bool diagonal = i == j;
      const uint64_t bytes =
          diagonal ? rows[i]->logical_bytes : shared[{rows[i]->name, rows[j]->name}];
      const double opacity = diagonal ? 1.0 : 0.08 + 0.92 * Scale(bytes, max, 1.0);
      svg += "<rect class=\"cell" + std::string(diagonal ? " diagonal" : "") + "\" data-first=\"" +
             EscapeXml(rows[i]->name) + "\" data-second=\"" + EscapeXml(rows[j]->name) +
             "\" data-bytes=\"" + std::to_string(bytes) + "\" x=\"" + Num(x) + "\" y=\"" + Num(y) +
             "\" width=\"" + Num(cell - 2) + "\" height=\"" + Num(cell - 2) + "\" fill-opacity=\"" +
             Num(opacity) + "\"><title>" + EscapeXml(rows[i]->name) +
             (diagonal ? "" : " and " + EscapeXml(rows[j]->name)) + ": " + FormatBytes(bytes) +
             (diagonal ? " logical" : " shared") + "</title></rect>";
      svg += "<text class=\"cell-value\" x=\"" + Num(x + cell / 2 - 1) + "\" y=\"" +
             Num(y + cell / 2 + 3) + "\" text-anchor=\"middle\">" +
             (bytes == 0 ? std::string() : FormatBytes(bytes)) + "</text>\n";
    }
  }
  return svg + "</svg>\n";
}

std::string ReclaimableChart(const Totals& t) {
  const double width = 640;
  const uint64_t total = t.referenced_bytes + t.unreferenced_bytes;
  const double referenced = Scale(t.referenced_bytes, total, width);
  std::string svg =
      "<svg id=\"chart-reclaimable\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"" +
      Num(width + 20) +
      "\" height=\"70\" role=\"img\">\n<title>Referenced and reclaimable bytes</title>\n";
  svg += "<rect class=\"segment referenced\" data-bytes=\"" + std::to_string(t.referenced_bytes) +
         "\" x=\"0\" y=\"0\" width=\"" + Num(referenced) +
         "\" height=\"28\"><title>referenced: " + FormatBytes(t.referenced_bytes) +
         "</title></rect>";
  svg += "<rect class=\"segment reclaimable\" data-bytes=\"" +
         std::to_string(t.unreferenced_bytes) + "\" x=\"" + Num(referenced) +
         "\" y=\"0\" width=\"" + Num(width - referenced) +
         "\" height=\"28\"><title>reclaimable: " + FormatBytes(t.unreferenced_bytes) +
         "</title></rect>\n";
  svg += "<text x=\"0\" y=\"48\">referenced " + FormatBytes(t.referenced_bytes) +
         "</text><text x=\"" + Num(width) +
         "\" y=\"48\" text-anchor=\"end\">reclaimable with gc -m " +
         FormatBytes(t.unreferenced_bytes) + "</text>\n";
  return svg + "</svg>\n";
}

std::string Cell(const std::string& text, bool number = false) {
  return std::string(number ? "<td class=\"n\">" : "<td>") + EscapeXml(text) + "</td>";
}

std::string Tables(const Usage& usage, const ReportOptions& options) {
  std::string html =
      "<h2>Repositories</h2>\n<table "
      "id=\"repositories\"><thead><tr><th>Repository</th><th>Tags</th>"
      "<th>Manifests</th><th>Logical</th><th>Exclusive</th><th>Shared</th><th>Shares most with</th>"
      "</tr></thead><tbody>\n";
  for (const RepositoryUsage& row : usage.repositories) {
    std::string partners;
    for (const SharedPair& pair : SharesOf(usage, row.name, 3)) {
      partners += (partners.empty() ? "" : ", ") + pair.second + " " + FormatBytes(pair.bytes);
    }
    html += "<tr>" + Cell(row.name + (row.kept_whole ? " (kept whole)" : "")) +
            Cell(std::to_string(row.tags), true) + Cell(std::to_string(row.manifests), true) +
            Cell(FormatBytes(row.logical_bytes), true) +
            Cell(FormatBytes(row.exclusive_bytes), true) +
            Cell(FormatBytes(row.shared_bytes), true) + Cell(partners) + "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (options.tags) {
    html +=
        "<h2>Tags</h2>\n<table id=\"tags\"><thead><tr><th>Repository</th><th>Tag</th>"
        "<th>Manifest</th><th>Size</th><th>Exclusive</th></tr></thead><tbody>\n";
    for (const TagUsage& row : usage.tags) {
      html += "<tr>" + Cell(row.repository) + Cell(row.tag) +
              Cell(row.manifest.ToString().substr(0, 19)) +
              Cell(FormatBytes(row.size_bytes), true) +
              Cell(FormatBytes(row.exclusive_bytes), true) + "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  if (!usage.top_blobs.empty()) {
    html +=
        "<h2>Largest blobs</h2>\n<table id=\"blobs\"><thead><tr><th>Blob</th><th>Size</th>"
        "<th>Used by</th></tr></thead><tbody>\n";
    for (const BlobUsage& blob : usage.top_blobs) {
      std::string used;
      for (const std::string& name : blob.tags) used += (used.empty() ? "" : ", ") + name;
      html += "<tr>" + Cell(blob.digest.ToString().substr(0, 19)) +
              Cell(FormatBytes(blob.size), true) + Cell(used.empty() ? "unreferenced" : used) +
              "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html;
}

}  // namespace

std::string HtmlReport(const UsageOutcome& outcome, const ReportOptions& options) {
  const Usage& usage = outcome.usage;
  const Totals& t = usage.totals;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f", t.dedup_ratio);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>regsweep usage: " +
      EscapeXml(outcome.v2_path) +
      "</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}\n"
      "table{border-collapse:collapse;margin-bottom:2em}td,th{padding:2px 10px;border-bottom:1px "
      "solid #ddd;text-align:left}\n"
      "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
      ".chart{display:block;margin-bottom:2em}.chart text{font-size:12px}\n"
      ".exclusive{fill:#d9534f}.shared{fill:#5b8dd6}.cell{fill:#5b8dd6}.cell.diagonal{fill:#bbb}\n"
      ".referenced{fill:#5cb85c}.reclaimable{fill:#f0ad4e}.cell-value{font-size:9px!important}\n"
      "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{font-weight:bold}\n"
      "</style></head><body>\n<h1>regsweep usage</h1>\n<p>" +
      EscapeXml(outcome.v2_path) + "</p>\n";
  html += "<dl id=\"totals\"><dt>Blobs on disk</dt><dd>" + std::to_string(t.blobs) + " (" +
          FormatBytes(t.blob_bytes) + ", " + FormatBytes(t.allocated_bytes) +
          " allocated)</dd><dt>Referenced</dt><dd>" + FormatBytes(t.referenced_bytes) +
          "</dd><dt>Reclaimable</dt><dd>" + FormatBytes(t.unreferenced_bytes) + " with gc -m, " +
          FormatBytes(t.unused_by_manifests_bytes) + " with gc</dd><dt>Objects</dt><dd>" +
          std::to_string(t.manifests) + " manifests, " + std::to_string(t.tags) + " tags, " +
          std::to_string(t.repositories) + " repositories</dd><dt>Dedup ratio</dt><dd>" + ratio +
          "</dd></dl>\n";
  html += "<h2>Reclaimable</h2>\n" + ReclaimableChart(t);
  html += "<h2>Repositories by exclusive and shared bytes</h2>\n" + RepositoriesChart(usage);
  html += "<h2>Shared between the largest repositories</h2>\n" + SharingChart(usage);
  html += Tables(usage, options);
  return html + "</body></html>\n";
}

}  // namespace regsweep::usage
