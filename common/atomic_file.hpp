// Whole files written so that a reader, or the next start after a crash or power loss, finds
// either the old bytes or the new ones, never a mix: a temporary file in the target's
// directory (created 0600, O_EXCL), written, fsynced, chmod'ed, renamed over the target, and
// the directory fsynced. A symlink at `target` is replaced, not followed (callers that mean
// to edit a link's target pass the resolved path).
//
// Errors are sentences naming the file and what failed; on error the target is untouched and
// no temporary file is left behind.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "common/error.hpp"

namespace ccmeter {

// Creates `dir` (and its parents) when missing; a directory this creates gets mode 0700.
Result<void> ensure_private_directory(const std::filesystem::path& dir);

// Replaces `target` with `text`, mode `mode`. The parent directory is created as above.
Result<void> write_file_atomically(const std::filesystem::path& target, std::string_view text,
                                   mode_t mode = 0600);

// Writes all of `text` to `fd` (retrying short writes and EINTR), then fsyncs it. `name` is
// only for the error message.
Result<void> write_all_and_sync(int fd, std::string_view text, const std::filesystem::path& name);

}  // namespace ccmeter
