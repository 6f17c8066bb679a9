// find_transcripts: every transcript below <dir>/projects, each session's main file before its
// subagents' files.
#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/config_dirs.hpp"

namespace fs = std::filesystem;

namespace {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "ccmeter-config-dirs-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    const fs::path& path() const { return m_path; }
    void touch(const std::string& relative) const {
        const fs::path file = m_path / relative;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << "{}\n";
    }

  private:
    fs::path m_path;
};

std::vector<std::string> relative(const std::vector<fs::path>& files, const fs::path& root) {
    std::vector<std::string> out;
    for (const fs::path& file : files)
        out.push_back(fs::relative(file, root / "projects").string());
    return out;
}

}  // namespace

TEST_CASE("transcripts come session by session, the main file before its subagents'",
          "[config_dirs]") {
    TempDir dir;
    // Written in an order unlike the expected one; sorted by path alone, each session's
    // subagents/ directory would come before its main file (a path compares component by
    // component, and "b1" < "b1.jsonl").
    dir.touch("projects/-home-dev-app/b1/subagents/agent-2.jsonl");
    dir.touch("projects/-home-dev-app/b1/subagents/agent-1.jsonl");
    dir.touch("projects/-home-dev-app/b1.jsonl");
    dir.touch("projects/-home-dev-app/a0.jsonl");
    dir.touch(
        "projects/-home-dev-app/agent-old.jsonl");  // a client before 2.1: after every session
    dir.touch("projects/-home-dev-app/c2.jsonl");
    dir.touch("projects/-home-dev-lib/a0/subagents/agent-9.jsonl");
    dir.touch("projects/-home-dev-lib/a0.jsonl");
    dir.touch("projects/-home-dev-lib/notes.txt");
    fs::create_directories(dir.path() / "projects/-home-dev-lib/folder.jsonl");  // not a file
    mkfifo((dir.path() / "projects/-home-dev-lib/pipe.jsonl").c_str(), 0600);  // listed, never read

    CHECK(relative(ccmeter::find_transcripts(dir.path()), dir.path()) ==
          std::vector<std::string>{
              "-home-dev-app/a0.jsonl",
              "-home-dev-app/b1.jsonl",
              "-home-dev-app/b1/subagents/agent-1.jsonl",
              "-home-dev-app/b1/subagents/agent-2.jsonl",
              "-home-dev-app/c2.jsonl",
              "-home-dev-app/agent-old.jsonl",
              "-home-dev-lib/a0.jsonl",
              "-home-dev-lib/a0/subagents/agent-9.jsonl",
              "-home-dev-lib/pipe.jsonl",
          });
}

TEST_CASE("a config dir without projects/ has no transcripts", "[config_dirs]") {
    TempDir dir;
    CHECK(ccmeter::find_transcripts(dir.path()).empty());
    CHECK(ccmeter::find_transcripts(dir.path() / "missing").empty());
}
