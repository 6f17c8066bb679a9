// The web view's files (web/ and third_party/uplot/), compiled into the binary at build time by
// embed_assets.cmake, so the daemon serves them with no files on disk and no network.
#pragma once

#include <string_view>

namespace ccmeter {

struct WebAsset {
    std::string_view path;          // as requested: "/index.html", "/app.js", ...
    std::string_view content_type;  // with charset for text
    std::string_view body;
    std::string_view etag;  // a quoted hash of the body
};

// The asset served at `path`, or nullptr. "/" is "/index.html".
const WebAsset* find_web_asset(std::string_view path);

}  // namespace ccmeter
