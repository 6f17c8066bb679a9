#include "common/config_dirs.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace ccmeter {

namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// Where a transcript stands in the order find_transcripts gives: its session's group, then the
// main file before the subagents' files, then by path. A session's main file is
// `<project>/<id>.jsonl` and its subagents' `<project>/<id>/subagents/agent-*.jsonl`; clients
// before 2.1 wrote subagents as `<project>/agent-*.jsonl`, which go after every session of
// their project.
struct TranscriptOrder {
    std::string group;
    bool subagent = false;
    std::string path;
    bool operator<(const TranscriptOrder& other) const {
        if (group != other.group)
            return group < other.group;
        if (subagent != other.subagent)
            return !subagent;
        return path < other.path;
    }
};

TranscriptOrder transcript_order(const fs::path& file) {
    TranscriptOrder order;
    order.path = file.native();
    const fs::path parent = file.parent_path();
    if (parent.filename() == "subagents") {
        order.group = parent.parent_path().native();
        order.subagent = true;
    } else if (file.filename().native().rfind("agent-", 0) == 0) {
        order.group = (parent / "\xff").native();
        order.subagent = true;
    } else {
        order.group = (parent / file.stem()).native();
    }
    return order;
}

fs::path normalised(const fs::path& dir) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(dir, ec);
    return ec ? dir.lexically_normal() : canonical;
}

}  // namespace

std::vector<fs::path> resolve_config_dirs(const std::string& claude_config_dir,
                                          const std::string& home,
                                          const std::string& xdg_config_home) {
    std::vector<fs::path> candidates;
    if (!claude_config_dir.empty()) {
        size_t start = 0;
        while (start <= claude_config_dir.size()) {
            size_t comma = claude_config_dir.find(',', start);
            if (comma == std::string::npos)
                comma = claude_config_dir.size();
            std::string item = claude_config_dir.substr(start, comma - start);
            while (!item.empty() && item.back() == ' ')
                item.pop_back();
            while (!item.empty() && item.front() == ' ')
                item.erase(item.begin());
            if (!item.empty())
                candidates.emplace_back(item);
            start = comma + 1;
        }
    } else {
        if (!home.empty())
            candidates.push_back(fs::path(home) / ".claude");
        fs::path xdg = !xdg_config_home.empty() ? fs::path(xdg_config_home)
                       : !home.empty()          ? fs::path(home) / ".config"
                                                : fs::path();
        if (!xdg.empty())
            candidates.push_back(xdg / "claude");
    }
    std::vector<fs::path> result;
    for (const fs::path& candidate : candidates) {
        fs::path dir = normalised(candidate);
        if (std::find(result.begin(), result.end(), dir) == result.end())
            result.push_back(dir);
    }
    return result;
}

std::vector<fs::path> config_dirs_from_environment() {
    return resolve_config_dirs(env_or_empty("CLAUDE_CONFIG_DIR"), env_or_empty("HOME"),
                               env_or_empty("XDG_CONFIG_HOME"));
}

std::vector<fs::path> find_transcripts(const fs::path& config_dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    fs::path root = config_dir / "projects";
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        return files;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        const fs::directory_entry& entry = *it;
        if (entry.path().extension() != ".jsonl")
            continue;
        std::error_code type_ec;
        if (entry.is_directory(type_ec))
            continue;
        files.push_back(entry.path());
    }
    std::vector<std::pair<TranscriptOrder, size_t>> order;
    order.reserve(files.size());
    for (size_t i = 0; i < files.size(); ++i)
        order.emplace_back(transcript_order(files[i]), i);
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<fs::path> sorted;
    sorted.reserve(files.size());
    for (const auto& [key, index] : order)
        sorted.push_back(std::move(files[index]));
    return sorted;
}

}  // namespace ccmeter
