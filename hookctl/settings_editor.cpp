#include "hookctl/settings_editor.hpp"

#include "common/atomic_file.hpp"
#include "hookctl/pretty_json.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

namespace ccmeter {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr mode_t k_new_file_mode = 0600;
constexpr std::string_view k_hook_subcommand = "hook";
constexpr std::string_view k_status_line_subcommand = "statusline";
constexpr std::string_view k_backup_infix = ".ccmeter-backup-";

Error error(std::string message) {
    return Error{std::move(message)};
}

// A path converts to std::string and so to Error too: say which side it is.
Result<fs::path> path_result(fs::path path) {
    return Result<fs::path>(boost::system::in_place_value, std::move(path));
}

std::string errno_text(int number) {
    return std::strerror(number);
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

bool is_shell_safe(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("/._+:@%,=-").find(c) != std::string_view::npos;
}

std::string shell_quoted(const std::string& word) {
    if (!word.empty() && std::all_of(word.begin(), word.end(), is_shell_safe))
        return word;
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'')
            quoted += "'\\''";
        else
            quoted.push_back(c);
    }
    quoted.push_back('\'');
    return quoted;
}

// The "command" string of a hook entry or statusLine object, if it has one.
const json::string* command_of(const json::value& entry) {
    const json::object* object = entry.if_object();
    if (!object)
        return nullptr;
    const json::value* command = object->if_contains("command");
    return command ? command->if_string() : nullptr;
}

// How a foreign statusLine is named in reports: its command, else its JSON.
std::string status_line_name(const json::value& status_line) {
    if (const json::string* command = command_of(status_line))
        return std::string(*command);
    return json::serialize(status_line);
}

json::object our_hook_group(const std::string& hook_command) {
    json::object entry;
    entry["type"] = "command";
    entry["command"] = hook_command;
    entry["timeout"] = k_hook_timeout_seconds;
    json::object group;
    group["matcher"] = "";
    group["hooks"] = json::array{json::value(std::move(entry))};
    return group;
}

json::object our_status_line(const std::string& status_command) {
    json::object status_line;
    status_line["type"] = "command";
    status_line["command"] = status_command;
    status_line["padding"] = k_status_line_padding;
    status_line["refreshInterval"] = k_status_line_refresh_seconds;
    return status_line;
}

// Checks the shapes install_into relies on before anything is edited.
Result<void> check_install_shape(const json::object& root, bool adds_telemetry) {
    if (const json::value* env = root.if_contains("env");
        adds_telemetry && env && !env->is_object())
        return error("\"env\" is not an object (hookctl install --no-telemetry leaves it alone)");
    const json::value* hooks = root.if_contains("hooks");
    if (!hooks)
        return {};
    if (!hooks->is_object())
        return error("\"hooks\" is not an object");
    for (std::string_view event : k_hook_events) {
        const json::value* groups = hooks->get_object().if_contains(event);
        if (!groups)
            continue;
        if (!groups->is_array())
            return error("\"hooks\"." + std::string(event) + " is not an array");
        for (const json::value& group : groups->get_array()) {
            if (!group.is_object())
                return error("\"hooks\"." + std::string(event) +
                             " holds a matcher group that is not an object");
            const json::value* entries = group.get_object().if_contains("hooks");
            if (entries && !entries->is_array())
                return error("\"hooks\"." + std::string(event) +
                             " holds a matcher group whose \"hooks\" is not an array");
        }
    }
    return {};
}

// --- telemetry ("env") ----------------------------------------------------------------------

json::object* env_of(json::object& root) {
    json::value* env = root.if_contains("env");
    return env ? env->if_object() : nullptr;
}

const json::object* env_of(const json::object& root) {
    const json::value* env = root.if_contains("env");
    return env ? env->if_object() : nullptr;
}

// Whether `value` is a string that `accepts` (a TelemetryEnv predicate) for `key`.
template <class Accepts>
bool string_accepted(std::string_view key, const json::value& value, Accepts accepts) {
    const json::string* text = value.if_string();
    return text && accepts(key, std::string_view(*text));
}

// Telemetry keys of `env` whose value is not ours (nor an older token of ours).
std::vector<std::string> foreign_telemetry_keys(const json::object& env, const TelemetryEnv& ours) {
    std::vector<std::string> foreign;
    for (const json::key_value_pair& member : env) {
        if (!is_telemetry_key(member.key()))
            continue;
        if (!string_accepted(member.key(), member.value(),
                             [&](std::string_view key, std::string_view value) {
                                 return ours.is_ours_or_older(key, value);
                             }))
            foreign.emplace_back(member.key());
    }
    return foreign;
}

// Removes from "env" the keys install writes whose value is exactly ours, when our endpoint or
// header is among them (and "env" itself when that empties it); appends their names to
// `removed` and the names of install's keys it keeps to `kept`.
void remove_our_telemetry(json::object& root, const TelemetryEnv& ours,
                          std::vector<std::string>& removed, std::vector<std::string>& kept) {
    json::object* env = env_of(root);
    if (!env)
        return;
    const auto is_ours = [&](std::string_view key, std::string_view value) {
        return ours.is_ours(key, value);
    };
    // The fixed values ("1", "otlp"...) are anybody's: they are ours only in a set that our
    // endpoint or our header identifies.
    const auto holds_ours = [&](std::string_view key) {
        const json::value* value = env->if_contains(key);
        return value && string_accepted(key, *value, is_ours);
    };
    const bool identified = holds_ours(k_otlp_endpoint_key) || holds_ours(k_otlp_headers_key);
    std::vector<std::string> to_remove;
    for (const json::key_value_pair& member : *env) {
        if (!ours.is_install_key(member.key()))
            continue;
        if (identified && string_accepted(member.key(), member.value(), is_ours))
            to_remove.emplace_back(member.key());
        else
            kept.emplace_back(member.key());
    }
    for (const std::string& key : to_remove)
        env->stable_erase(key);
    if (!to_remove.empty() && env->empty())
        root.stable_erase("env");
    removed.insert(removed.end(), to_remove.begin(), to_remove.end());
}

void install_telemetry(json::object& root, const TelemetryRequest& telemetry,
                       InstallReport& report) {
    if (!telemetry.enable) {
        std::vector<std::string> kept;
        remove_our_telemetry(root, telemetry.ours, report.telemetry_removed, kept);
        report.telemetry = TelemetryChange::disabled;
        return;
    }
    if (const json::object* env = env_of(root))
        report.telemetry_foreign = foreign_telemetry_keys(*env, telemetry.ours);
    for (const EnvEntry& variable : telemetry.environment)
        if (!telemetry.ours.is_ours_or_older(variable.key, variable.value))
            report.telemetry_variables.push_back(variable.key);
    if (!report.telemetry_foreign.empty() || !report.telemetry_variables.empty()) {
        report.telemetry = TelemetryChange::kept_users_own;
        return;
    }
    if (!root.contains("env"))
        root.emplace("env", json::object());
    json::object& env = root.at("env").get_object();
    for (const EnvEntry& entry : telemetry.ours.entries()) {
        json::value* value = env.if_contains(entry.key);
        if (!value) {
            env.emplace(entry.key, entry.value);
            report.telemetry_added.push_back(entry.key);
        } else if (!value->is_string() || value->get_string() != entry.value) {
            *value = entry.value;  // an older token of ours: rewritten in place
            report.telemetry_updated.push_back(entry.key);
        }
    }
    report.telemetry = report.telemetry_added.empty() && report.telemetry_updated.empty()
                           ? TelemetryChange::unchanged
                           : TelemetryChange::configured;
}

void describe_telemetry(const json::object& root, const TelemetryEnv& ours,
                        SettingsDescription& description) {
    const json::object* env = env_of(root);
    bool any = false;
    if (env) {
        description.telemetry_foreign = foreign_telemetry_keys(*env, ours);
        for (const json::key_value_pair& member : *env)
            any = any || is_telemetry_key(member.key());
    }
    bool header_checked = false;
    for (const EnvEntry& entry : ours.entries()) {
        header_checked = header_checked || entry.key == k_otlp_headers_key;
        const json::value* value = env ? env->if_contains(entry.key) : nullptr;
        if (!value)
            description.telemetry_missing.push_back(entry.key);
        else if (entry.key == k_otlp_headers_key && value->is_string() &&
                 value->get_string() != entry.value)
            description.telemetry_older_token = true;
    }
    if (!header_checked) {  // no token known: a header of ours holds one we cannot check
        if (env && env->contains(k_otlp_headers_key))
            description.telemetry_older_token = true;
        else
            description.telemetry_missing.emplace_back(k_otlp_headers_key);
    }
    if (!description.telemetry_foreign.empty())
        description.telemetry = TelemetryState::users_own;
    else if (!any)
        description.telemetry = TelemetryState::off;
    else if (!description.telemetry_missing.empty())
        description.telemetry = TelemetryState::incomplete;
    else
        description.telemetry = TelemetryState::ours;
}

// --- files ----------------------------------------------------------------------------------

// Literals a JSON value cannot hold as written: numbers (`1.50` would become `1.5`, `1e400`
// null) and every occurrence but the last of a key repeated in one object (a parser keeps only
// one; Claude Code, like JSON.parse, uses the last). Before parsing for an edit they are swapped
// for unique placeholder strings, and after rendering the placeholders are swapped back, so an
// edit changes only the bytes it must.
class KeptLiterals {
  public:
    // `text` (valid JSON) with those literals replaced by "ccmeter-<nonce>-<index>" strings.
    std::string protect(std::string_view text);
    // `rendered` with the placeholders put back as the original literals.
    std::string restore(std::string_view rendered) const;

  private:
    std::string placeholder(size_t index) const {
        return "\"ccmeter-" + m_nonce + "-" + std::to_string(index) + "\"";
    }
    std::string m_nonce;
    std::vector<std::string> m_literals;  // by placeholder index: the original text
};

std::string KeptLiterals::protect(std::string_view text) {
    std::random_device entropy;
    do {
        char nonce[17];
        std::snprintf(nonce, sizeof nonce, "%08x%08x", entropy(), entropy());
        m_nonce = nonce;
    } while (text.find(m_nonce) != std::string_view::npos);

    struct Replacement {
        size_t begin, end;
    };
    struct Frame {
        bool object = false;
        bool expect_key = false;
        std::vector<std::pair<std::string_view, size_t>> keys;  // raw key, its offset
    };
    std::vector<Replacement> replacements;
    std::vector<Frame> stack;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '{' || c == '[') {
            stack.push_back(Frame{c == '{', c == '{', {}});
            ++i;
        } else if (c == '}' || c == ']') {
            if (!stack.empty()) {
                const Frame& frame = stack.back();
                for (size_t k = 0; k < frame.keys.size(); ++k) {
                    bool repeated_later = false;
                    for (size_t later = k + 1; later < frame.keys.size() && !repeated_later;
                         ++later)
                        repeated_later = frame.keys[later].first == frame.keys[k].first;
                    if (repeated_later)
                        replacements.push_back({frame.keys[k].second,
                                                frame.keys[k].second + frame.keys[k].first.size()});
                }
                stack.pop_back();
            }
            ++i;
        } else if (c == ',') {
            if (!stack.empty() && stack.back().object)
                stack.back().expect_key = true;
            ++i;
        } else if (c == ':') {
            if (!stack.empty())
                stack.back().expect_key = false;
            ++i;
        } else if (c == '"') {
            size_t end = i + 1;
            while (end < text.size() && text[end] != '"')
                end += text[end] == '\\' ? 2 : 1;
            end = std::min(end + 1, text.size());
            if (!stack.empty() && stack.back().object && stack.back().expect_key)
                stack.back().keys.emplace_back(text.substr(i, end - i), i);
            i = end;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t end = i;
            while (end < text.size() &&
                   std::string_view("0123456789+-.eE").find(text[end]) != std::string_view::npos)
                ++end;
            replacements.push_back({i, end});
            i = end;
        } else {
            ++i;  // blanks, true, false, null
        }
    }
    std::sort(replacements.begin(), replacements.end(),
              [](const Replacement& a, const Replacement& b) { return a.begin < b.begin; });
    std::string out;
    out.reserve(text.size() + replacements.size() * 32);
    size_t done = 0;
    for (const Replacement& replacement : replacements) {
        out.append(text.substr(done, replacement.begin - done));
        out.append(placeholder(m_literals.size()));
        m_literals.emplace_back(
            text.substr(replacement.begin, replacement.end - replacement.begin));
        done = replacement.end;
    }
    out.append(text.substr(done));
    return out;
}

std::string KeptLiterals::restore(std::string_view rendered) const {
    if (m_literals.empty())
        return std::string(rendered);
    const std::string prefix = "\"ccmeter-" + m_nonce + "-";
    std::string out;
    out.reserve(rendered.size());
    for (;;) {
        const size_t at = rendered.find(prefix);
        if (at == std::string_view::npos)
            break;
        size_t end = at + prefix.size();
        size_t index = 0;
        while (end < rendered.size() && rendered[end] >= '0' && rendered[end] <= '9')
            index = index * 10 + static_cast<size_t>(rendered[end++] - '0');
        if (end >= rendered.size() || rendered[end] != '"' || index >= m_literals.size()) {
            out.append(rendered.substr(0, end));  // not one of ours after all
            rendered.remove_prefix(end);
            continue;
        }
        out.append(rendered.substr(0, at));
        out.append(m_literals[index]);
        rendered.remove_prefix(end + 1);
    }
    out.append(rendered);
    return out;
}

struct SettingsFile {
    fs::path real_path;  // where the bytes live (a symlink followed)
    bool exists = false;
    std::string text;
    mode_t mode = k_new_file_mode;
    KeptLiterals kept;  // of `text`, for store()
};

Result<SettingsFile> read_settings_file(const fs::path& settings_path) {
    SettingsFile file;
    file.real_path = settings_path;
    struct stat link_status {};
    if (::lstat(settings_path.c_str(), &link_status) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return file;
        return error(settings_path.string() + ": " + errno_text(errno));
    }
    if (S_ISLNK(link_status.st_mode)) {
        std::error_code ec;
        file.real_path = fs::weakly_canonical(settings_path, ec);
        if (ec)
            return error(settings_path.string() + ": cannot follow the link: " + ec.message());
    }
    struct stat status {};
    if (::stat(file.real_path.c_str(), &status) != 0) {
        if (errno == ENOENT)
            return file;  // a dangling link: the target will be created
        return error(file.real_path.string() + ": " + errno_text(errno));
    }
    if (!S_ISREG(status.st_mode))
        return error(file.real_path.string() + ": not a regular file");
    file.exists = true;
    file.mode = status.st_mode & 07777;
    std::ifstream in(file.real_path, std::ios::binary);
    if (!in)
        return error(file.real_path.string() + ": cannot open for reading");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad())
        return error(file.real_path.string() + ": read error");
    file.text = std::move(content).str();
    return file;
}

std::string utc_stamp() {
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    ::gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
    return text;
}

// Copies the current bytes next to the settings path under a name not taken yet.
Result<fs::path> write_backup(const fs::path& settings_path, std::string_view text, mode_t mode) {
    const std::string base = settings_path.string() + std::string(k_backup_infix) + utc_stamp();
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const fs::path candidate = attempt == 0 ? base : base + "-" + std::to_string(attempt);
        const int fd =
            ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k_new_file_mode);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return error(candidate.string() + ": cannot create the backup: " + errno_text(errno));
        }
        Result<void> written = [&]() -> Result<void> {
            if (::fchmod(fd, mode) != 0)
                return error(candidate.string() + ": chmod failed: " + errno_text(errno));
            return write_all_and_sync(fd, text, candidate);
        }();
        ::close(fd);
        if (!written) {
            ::unlink(candidate.c_str());
            return written.error();
        }
        return path_result(candidate);
    }
    return error(base + ": too many backups with this name");
}

std::string untouched(const std::string& message) {
    return message + "; the file was left untouched";
}

// Reads and parses the file for an edit; a missing file is `{}`.
Result<std::pair<SettingsFile, json::value>> load(const fs::path& settings_path) {
    Result<SettingsFile> file = read_settings_file(settings_path);
    if (!file)
        return file.error();
    if (!file->exists)
        return std::pair{std::move(*file), json::value(json::object())};
    Result<json::value> settings = parse_settings(file->text);  // errors point into the file
    if (!settings)
        return error(settings_path.string() + ": " + settings.error().message);
    settings = parse_settings(file->kept.protect(file->text));
    if (!settings)
        return error(settings_path.string() + ": " + settings.error().message);
    return std::pair{std::move(*file), std::move(*settings)};
}

// Backs up (when the file exists) and writes the edited settings.
Result<std::optional<fs::path>> store(const fs::path& settings_path, const SettingsFile& file,
                                      const json::value& settings) {
    std::optional<fs::path> backup;
    if (file.exists && (file.mode & S_IWUSR) == 0) {
        char mode[16];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.mode));
        return error(file.real_path.string() + " is read-only (mode " + mode +
                     "): not changed. Make it writable (chmod u+w) if hookctl should edit it");
    }
    if (file.exists) {
        Result<fs::path> written = write_backup(settings_path, file.text, file.mode);
        if (!written)
            return error(untouched(written.error().message));
        backup = *written;
    }
    if (Result<void> written = write_file_atomically(
            file.real_path, file.kept.restore(render_settings(settings)), file.mode);
        !written)
        return error(untouched(written.error().message));
    return backup;
}

}  // namespace

Result<fs::path> resolve_settings_path(const std::string& claude_config_dir,
                                       const std::string& home) {
    std::string_view first = claude_config_dir;
    first = trim(first.substr(0, first.find(',')));
    if (!first.empty())
        return path_result(fs::path(first) / "settings.json");
    if (!home.empty())
        return path_result(fs::path(home) / ".claude" / "settings.json");
    return error("cannot locate settings.json: neither CLAUDE_CONFIG_DIR nor HOME is set");
}

Result<fs::path> settings_path_from_environment() {
    const char* claude_config_dir = std::getenv("CLAUDE_CONFIG_DIR");
    const char* home = std::getenv("HOME");
    return resolve_settings_path(claude_config_dir ? claude_config_dir : "", home ? home : "");
}

std::string hookctl_command_line(const fs::path& hookctl_binary, std::string_view subcommand) {
    return shell_quoted(hookctl_binary.string()) + " " + std::string(subcommand);
}

bool is_our_command(std::string_view command, std::string_view subcommand,
                    const fs::path& hookctl_binary) {
    command = trim(command);
    if (!hookctl_binary.empty() && command == hookctl_command_line(hookctl_binary, subcommand))
        return true;
    // The whole command is exactly "<one word naming hookctl><blanks><subcommand>": nothing
    // before the binary (`echo hi; hookctl hook` is the user's), nothing after the subcommand.
    if (!command.ends_with(subcommand))
        return false;
    command.remove_suffix(subcommand.size());
    if (command.empty() || (command.back() != ' ' && command.back() != '\t'))
        return false;
    std::string_view word = trim(command);
    if (word.size() >= 2 && (word.front() == '\'' || word.front() == '"') &&
        word.back() == word.front()) {
        const char quote = word.front();
        word = word.substr(1, word.size() - 2);  // one quoted word: no quote of its kind inside
        if (word.find(quote) != std::string_view::npos)
            return false;
    } else if (word.empty() || !std::all_of(word.begin(), word.end(), is_shell_safe)) {
        return false;  // more than one word, or shell syntax
    }
    constexpr std::string_view k_name = "hookctl";
    return word == k_name || (word.size() > k_name.size() && word.ends_with(k_name) &&
                              word[word.size() - k_name.size() - 1] == '/');
}

Result<json::value> parse_settings(std::string_view text) {
    if (trim(text).empty())
        return json::value(json::object());
    Result<json::value> settings = parse_json_exactly(text);
    if (!settings)
        return settings;
    if (!settings->is_object())
        return error("not a JSON object at the top level (Claude Code settings are an object)");
    return settings;
}

std::string render_settings(const json::value& settings) {
    return to_pretty_json(settings) + "\n";
}

Result<InstallReport> install_into(json::value& settings, const fs::path& hookctl_binary,
                                   bool force, const TelemetryRequest* telemetry) {
    if (!hookctl_binary.is_absolute())
        return error("the hookctl path must be absolute: " + hookctl_binary.string());
    json::object* root = settings.if_object();
    if (!root)
        return error("not a JSON object at the top level");
    if (Result<void> shape = check_install_shape(*root, telemetry && telemetry->enable); !shape)
        return shape.error();

    InstallReport report;
    const std::string hook_command = hookctl_command_line(hookctl_binary, k_hook_subcommand);
    const std::string status_command =
        hookctl_command_line(hookctl_binary, k_status_line_subcommand);

    if (!root->contains("hooks"))
        root->emplace("hooks", json::object());
    json::object& hooks = root->at("hooks").get_object();
    for (std::string_view event : k_hook_events) {
        if (!hooks.contains(event))
            hooks.emplace(event, json::array());
        json::array& groups = hooks.at(event).get_array();
        bool found = false;
        bool updated = false;
        for (json::value& group : groups) {
            json::value* entries = group.get_object().if_contains("hooks");
            if (!entries)
                continue;
            for (json::value& entry : entries->get_array()) {
                const json::string* command = command_of(entry);
                if (!command || !is_our_command(*command, k_hook_subcommand, hookctl_binary))
                    continue;
                found = true;
                if (*command != hook_command) {
                    entry.get_object()["command"] = hook_command;
                    updated = true;
                }
            }
        }
        if (!found) {
            groups.emplace_back(our_hook_group(hook_command));
            report.hooks_added.emplace_back(event);
        } else if (updated) {
            report.hooks_updated.emplace_back(event);
        }
    }

    json::value* status_line = root->if_contains("statusLine");
    if (!status_line) {
        root->emplace("statusLine", our_status_line(status_command));
        report.status_line = StatusLineChange::added;
    } else if (const json::string* command = command_of(*status_line);
               command && is_our_command(*command, k_status_line_subcommand, hookctl_binary)) {
        json::object& ours = status_line->get_object();
        const json::value* type = ours.if_contains("type");
        const json::string* type_name = type ? type->if_string() : nullptr;
        if (*command != status_command || !type_name || *type_name != "command") {
            ours["type"] = "command";  // assigning keeps an existing key's position
            ours["command"] = status_command;
            report.status_line = StatusLineChange::updated;
        }
    } else {
        report.foreign_status_line = status_line_name(*status_line);
        if (force) {
            *status_line = our_status_line(status_command);
            report.status_line = StatusLineChange::replaced_foreign;
        } else {
            report.status_line = StatusLineChange::kept_foreign;
        }
    }

    if (telemetry)
        install_telemetry(*root, *telemetry, report);

    report.changed = !report.hooks_added.empty() || !report.hooks_updated.empty() ||
                     report.status_line == StatusLineChange::added ||
                     report.status_line == StatusLineChange::updated ||
                     report.status_line == StatusLineChange::replaced_foreign ||
                     !report.telemetry_added.empty() || !report.telemetry_updated.empty() ||
                     !report.telemetry_removed.empty();
    return report;
}

Result<UninstallReport> uninstall_from(json::value& settings, const fs::path& hookctl_binary,
                                       const TelemetryEnv* telemetry) {
    json::object* root = settings.if_object();
    if (!root)
        return error("not a JSON object at the top level");
    UninstallReport report;

    if (json::object* hooks = root->contains("hooks") ? root->at("hooks").if_object() : nullptr) {
        std::vector<std::string> emptied_events;
        for (json::key_value_pair& member : *hooks) {
            json::array* groups = member.value().if_array();
            if (!groups)
                continue;
            bool removed_in_event = false;
            for (auto group = groups->begin(); group != groups->end();) {
                json::object* group_object = group->if_object();
                json::value* entries_value =
                    group_object ? group_object->if_contains("hooks") : nullptr;
                json::array* entries = entries_value ? entries_value->if_array() : nullptr;
                if (!entries) {
                    ++group;
                    continue;
                }
                const std::size_t before = entries->size();
                for (auto entry = entries->begin(); entry != entries->end();) {
                    const json::string* command = command_of(*entry);
                    if (command && is_our_command(*command, k_hook_subcommand, hookctl_binary))
                        entry = entries->erase(entry);
                    else
                        ++entry;
                }
                if (entries->size() != before) {
                    removed_in_event = true;
                    if (entries->empty()) {
                        group = groups->erase(group);
                        continue;
                    }
                }
                ++group;
            }
            if (removed_in_event) {
                report.hooks_removed.emplace_back(member.key());
                if (groups->empty())
                    emptied_events.emplace_back(member.key());
            }
        }
        for (const std::string& event : emptied_events)
            hooks->stable_erase(event);
        if (!emptied_events.empty() && hooks->empty())
            root->stable_erase("hooks");
    }

    if (json::value* status_line = root->if_contains("statusLine")) {
        const json::string* command = command_of(*status_line);
        if (command && is_our_command(*command, k_status_line_subcommand, hookctl_binary)) {
            root->stable_erase("statusLine");
            report.status_line_removed = true;
        } else {
            report.foreign_status_line = status_line_name(*status_line);
        }
    }

    if (telemetry)
        remove_our_telemetry(*root, *telemetry, report.telemetry_removed, report.telemetry_kept);

    report.changed = !report.hooks_removed.empty() || report.status_line_removed ||
                     !report.telemetry_removed.empty();
    return report;
}

SettingsDescription describe_value(const json::value& settings, const fs::path& hookctl_binary,
                                   const TelemetryEnv* telemetry) {
    SettingsDescription description;
    const json::object* root = settings.if_object();
    if (!root)
        return description;
    const json::value* hooks = root->if_contains("hooks");
    if (hooks && hooks->is_object()) {
        for (const json::key_value_pair& member : hooks->get_object()) {
            const json::array* groups = member.value().if_array();
            if (!groups)
                continue;
            bool has_ours = false;
            for (const json::value& group : *groups) {
                const json::object* group_object = group.if_object();
                const json::value* entries =
                    group_object ? group_object->if_contains("hooks") : nullptr;
                if (!entries || !entries->is_array())
                    continue;
                for (const json::value& entry : entries->get_array()) {
                    const json::string* command = command_of(entry);
                    if (!command || !is_our_command(*command, k_hook_subcommand, hookctl_binary))
                        continue;
                    has_ours = true;
                    std::string text(*command);
                    if (std::find(description.hook_commands.begin(),
                                  description.hook_commands.end(),
                                  text) == description.hook_commands.end())
                        description.hook_commands.push_back(std::move(text));
                }
            }
            if (has_ours)
                description.events_with_hook.emplace_back(member.key());
        }
    }
    for (std::string_view event : k_hook_events) {
        if (std::find(description.events_with_hook.begin(), description.events_with_hook.end(),
                      event) == description.events_with_hook.end())
            description.events_missing_hook.emplace_back(event);
    }
    if (const json::value* status_line = root->if_contains("statusLine")) {
        const json::string* command = command_of(*status_line);
        if (command && is_our_command(*command, k_status_line_subcommand, hookctl_binary))
            description.status_line_command = std::string(*command);
        else
            description.foreign_status_line = status_line_name(*status_line);
    }
    const json::value* disable_all = root->if_contains("disableAllHooks");
    description.all_hooks_disabled =
        disable_all && disable_all->is_bool() && disable_all->get_bool();
    if (telemetry)
        describe_telemetry(*root, *telemetry, description);
    return description;
}

Result<InstallReport> install(const fs::path& settings_path, const fs::path& hookctl_binary,
                              bool force, const TelemetryRequest* telemetry) {
    auto loaded = load(settings_path);
    if (!loaded)
        return error(untouched(loaded.error().message));
    auto& [file, settings] = *loaded;
    Result<InstallReport> report = install_into(settings, hookctl_binary, force, telemetry);
    if (!report)
        return error(untouched(settings_path.string() + ": " + report.error().message));
    report->foreign_status_line = file.kept.restore(report->foreign_status_line);
    if (!report->changed)
        return report;
    Result<std::optional<fs::path>> backup = store(settings_path, file, settings);
    if (!backup)
        return backup.error();
    report->backup_path = *backup;
    return report;
}

Result<UninstallReport> uninstall(const fs::path& settings_path, const fs::path& hookctl_binary,
                                  const TelemetryEnv* telemetry) {
    auto loaded = load(settings_path);
    if (!loaded)
        return error(untouched(loaded.error().message));
    auto& [file, settings] = *loaded;
    if (!file.exists)
        return UninstallReport{};
    Result<UninstallReport> report = uninstall_from(settings, hookctl_binary, telemetry);
    if (!report)
        return error(untouched(settings_path.string() + ": " + report.error().message));
    report->foreign_status_line = file.kept.restore(report->foreign_status_line);
    if (!report->changed)
        return report;
    Result<std::optional<fs::path>> backup = store(settings_path, file, settings);
    if (!backup)
        return backup.error();
    report->backup_path = *backup;
    return report;
}

Result<SettingsDescription> describe(const fs::path& settings_path, const fs::path& hookctl_binary,
                                     const TelemetryEnv* telemetry) {
    auto loaded = load(settings_path);
    if (!loaded)
        return loaded.error();
    auto& [file, settings] = *loaded;
    SettingsDescription description = describe_value(settings, hookctl_binary, telemetry);
    description.file_exists = file.exists;
    if (description.foreign_status_line)
        description.foreign_status_line = file.kept.restore(*description.foreign_status_line);
    return description;
}

}  // namespace ccmeter
