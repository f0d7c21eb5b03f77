// Content-coding for funnel-serve: which coding a client accepts, and gzip / brotli bodies.
// Done here rather than by cpp-httplib because its built-in list skips application/wasm and
// fonts, which are the bulk of Funnel's bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace funnel::serve {

enum class Coding { Identity, Gzip, Brotli };

// Picks the best coding from an Accept-Encoding value (brotli over gzip; honours q=0).
Coding preferredCoding(std::string_view acceptEncoding);

// The token for Content-Encoding / ETag suffixes; empty for Identity.
std::string_view codingName(Coding coding);

// Compressed copy of body, or nullopt when the library fails (the caller serves identity).
std::optional<std::string> encode(std::string_view body, Coding coding);

}  // namespace funnel::serve
