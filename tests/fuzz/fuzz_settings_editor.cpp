// hookctl install then uninstall (the file functions of settings_editor.hpp, on a real file in
// a private temporary directory) on arbitrary settings.json text. The first byte says whether
// telemetry is part of it; the rest is the file.
// Invariants, as settings_editor.hpp promises them:
// - no crash or sanitizer report;
// - an install that fails leaves the file's bytes alone;
// - after a successful install, uninstall succeeds (the root is an object);
// - round trip: when the text is an object without our entries, already in the layout
//   install writes (render_settings of its own parse), and holding none of the documented
//   exceptions (an empty "hooks" object, an empty array of one of our events, an empty "env",
//   with telemetry: a telemetry key of its own in "env"), uninstall gives back its bytes.
#include <stdlib.h>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "hookctl/settings_editor.hpp"
#include "hookctl/telemetry_env.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ccmeter::fuzz::check;

constexpr std::string_view k_hookctl = "/opt/ccmeter/bin/hookctl";
constexpr unsigned k_port = 7681;
constexpr std::string_view k_token =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// A private directory for one input's settings file (and install's backups), removed with
// everything in it on scope exit.
class Workspace {
  public:
    Workspace() {
        const char* shm = "/dev/shm";
        std::string base = fs::is_directory(shm) ? shm : fs::temp_directory_path().string();
        std::string pattern = base + "/ccmeter-fuzz-settings-XXXXXX";
        check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
        m_dir = pattern;
    }
    ~Workspace() {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    // The settings file, holding `text`.
    fs::path settings_with(std::string_view text) {
        const fs::path path = m_dir / "settings.json";
        std::ofstream(path, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
        return path;
    }

  private:
    fs::path m_dir;
};

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Whether the text is promised to come back byte for byte (see the top of this file).
bool promises_round_trip(std::string_view text, bool telemetry) {
    auto parsed = ccmeter::parse_settings(text);
    if (!parsed || ccmeter::render_settings(*parsed) != text)
        return false;
    const ccmeter::TelemetryEnv env(k_port, std::string(k_token));
    const ccmeter::SettingsDescription description =
        ccmeter::describe_value(*parsed, fs::path(k_hookctl), telemetry ? &env : nullptr);
    if (!description.events_with_hook.empty() || description.status_line_command)
        return false;
    const json::object& root = parsed->as_object();
    if (const json::value* hooks = root.if_contains("hooks")) {
        if (hooks->is_object()) {
            if (hooks->as_object().empty())
                return false;
            for (std::string_view event : ccmeter::k_hook_events) {
                const json::value* entries = hooks->as_object().if_contains(event);
                if (entries && entries->is_array() && entries->as_array().empty())
                    return false;
            }
        }
    }
    if (const json::value* env_value = root.if_contains("env"); env_value && telemetry) {
        if (!env_value->is_object() || env_value->as_object().empty())
            return false;
        for (const auto& entry : env_value->as_object())
            if (ccmeter::is_telemetry_key(entry.key()))
                return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    const bool telemetry = (data[0] & 1) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    Workspace workspace;
    const fs::path settings = workspace.settings_with(text);

    ccmeter::TelemetryRequest request{ccmeter::TelemetryEnv(k_port, std::string(k_token)), {}, true};
    auto installed = ccmeter::install(settings, fs::path(k_hookctl), false,
                                      telemetry ? &request : nullptr);
    if (!installed) {
        check(read_bytes(settings) == text, "a refused install leaves the bytes alone");
        return 0;
    }
    auto removed =
        ccmeter::uninstall(settings, fs::path(k_hookctl), telemetry ? &request.ours : nullptr);
    check(static_cast<bool>(removed), "uninstall succeeds after a successful install");
    if (promises_round_trip(text, telemetry))
        check(read_bytes(settings) == text, "install then uninstall gives back the bytes");
    return 0;
}
